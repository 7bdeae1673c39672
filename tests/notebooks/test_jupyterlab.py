"""The app inline in a real JupyterLab (Chromium through Playwright): Play keeps drawing, Pause stops it.

One JupyterLab server for the module (benchmarks/notebook_frames.py's harness, throw-away Jupyter directories,
a kernel running this interpreter with the checkout on PYTHONPATH and PANEL_INLINE=1).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.notebook_frames import (
    APP_CELLS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    JupyterLab,
    Output,
    open_notebook,
    run_all_cells,
)

pytestmark = [pytest.mark.notebook, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
PLAY_S = 15
"""Seconds the page is watched while it plays; its counter must rise at every read."""


@pytest.fixture(scope="module")
def lab():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs Debian's chromium")
    server = JupyterLab()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _errors_in_cells(page) -> list[str]:
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()


def test_play_keeps_drawing_inline_and_pause_stops_it(lab, browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = open_notebook(context, lab.write_notebook("app.ipynb", APP_CELLS))
    run_all_cells(page)
    out = Output(page).wait_until_shown()
    imported = page.locator(".jp-OutputArea-output", has_text="ganlab_panel/__init__.py").first.inner_text()
    assert imported.strip() == str(ROOT / "ganlab_panel" / "__init__.py"), "the kernel imports this checkout"
    assert out.horizontal_overflow() == 0, "the app fits the output's width: no horizontal scrolling"

    before = out.iteration()
    pixels = out.layered_pixels()
    out.play()
    reads, changed = [before], 0
    deadline = time.monotonic() + PLAY_S
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        reads.append(out.iteration())
        now = out.layered_pixels()
        changed += now != pixels
        pixels = now
    assert all(b > a for a, b in zip(reads, reads[1:], strict=False)), f"the counter rose at every read: {reads}"
    assert changed >= PLAY_S - 2, "the layered view's pixels kept changing"

    out.pause()
    page.wait_for_timeout(1500)  # the last frame and the models' catch-up arrive
    paused = out.iteration()
    page.wait_for_timeout(1500)
    assert out.iteration() == paused, "Pause stopped the counter"
    assert out.layered_pixels() == out.layered_pixels()
    kernel = page.locator(".jp-Notebook .jp-Cell").count()
    # the page shows the kernel's iteration: ask the kernel in a new cell
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+End")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("print(app.trainer.iteration, app.playing)")
    start = time.monotonic()
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-Notebook .jp-Cell").nth(kernel).locator(".jp-OutputArea-output").first
    output.wait_for(timeout=30_000)
    assert time.monotonic() - start < 5
    assert output.inner_text().split() == [str(paused), "False"], "the page shows the kernel's iteration"
    assert not _errors_in_cells(page), "no cell shows an error"
    context.close()
