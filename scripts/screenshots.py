"""Regenerate the README's screenshots: serve the app and compare mode, train in Chromium, save PNGs under docs/.

python scripts/screenshots.py

docs/app-1366x768.png and docs/app-1920x1080.png: the ring after a few seconds of training, on a classroom
laptop's screen and a desktop's; docs/app-slow-motion.png: slow motion's discriminator phase at 1366 x 768;
docs/compare-1920x1080.png: compare mode after a few seconds of training. docs/flow-1366x768.png and
docs/flow-1920x1080.png: the flow on the ring of 8 after a few seconds of training (at t = 0.6 at 1920 x 1080,
its velocity field shown); docs/flow-slow-motion.png: a flow's training sub-step at 1366 x 768;
docs/compare-gan-flow-1920x1080.png: a GAN beside a flow, as the page's compare link opens them.

python scripts/screenshots.py flow    # only the flow's (app, compare, flow: any of them)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from chromium import launch  # scripts/chromium.py, beside this script: Chromium's path and flags
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def serve(app) -> tuple[subprocess.Popen, str]:
    """`panel serve` of `app` (a path, from the repository root) on a free port, quiet, once it answers; the
    benchmarks serve with it too."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/{Path(app).stem}"
    server = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / app), "--port", str(port), "--address", "127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=10)  # the first session: imports and caches warm
            return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"{app} did not start")


def app_shots(browser, url: str) -> None:
    for width, height in ((1366, 768), (1920, 1080)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.wait_for_selector("text=Iteration", timeout=60_000)
        page.get_by_role("button", name="Ring", exact=True).click()
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(12_000)
        page.get_by_role("button", name="Pause").click()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(DOCS / f"app-{width}x{height}.png"))
        if width == 1366:
            page.get_by_role("button", name="Slow motion").click()
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(4000)
            page.screenshot(path=str(DOCS / "app-slow-motion.png"))
            page.get_by_role("button", name="Pause").click()
        page.close()


def flow_shots(browser, url: str) -> None:
    for width, height in ((1366, 768), (1920, 1080)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url + "?model=flow&distribution=ring8")
        page.wait_for_selector("text=Iteration", timeout=60_000)
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(15_000)
        page.get_by_role("button", name="Pause").click()
        page.wait_for_timeout(1500)
        if width == 1920:  # halfway along the flow, its field shown
            page.get_by_role("checkbox", name="Velocity field", exact=True).click()
            handle = page.locator(".setting-flow-time .noUi-handle")
            handle.focus()
            for _ in range(40):
                handle.press("ArrowLeft")
            page.wait_for_timeout(2500)
        page.screenshot(path=str(DOCS / f"flow-{width}x{height}.png"))
        if width == 1366:
            page.get_by_role("button", name="Slow motion").click()
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(5000)  # the fourth training sub-step: the velocity against its target
            page.screenshot(path=str(DOCS / "flow-slow-motion.png"))
            page.get_by_role("button", name="Pause").click()
        page.close()


def compare_flow_shot(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url + "?distribution=ring8&a.model=gan&b.model=flow")
    page.wait_for_selector("text=Iteration", timeout=60_000)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(15_000)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(DOCS / "compare-gan-flow-1920x1080.png"))
    page.close()


def compare_shot(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url)
    page.wait_for_selector("text=Iteration", timeout=60_000)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(10_000)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(DOCS / "compare-1920x1080.png"))
    page.close()


SHOTS = {
    "app": ("ganlab_panel/app.py", app_shots),
    "compare": ("ganlab_panel/compare.py", compare_shot),
    "flow": ("ganlab_panel/app.py", flow_shots),
    "compare-flow": ("ganlab_panel/compare.py", compare_flow_shot),
}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    wanted = sys.argv[1:] or list(SHOTS)
    if "flow" in wanted:
        wanted.append("compare-flow")
    for app, shots in (SHOTS[name] for name in dict.fromkeys(wanted)):
        server, url = serve(app)
        try:
            with sync_playwright() as p:
                browser = launch(p)
                shots(browser, url)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
