"""Build the standalone site: the package as a wheel, and `panel convert` of the browser entry file.

The result is a folder of static files. Its page runs the whole app in the browser, in Pyodide (Python on
WebAssembly) inside a web worker: no Python server, but Pyodide, numpy, Panel and Bokeh come from CDNs
when the page first loads. `panel convert` packs the wheel into `index.resources.zip` next to the page,
and the worker installs it from there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).parents[1]
ROOT = PACKAGE.parent
ENTRY = Path(__file__).with_name("page.py")
PAGE = "index"
"""The entry file is converted under this name, so the site's root URL opens the app."""
REQUIREMENTS = ("numpy", "param", "panel", "bokeh", "holoviews", "pillow")
"""What the page installs besides the wheel (never torch: Pyodide has none). `panel convert` replaces panel
and bokeh by CDN wheels of the versions it was run with, so the page matches the Python that built it."""
SOURCES = ("pyproject.toml", "README.md", "ganlab_panel")
"""What building the wheel reads from a checkout (pyproject.toml names README.md as the long description)."""


class BuildError(Exception):
    """The site could not be built; the message says why in one line."""


@dataclass(frozen=True)
class Site:
    """The files of a built site: open `page` over HTTP; it starts `worker`, which unpacks `resources`."""

    folder: Path
    page: Path
    worker: Path
    resources: Path
    wheel: Path


def build(out: Path, log=print) -> Site:
    """Build the wheel into `out`, then convert the entry file into `out`/index.html and its worker."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"cannot create {out}: {error.strerror or error}") from None
    log("building the ganlab-panel wheel ...")
    wheel = build_wheel(out)
    log(f"converting {ENTRY.name} with panel convert (runs the app once to pre-render the page) ...")
    return convert(wheel, out)


def build_wheel(out: Path) -> Path:
    """The package's wheel, built by pip from a clean copy of the checkout (an in-place build would reuse
    a stale build/ folder, which can keep files that were since deleted)."""
    missing = [name for name in SOURCES if not (ROOT / name).exists()]
    if missing:
        raise BuildError(f"building the wheel needs a source checkout; {', '.join(missing)} not found in {ROOT}")
    for old in out.glob("ganlab_panel-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="ganlab-wheel-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in SOURCES:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(ROOT / name, source / name)
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check"]
        if importlib.util.find_spec("setuptools") is not None:
            command.append("--no-build-isolation")  # offline: build with the setuptools already installed
        _run([*command, "--wheel-dir", str(out.resolve()), str(source)], "building the wheel")
    wheels = sorted(out.glob("ganlab_panel-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"building the wheel left {len(wheels)} ganlab_panel wheels in {out}, expected 1")
    return wheels[0]


def convert(wheel: Path, out: Path) -> Site:
    """`panel convert --to pyodide-worker` with an explicit requirement list naming the wheel."""
    site = Site(out, out / f"{PAGE}.html", out / f"{PAGE}.js", out / f"{PAGE}.resources.zip", wheel)
    for path in (site.page, site.worker, site.resources):
        path.unlink(missing_ok=True)  # so that each file found afterwards is this run's
    with tempfile.TemporaryDirectory(prefix="ganlab-convert-") as tmp:
        entry = Path(tmp) / f"{PAGE}.py"
        shutil.copyfile(ENTRY, entry)
        command = [sys.executable, "-m", "panel", "convert", str(entry), "--to", "pyodide-worker"]
        command += ["--out", str(out.resolve()), "--disable-http-patch"]  # the app makes no HTTP requests
        command += ["--requirements", str(wheel.resolve()), *REQUIREMENTS]
        result = _run(command, "panel convert")
    # panel convert reports a failed conversion on stdout and still exits 0
    missing = [p.name for p in (site.page, site.worker, site.resources) if not p.is_file()]
    if missing:
        raise BuildError(f"panel convert wrote no {', '.join(missing)}: {_why(result)}")
    return site


def _why(result: subprocess.CompletedProcess) -> str:
    """The cause of a failed conversion: the app's own error when running it raised one (panel convert
    itself then only says that nothing was published), else panel's message."""
    if "Traceback" in result.stderr:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return f"running the app raised {lines[-1].strip()}"
    failure = [line for line in result.stdout.splitlines() if "Failed to convert" in line]
    return failure[-1] if failure else "no reason given"


def _run(command: list[str], what: str) -> subprocess.CompletedProcess:
    """Run a build step with ganlab_panel importable (a checkout need not be installed)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except OSError as error:
        raise BuildError(f"{what} could not start: {error.strerror or error}") from None
    if result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise BuildError(f"{what} failed (exit status {result.returncode}): {lines[-1] if lines else 'no output'}")
    return result
