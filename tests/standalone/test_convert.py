"""`ganlab-panel convert`: the standalone page (static files, the app in Pyodide) and what it installs.

The converted page itself cannot run here: Pyodide and its numpy come only from CDNs. So these tests check
what the page is made of (files, the requirement list its worker installs, the wheel), that the code it runs
imports only what Pyodide has, and run that code under CPython from the wheel alone with torch unimportable.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ganlab_panel import cli

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ganlab_panel"
ENTRY = PACKAGE / "standalone" / "page.py"
PYODIDE_THIRD_PARTY = {"numpy", "param", "panel", "bokeh", "holoviews", "pillow"}
"""Packages the page installs from Pyodide's own set (by distribution name)."""
PYODIDE_MODULES = {"numpy", "param", "panel", "bokeh", "holoviews", "PIL"}
"""What those packages are imported as."""
PYODIDE_LACKS = {
    *("curses", "dbm", "ensurepip", "idlelib", "lib2to3", "tkinter", "turtle", "turtledemo", "venv"),
    *("fcntl", "grp", "pwd", "resource", "syslog", "termios", "pty", "tty", "msvcrt", "winreg", "winsound"),
    *("multiprocessing", "subprocess", "socket"),  # importable there, but they do not work
}
"""Standard-library modules Pyodide removes or cannot run (its documentation's list)."""
PYODIDE_STDLIB = set(sys.stdlib_module_names) - PYODIDE_LACKS
PYODIDE_ENVIRONMENT = {"sys_platform": "emscripten", "platform_system": "Emscripten", "extra": ""}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site as a user builds it: the command line, run once for this module (10-30 s on a 2-core machine)."""
    out = tmp_path_factory.mktemp("standalone") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "ganlab_panel", "convert", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def _wheel(out: Path) -> Path:
    wheels = list(out.glob("ganlab_panel-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _installed_requirements(worker: str) -> list[str]:
    """The list the page's worker hands to `micropip.install`."""
    match = re.search(r"micropip\.install\((\[.*?\])\)", worker)
    assert match, "the worker installs no packages"
    return ast.literal_eval(match.group(1))


# -- the conversion ----------------------------------------------------------------------------------
def test_convert_writes_the_page_its_worker_the_resources_and_the_wheel(site):
    out, stdout = site
    page = (out / "index.html").read_text()
    assert 'Worker("./index.js")' in page  # the page starts its worker from next to itself
    worker = (out / "index.js").read_text()
    assert "index.resources.zip" in worker
    with zipfile.ZipFile(out / "index.resources.zip") as resources:
        packed = resources.read(f"packed_wheels/{_wheel(out).name}")
    assert packed == _wheel(out).read_bytes()
    assert f"python -m http.server --directory {out}" in stdout


def test_worker_installs_the_wheel_numpy_param_panel_bokeh_holoviews_and_pillow_but_no_torch(site):
    out, _ = site
    requirements = _installed_requirements((out / "index.js").read_text())
    assert f"emfs:packed_wheels/{_wheel(out).name}" in requirements
    assert {"numpy", "param", "holoviews", "pillow"} <= set(requirements)
    # panel convert names panel and bokeh by their CDN wheels, of the versions that built the page
    names = [requirement.rsplit("/", 1)[-1] for requirement in requirements]
    assert any(name.startswith("panel-") and name.endswith(".whl") for name in names)
    assert any(name.startswith("bokeh-") and name.endswith(".whl") for name in names)
    assert not [r for r in requirements if "torch" in r.lower()]


def test_worker_runs_the_entry_file_with_the_numpy_engine(site):
    out, _ = site
    worker = (out / "index.js").read_text()
    assert 'GanLab(GanConfig(engine="numpy"))' in worker
    assert "servable(" in worker


def test_wheel_holds_the_app_and_the_pretrained_models(site):
    out, _ = site
    with zipfile.ZipFile(_wheel(out)) as wheel:
        names = set(wheel.namelist())
    shipped = {f"ganlab_panel/pretrained/{p.name}" for p in (PACKAGE / "pretrained").glob("*.npz")}
    assert shipped and shipped <= names
    assert {"ganlab_panel/app.py", "ganlab_panel/standalone/page.py", "ganlab_panel/engines/numpy_engine.py"} <= names
    assert not [n for n in names if "__pycache__" in n]


def test_wheel_requires_torch_everywhere_but_in_pyodide(site):
    """micropip installs a wheel's dependencies too: a torch requirement that applied in Pyodide would fail
    the whole install there, while the served app still needs torch from pip."""
    out, _ = site
    with zipfile.ZipFile(_wheel(out)) as wheel:
        metadata = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requirements = [
        Requirement(line.split(":", 1)[1]) for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    ]
    in_pyodide = {r.name for r in requirements if r.marker is None or r.marker.evaluate(PYODIDE_ENVIRONMENT)}
    here = {r.name for r in requirements if r.marker is None or r.marker.evaluate({"extra": ""})}
    assert in_pyodide == PYODIDE_THIRD_PARTY
    assert here == PYODIDE_THIRD_PARTY | {"torch"}


def test_app_runs_from_the_wheel_alone_with_the_numpy_engine_and_no_torch(site, tmp_path):
    """What the page's worker does, under CPython: install the wheel, run the entry file, use the app."""
    out, _ = site
    packages = tmp_path / "site-packages"
    with zipfile.ZipFile(_wheel(out)) as wheel:
        wheel.extractall(packages)
    code = f"""
import json, runpy, sys
sys.modules["torch"] = None  # `import torch` now fails, as in Pyodide
import ganlab_panel
from ganlab_panel.files import checkpoints
assert ganlab_panel.__file__.startswith({str(packages)!r}), ganlab_panel.__file__
app = runpy.run_path({str(packages / "ganlab_panel" / "standalone" / "page.py")!r})["app"]
app.step_both()
stepped = app.trainer.iteration
app.picker.value = "ring"
app.load_pretrained()
loaded = app.trainer.iteration
app.tick()  # what Play runs every 40 ms
print(json.dumps({{
    "engine": type(app.trainer.engine).__module__,
    "stepped": stepped,
    "loaded": loaded,
    "pretrained": checkpoints.load(checkpoints.pretrained_path("ring")).iteration,
    "played": app.trainer.iteration,
    "notice": app.notice.object,
}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(packages)},  # not the checkout: only what the wheel holds
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    ran = json.loads(result.stdout.strip().splitlines()[-1])
    assert ran["engine"] == "ganlab_panel.engines.numpy_engine"
    assert ran["stepped"] == 1
    assert ran["loaded"] == ran["pretrained"] > 0
    assert ran["played"] > ran["loaded"]
    assert "Pretrained model loaded" in ran["notice"]


# -- what the page's code imports ---------------------------------------------------------------------
def _imports(path: Path) -> list[tuple[str, bool]]:
    """(absolute module name, guarded) per import in a file, also those inside functions; `guarded` when
    it sits in a `try` whose handlers catch ImportError, i.e. the code works without that module."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = ".".join(parts[:-1])  # what a relative import starts from, in a package's __init__ too
    found = []

    def visit(node, guarded):
        if isinstance(node, ast.Import):
            found.extend((alias.name, guarded) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from .. import x` climbs one package above this file's
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found.append((base, guarded))
            found.extend((f"{base}.{alias.name}", guarded) for alias in node.names if _source(f"{base}.{alias.name}"))
        if isinstance(node, ast.Try):
            caught = set()
            for handler in node.handlers:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught.update("Exception" if t is None else ast.unparse(t) for t in types)  # None: bare except
            body_guarded = guarded or bool(caught & {"ImportError", "ModuleNotFoundError", "Exception"})
            for child in node.body:
                visit(child, body_guarded)
            for child in (*node.handlers, *node.orelse, *node.finalbody):
                visit(child, guarded)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(ast.parse(path.read_text()), False)
    return found


def _source(module: str) -> Path | None:
    """The file of a ganlab_panel module (None for anything else)."""
    if module.split(".")[0] != "ganlab_panel":
        return None
    base = ROOT.joinpath(*module.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


TORCH_ENGINES = {"ganlab_panel.engines.torch_engine", "ganlab_panel.engines.flow_torch"}
"""The modules that import torch: the GAN's and the flow's torch engines."""


def _reachable_from_entry() -> dict[str, Path]:
    """Every ganlab_panel module the entry file can import, directly or not (packages' __init__ included),
    but the torch engines: the page's settings pick the NumPy engines, and only engine='torch' loads them."""
    seen: dict[str, Path] = {}
    todo = [name for name, _ in _imports(ENTRY)]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            module = ".".join(parts[:i])
            path = _source(module)
            if path is None or module in seen or module in TORCH_ENGINES:
                continue
            seen[module] = path
            todo.extend(n for n, _ in _imports(path))
    return seen


def test_entry_file_imports_only_ganlab_panel_and_the_standard_library():
    imported = {name.split(".")[0] for name, _ in _imports(ENTRY)}
    assert "ganlab_panel" in imported
    assert imported <= {"ganlab_panel", "panel"} | PYODIDE_STDLIB


def test_modules_the_page_runs_import_only_what_pyodide_has():
    reachable = _reachable_from_entry()
    assert {"ganlab_panel.pages.gan_lab", "ganlab_panel.engines.numpy_engine", "ganlab_panel.files.checkpoints"} <= set(
        reachable
    )
    allowed = PYODIDE_MODULES | PYODIDE_STDLIB | {"ganlab_panel"}
    outside = {
        f"{module}: {name}"
        for module, path in reachable.items()
        for name, guarded in _imports(path)
        if not guarded and name.split(".")[0] not in allowed
    }
    assert not outside


def test_only_the_torch_engines_import_torch():
    importers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(name.split(".")[0] == "torch" for name, _ in _imports(path))
    }
    assert importers == {"engines/torch_engine.py", "engines/flow_torch.py"}


def test_import_walk_sees_guarded_relative_and_function_level_imports(tmp_path, monkeypatch):
    """The walk the two tests above rely on: it must not miss an import by where it is written."""
    package = tmp_path / "ganlab_panel"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "mod.py").write_text(
        "from .. import other\n"
        "def f():\n    import torch\n"
        "try:\n    import tornado\nexcept ImportError:\n    tornado = None\n"
        "try:\n    import scipy\nexcept KeyError:\n    pass\n"
        "try:\n    import pandas\nexcept (KeyError, ModuleNotFoundError):\n    pass\n"
    )
    (package / "other.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert sorted(_imports(package / "sub" / "mod.py")) == [
        ("ganlab_panel", False),
        ("ganlab_panel.other", False),
        ("pandas", True),
        ("scipy", False),
        ("torch", False),
        ("tornado", True),
    ]


# -- the command line ---------------------------------------------------------------------------------
def test_convert_to_a_file_is_refused_in_one_line(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("")
    assert cli.main(["convert", "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"ganlab-panel: error: --out must be a folder, but {target} is a file (see ganlab-panel convert --help)"
    ]
