"""Frame rate, server cost and bytes per frame of the served app, measured in a real browser.

    python benchmarks/frames.py [--seconds 10]

Serves GanLab in this process (so its tick costs can be read), opens it in Debian's Chromium through
Playwright, presses Play and measures, over the window, at default settings:
  - frames/s drawn in the browser (changes of the fake-samples data source seen by BokehJS),
  - server CPU ms per frame: this process's CPU time minus the time spent training, per frame
    (trainer.frame(), view updates, Bokeh serialisation and websocket writes),
  - bytes per frame received by the browser on the websocket,
  - training iterations/s.
Targets (issue 3): >= 20 frames/s, <= 3 ms server CPU and <= 40 KB per frame, >= 500 iterations/s.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time

import panel as pn

from ganlab_panel.app import GanLab

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

COUNT_FRAMES = """() => {
  const doc = Bokeh.documents[0];
  const source = doc.get_model_by_name('fake-samples').data_source;
  window.__frames = 0;
  doc.on_change((event) => { if (event.model === source) window.__frames += 1; });
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    apps: list[GanLab] = []

    def create():
        app = GanLab()
        apps.append(app)
        return app

    port = free_port()
    server = pn.serve(
        {"app": create},
        port=port,
        address="127.0.0.1",
        show=False,
        threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
    )
    from playwright.sync_api import sync_playwright

    received = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload) if payload else 0)),
        )
        page.goto(f"http://127.0.0.1:{port}/app")
        page.wait_for_function(
            "() => window.Bokeh && Bokeh.documents.length > 0 && Bokeh.documents[0].get_model_by_name('fake-samples')",
            timeout=60_000,
        )
        page.evaluate(COUNT_FRAMES)
        app = apps[-1]
        page.get_by_role("button", name="Play").click()  # from the browser: the document is the server's
        time.sleep(3)  # warm up: caches, the tick-size adaptation

        app.costs.clear()
        frames0 = page.evaluate("() => window.__frames")
        bytes0, iterations0 = sum(received), app.trainer.iteration
        cpu0, wall0 = time.process_time(), time.perf_counter()
        page.wait_for_timeout(args.seconds * 1000)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        frames = page.evaluate("() => window.__frames") - frames0
        sent = sum(received) - bytes0
        iterations = app.trainer.iteration - iterations0
        costs = list(app.costs)
        page.get_by_role("button", name="Pause").click()
        browser.close()
    server.stop()

    training = sum(c[0] for c in costs)
    print(f"window {wall:.1f} s at default settings; {len(costs)} ticks on the server, {frames} frames drawn")
    print(f"frames/s in the browser:        {frames / wall:8.1f}   (target >= 20)")
    print(f"server CPU per frame (no train): {(cpu - training) / max(frames, 1) * 1e3:8.2f} ms (target <= 3)")
    print(f"  of which trainer.frame():      {statistics.median(c[1] for c in costs) * 1e3:8.2f} ms median")
    print(f"  of which view updates:         {statistics.median(c[2] for c in costs) * 1e3:8.2f} ms median")
    print(f"bytes per frame (websocket):    {sent / max(frames, 1) / 1024:8.1f} KB (target <= 40)")
    print(f"iterations/s:                   {iterations / wall:8.0f}   (target >= 500)")


if __name__ == "__main__":
    main()
