"""Frames/s that GanLab paints inline in a real JupyterLab, and whether it keeps painting while it plays.

    python benchmarks/notebook_frames.py [--seconds 15] [--compare] [--slow-motion] [--notebook7]

Starts JupyterLab (or Notebook 7, `python -m notebook`) on 127.0.0.1 with throw-away config, data and runtime
directories (a kernelspec for this interpreter with the checkout on PYTHONPATH and PANEL_INLINE=1), writes a
notebook that displays the app (or compare mode), opens it in Debian's Chromium, runs all cells, presses Play
in the output and prints:
  - frames/s painted (changes of the layered view's fake samples seen by BokehJS, median of 1 s windows),
  - the page's iteration counter at every read, and whether it rose at every read,
  - after Pause, whether the page shows the kernel's iteration.
The harness (JupyterLab, open_notebook, run_all_cells, Output) is shared with tests/notebooks/test_jupyterlab.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
APP_CELLS = [
    "import panel as pn\npn.extension(inline=True)",
    "import ganlab_panel\nprint(ganlab_panel.__file__)",
    "from ganlab_panel.app import GanLab\napp = GanLab()\napp",
]
COMPARE_CELLS = [*APP_CELLS[:2], "from ganlab_panel.app import GanLab\ncmp = GanLab.compare()\ncmp"]
COUNTER = re.compile(r"Iteration ([\d,]+)")

# The first model named `name` in the page (JupyterLab may hold several documents, compare mode two sides).
_FIND = """(name) => {
  for (const doc of window.Bokeh?.documents ?? [])
    for (const model of doc.all_models) if (model.name === name) return model
  return null
}"""
COUNTER_TEXTS = """() => {
  // what the counters' Divs show in the page (the frame channel writes the text there, not in the model)
  const texts = []
  for (const doc of window.Bokeh?.documents ?? [])
    for (const model of doc.all_models)
      if (model.css_classes?.includes('iteration-counter')) {
        const text = Bokeh.index.find_one(model)?.markup_el?.textContent
        if (text) texts.push(text)
      }
  return texts
}"""
LAYERED_PIXELS = """(side) => {
  // the plot that draws the fake samples (compare mode: the side's, named layered-a or layered-b), its layers
  // composed as the page shows them; read in the page, as the output may be scrolled out of the viewport
  for (const doc of window.Bokeh?.documents ?? [])
    for (const model of doc.all_models) {
      if (model.name !== 'fake-samples') continue
      const plot = Bokeh.index.find_one(model)?.plot_view
      if (plot != null && (side == null || plot.model.name === `layered-${side}`))
        return plot.canvas_view.compose().canvas.toDataURL()
    }
  return null
}"""
COUNT_FRAMES = (
    """() => {
  const fake = (FIND)('fake-samples');
  const [doc, source] = [fake.document, fake.data_source];
  window.__frames = 0;
  doc.on_change((event) => { if (event.model === source) window.__frames += 1; });
}"""
).replace("FIND", _FIND)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook_json(cells: list[str]) -> str:
    """A notebook of these code cells for the 'python3' kernelspec written by JupyterLab below."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"c{i}",
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
                for i, source in enumerate(cells)
            ],  # fmt: skip
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 whose kernels run this interpreter with the checkout importable;
    every Jupyter directory is a throw-away one under `home`. `stop()` ends it (and its kernels).
    `app="notebook"` starts Notebook 7 instead (the same front-end components, one notebook per tab)."""

    def __init__(self, home: Path | None = None, app: str = "jupyterlab"):
        self.app = app
        self._own_home = home is None
        self.home = Path(tempfile.mkdtemp(prefix="jlab-")) if home is None else home
        dirs = {n: self.home / n for n in ("config", "data", "runtime", "settings", "workspaces", "notebooks")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        self.notebooks = dirs["notebooks"]
        kernel = dirs["data"] / "kernels" / "python3"
        kernel.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3",
            "language": "python",
            "env": {"PYTHONPATH": str(ROOT), "PANEL_INLINE": "1"},
        }
        (kernel / "kernel.json").write_text(json.dumps(spec))
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "PYTHONPATH": str(ROOT),
            "PANEL_INLINE": "1",
        }
        # no announcements pop-up (it asks whether to fetch news, and covers the notebook)
        plugin = dirs["settings"] / "@jupyterlab" / "apputils-extension"
        plugin.mkdir(parents=True, exist_ok=True)
        (plugin / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyterlab.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (open for the server's lifetime, closed in stop)
        # fmt: off
        self.process = subprocess.Popen(
            [sys.executable, "-m", app, "--no-browser", "--ServerApp.token=", "--ServerApp.password=",
             "--ServerApp.ip=127.0.0.1", f"--port={self.port}", f"--ServerApp.root_dir={self.notebooks}",
             "--allow-root", "--ServerApp.disable_check_xsrf=True"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=self.notebooks,
        )
        # fmt: on
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} exited:\n{self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/api/status", timeout=1)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{app} did not answer in 90 s")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of `cells`; returns its URL in JupyterLab (or Notebook 7)."""
        (self.notebooks / name).write_text(notebook_json(cells))
        if self.app == "notebook":
            return f"{self.url}/notebooks/{name}"
        # ?reset: a fresh workspace, not the server's previous tabs (their hidden notebooks come first in the page)
        return f"{self.url}/lab/tree/{name}?reset"

    def stop(self) -> None:
        self.process.terminate()  # Jupyter Server shuts its kernels down on SIGTERM
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._log.close()
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)


def open_notebook(context, url: str):
    """A tab on notebook `url`, its kernel idle, browser errors recorded in `page.errors`."""
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.locator(".jp-Notebook").first.wait_for(timeout=90_000)
    # JupyterLab may ask which kernel to start even though the notebook names one; the kernel is idle once
    # started, and the question may come a moment after the notebook shows
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    deadline, settled = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        if select.count():
            select.first.click()
            settled = None
        elif idle.count() and not page.locator(".jp-Dialog").count():
            settled = settled or time.monotonic()
            if time.monotonic() - settled > 1.5:
                return page
        page.wait_for_timeout(200)
    raise TimeoutError("the notebook's kernel did not start")


def run_all_cells(page) -> None:
    """Run > Run All Cells from JupyterLab's menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def errors_in_cells(page) -> list[str]:
    """The text of every error (stderr) output in the notebook."""
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()


def run_cell(page, source: str, timeout_s: float = 30):
    """Add a cell at the end, run it; returns (seconds until its output appeared, the output's text)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    count = cells.count()
    cells.nth(count - 1).locator(".jp-InputPrompt").click()  # select the last cell (its prompt: not its editor)
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("b")
    page.locator(".jp-Notebook .jp-Cell").nth(count).wait_for()
    page.keyboard.press("Enter")
    page.keyboard.type(source)
    start = time.monotonic()
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-Notebook .jp-Cell").nth(count).locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=timeout_s * 1000)
    return time.monotonic() - start, output.first.inner_text()


class Output:
    """The app displayed in a notebook cell's output: its counter, buttons and plots, read in the page."""

    def __init__(self, page):
        self.page = page

    def wait_until_shown(self, timeout_s: float = 120) -> Output:
        self.page.wait_for_function(f"() => ({_FIND})('fake-samples') != null", timeout=timeout_s * 1000)
        self.page.wait_for_function(f"() => ({COUNTER_TEXTS})().length > 0", timeout=timeout_s * 1000)
        return self

    def counters(self) -> list[int]:
        """Every iteration counter shown (compare mode shows one per side)."""
        texts = self.page.evaluate(COUNTER_TEXTS)
        return [int(COUNTER.search(t).group(1).replace(",", "")) for t in texts]

    def iteration(self) -> int:
        return self.counters()[0]

    def button(self, label: str):
        return self.page.get_by_role("button", name=label, exact=True)

    def play(self) -> None:
        self.button("Play").first.click()
        self.button("Pause").first.wait_for(timeout=30_000)

    def pause(self) -> None:
        self.button("Pause").first.click()
        self.button("Play").first.wait_for(timeout=30_000)

    def count_frames(self) -> None:
        self.page.evaluate(COUNT_FRAMES)

    def frames(self) -> int:
        return self.page.evaluate("() => window.__frames")

    def fake_samples(self) -> list[float]:
        js = f"() => Array.from(({_FIND})('fake-samples').data_source.data.x.slice(0, 20))"
        return self.page.evaluate(js)

    def layered_pixels(self, side: str | None = None) -> str:
        """What the layered view's canvas shows, as a PNG data URL (compare mode: side 'a' or 'b')."""
        return self.page.evaluate(LAYERED_PIXELS, side)

    def horizontal_overflow(self) -> int:
        """Pixels by which the app's output area is wider than it shows (0: no horizontal scrolling). The app is
        a cell's value (an execute result; printed text and the extension's output are not); -1: none shown."""
        js = """() => {
          const outputs = document.querySelectorAll(".jp-OutputArea-executeResult .jp-OutputArea-output")
          let worst = -1
          for (const el of outputs) worst = Math.max(worst, el.scrollWidth - el.clientWidth)
          return worst
        }"""
        return self.page.evaluate(js)


def measure(cells: list[str], seconds: float, slow_motion: bool = False, app: str = "jupyterlab") -> dict:
    from playwright.sync_api import sync_playwright

    lab = JupyterLab(app=app)
    try:
        url = lab.write_notebook("frames.ipynb", cells)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT)
            page = open_notebook(context, url)
            run_all_cells(page)
            out = Output(page).wait_until_shown()
            if slow_motion:
                page.get_by_text("Slow motion", exact=True).first.click()
            out.count_frames()
            start_iteration = out.iteration()
            out.play()
            reads, rates = [], []
            begin = time.monotonic()
            last_frames = out.frames()
            while time.monotonic() - begin < seconds:
                page.wait_for_timeout(1000)
                frames = out.frames()
                rates.append(frames - last_frames)
                last_frames = frames
                reads.append(out.counters())
            rising = all(b[0] > a[0] for a, b in zip([[start_iteration]] + reads, reads, strict=False))
            overflow = out.horizontal_overflow()
            out.pause()
            page.wait_for_timeout(1500)
            after_pause = out.counters()
            page.wait_for_timeout(1500)
            still = out.counters()
            browser.close()
        return {
            "frames_per_s_median": statistics.median(rates) if rates else 0,
            "frames_per_s": rates,
            "counter_reads": reads,
            "rising_at_every_read": rising,
            "after_pause": after_pause,
            "still_after_pause": still == after_pause,
            "horizontal_overflow_px": overflow,
            "browser_errors": [e for e in page.errors if "ERR_NAME_NOT_RESOLVED" not in e],
        }
    finally:
        lab.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--compare", action="store_true", help="compare mode (GanLab.compare()) instead of the app")
    parser.add_argument("--slow-motion", action="store_true", help="turn slow motion on before Play")
    parser.add_argument("--notebook7", action="store_true", help="Notebook 7 (python -m notebook), not JupyterLab")
    args = parser.parse_args()
    app = "notebook" if args.notebook7 else "jupyterlab"
    result = measure(COMPARE_CELLS if args.compare else APP_CELLS, args.seconds, args.slow_motion, app)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
