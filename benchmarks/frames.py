"""Frame rate, server cost and bytes per frame of the served app, measured in a real browser.

    python benchmarks/frames.py [--seconds 10] [--model flow]

Serves GanLab in this process (so each tick's costs can be timed: tick_costs.py), drives Debian's Chromium from a child
process (Playwright), presses Play and measures over the window, at default settings:
  - frames/s drawn in the browser (changes of the fake-samples data source seen by BokehJS),
  - server CPU milliseconds per frame: trainer.frame() plus the view updates, including Bokeh's
    serialisation and websocket writes on leaving the document hold (thread CPU time, median; the wall
    time is also shown: on 2 cores the browser competes with the server),
  - bytes per frame received by the browser on the websocket,
  - training iterations/s.
Targets (issue 3): >= 20 frames/s, <= 3 ms server CPU and <= 40 KB per frame, >= 500 iterations/s.
`--model flow` measures the flow page instead (ring8 at the flow's defaults; its frames cost more: the ODE
carries 300 samples and the 441 grid points, and the density comes every 0.5 s; pages/training_page.py).
The browser shares the machine's cores with the server: on 2 cores its painting competes with training.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from chromium import launch  # noqa: E402  (scripts/chromium.py: Chromium's path and flags, shared with the tests)
from tick_costs import TickCosts  # noqa: E402  (beside this script)

SAMPLES = {"gan": "fake-samples", "flow": "flow-samples"}
"""The renderer whose data changes once per frame drawn."""
COUNT_FRAMES = """(name) => {
  const doc = Bokeh.documents[0];
  const source = doc.get_model_by_name(name).data_source;
  window.__frames = 0;
  doc.on_change((event) => { if (event.model === source) window.__frames += 1; });
}"""


def drive(url: str, seconds: float, size: str, model: str) -> None:
    """Child process: open the app, press Play, report frames and bytes over the window as JSON."""
    from playwright.sync_api import sync_playwright

    received: list[int] = []
    with sync_playwright() as p:
        browser = launch(p)
        width, height = map(int, size.split("x"))
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(len(data or b""))))
        page.goto(url)
        page.wait_for_function(
            "(name) => window.Bokeh && Bokeh.documents.length && Bokeh.documents[0].get_model_by_name(name)",
            arg=SAMPLES[model],
            timeout=60_000,
        )
        page.evaluate(COUNT_FRAMES, SAMPLES[model])
        page.get_by_role("button", name="Play").click()
        page.wait_for_timeout(3000)  # warm up: caches, the tick-size adaptation
        frames0, bytes0 = page.evaluate("() => window.__frames"), sum(received)
        print("START", flush=True)
        start = time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        wall = time.perf_counter() - start
        frames, sent = page.evaluate("() => window.__frames") - frames0, sum(received) - bytes0
        print(json.dumps({"frames": frames, "bytes": sent, "wall": wall}), flush=True)
        page.get_by_role("button", name="Pause").click()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="1366x768", help="the browser window (the layered view fits it)")
    parser.add_argument("--model", choices=list(SAMPLES), default="gan", help="the page's model (flow: on ring8)")
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.seconds, args.size, args.model)
        return

    import panel as pn

    from ganlab_panel.core.config import GanConfig
    from ganlab_panel.pages.gan_lab import GanLab

    apps: list[GanLab] = []

    def create():
        apps.append(GanLab(GanConfig(model="flow", distribution="ring8")) if args.model == "flow" else GanLab())
        return apps[-1]

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = pn.serve(
        {"app": create}, port=port, address="127.0.0.1", show=False, threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
    )  # fmt: skip
    driver = subprocess.Popen(
        [sys.executable, __file__, "--drive", f"http://127.0.0.1:{port}/app",
         "--seconds", str(args.seconds), "--size", args.size, "--model", args.model],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert driver.stdout.readline().strip() == "START", "the browser did not start"
    app = apps[-1]
    app_costs = TickCosts(app)
    iterations0, cpu0 = app.trainer.iteration, time.process_time()
    result = json.loads(driver.stdout.readline())
    iterations, cpu = app.trainer.iteration - iterations0, time.process_time() - cpu0
    costs = list(app_costs)
    driver.wait(60)
    server.stop()

    frames, wall = max(result["frames"], 1), result["wall"]
    cpu_per_frame = [(c.frame_cpu_s + c.show_cpu_s) * 1e3 for c in costs]
    training = sum(c.train_s for c in costs)

    def median_ms(values) -> float:
        return statistics.median(values) * 1e3

    print(f"{args.model}: window {wall:.1f} s at default settings: {result['frames']} frames drawn, {len(costs)} sent")
    print(f"frames/s in the browser:            {frames / wall:8.1f}    (target >= 20)")
    print(f"server CPU ms per frame:            {statistics.median(cpu_per_frame):8.2f}    (target <= 3), "
          f"p90 {sorted(cpu_per_frame)[int(0.9 * len(cpu_per_frame))]:.2f}")  # fmt: skip
    print(f"  trainer.frame() CPU:              {median_ms(c.frame_cpu_s for c in costs):8.2f} ms")
    print(f"  views, serialisation, writes CPU: {median_ms(c.show_cpu_s for c in costs):8.2f} ms")
    print(f"  wall ms per frame:                {median_ms(c.frame_s + c.show_s for c in costs):8.2f}")
    print(f"server CPU share spent training:    {training / cpu * 100:8.0f} %")
    print(f"bytes per frame (websocket):        {result['bytes'] / frames / 1024:8.1f} KB (target <= 40)")
    print(f"iterations/s:                       {iterations / wall:8.0f}    (target >= 500)")


if __name__ == "__main__":
    main()
