"""Regenerate the README's screenshots: serve the app, train in Chromium, save PNGs under docs/.

python scripts/screenshots.py
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


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "panel",
            "serve",
            str(ROOT / "ganlab_panel" / "app.py"),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
        ],
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/app", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1250})
            page.goto(f"http://127.0.0.1:{port}/app")
            page.wait_for_selector("text=Iteration", timeout=60_000)
            page.get_by_role("button", name="Ring", exact=True).click()
            page.wait_for_timeout(1000)
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(12_000)
            page.get_by_role("button", name="Pause").click()
            page.wait_for_timeout(1000)
            (ROOT / "docs").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "docs" / "app-training.png"), full_page=True)
            page.get_by_role("button", name="Slow motion").click()
            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(4000)
            page.screenshot(path=str(ROOT / "docs" / "app-slow-motion.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
