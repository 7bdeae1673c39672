"""Frame rate, server cost and bytes per frame of the served app, measured in a real browser.

    python benchmarks/frames.py [--seconds 10]

Serves the app with `panel serve` in its own process, opens it in Debian's Chromium through Playwright,
presses Play and measures over the window, at default settings:
  - frames/s drawn in the browser (changes of the fake-samples data source seen by BokehJS),
  - server CPU ms per frame spent on anything but training: the server process's CPU time (from
    /proc) minus iterations x the CPU cost of one iteration measured headless here first, per frame
    (trainer.frame(), view updates, Bokeh serialisation, websocket writes),
  - bytes per frame received by the browser on the websocket,
  - training iterations/s.
Targets (issue 3): >= 20 frames/s, <= 3 ms server CPU and <= 40 KB per frame, >= 500 iterations/s.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ganlab_panel.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
COUNT_FRAMES = """() => {
  const doc = Bokeh.documents[0];
  const source = doc.get_model_by_name('fake-samples').data_source;
  window.__frames = 0;
  doc.on_change((event) => { if (event.model === source) window.__frames += 1; });
}"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def iteration_cpu_seconds(iterations: int = 2000) -> float:
    trainer = Trainer()
    trainer.train(200)
    start = time.process_time()
    trainer.train(iterations)
    return (time.process_time() - start) / iterations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    per_iteration = iteration_cpu_seconds()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", str(ROOT / "ganlab_panel" / "app.py"), "--port", str(port),
         "--address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    from playwright.sync_api import sync_playwright

    received: list[int] = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/app", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(len(data or b""))))
            page.goto(f"http://127.0.0.1:{port}/app")
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].get_model_by_name('fake-samples')",
                timeout=60_000,
            )
            page.evaluate(COUNT_FRAMES)
            counter = page.locator(".iteration-counter").get_by_text(re.compile(r"Iteration \d+")).first

            def iteration() -> int:
                return int(re.search(r"Iteration (\d+)", counter.inner_text()).group(1))

            page.get_by_role("button", name="Play").click()
            page.wait_for_timeout(3000)  # warm up: caches, the tick-size adaptation
            frames0, bytes0, iterations0 = page.evaluate("() => window.__frames"), sum(received), iteration()
            cpu0, wall0 = cpu_seconds(server.pid), time.perf_counter()
            page.wait_for_timeout(args.seconds * 1000)
            cpu, wall = cpu_seconds(server.pid) - cpu0, time.perf_counter() - wall0
            frames = page.evaluate("() => window.__frames") - frames0
            sent, iterations = sum(received) - bytes0, iteration() - iterations0
            page.get_by_role("button", name="Pause").click()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)

    frames = max(frames, 1)
    drawing_cpu = cpu - iterations * per_iteration
    print(f"window {wall:.1f} s at default settings, {frames} frames drawn; one iteration costs "
          f"{per_iteration * 1e3:.2f} ms CPU headless")  # fmt: skip
    print(f"frames/s in the browser:         {frames / wall:8.1f}    (target >= 20)")
    print(f"server CPU per frame, no training:{drawing_cpu / frames * 1e3:8.2f} ms (target <= 3)")
    print(f"server CPU per frame, total:     {cpu / frames * 1e3:8.2f} ms")
    print(f"bytes per frame (websocket):     {sent / frames / 1024:8.1f} KB (target <= 40)")
    print(f"iterations/s:                    {iterations / wall:8.0f}    (target >= 500)")


if __name__ == "__main__":
    main()
