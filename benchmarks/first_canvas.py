"""Seconds from navigation to the first canvas painted, served, and the page's Bokeh model count.

    python benchmarks/first_canvas.py [--loads 3] [--size 1366x768]

Serves the app with `panel serve` (as `ganlab-panel serve` does), opens it in Debian's Chromium `--loads`
times, each in a fresh browser context, and reports for each load the time from navigation start until
the first Bokeh plot has finished painting (the figure's view says so), then the median. Also prints how
many Bokeh models the page holds: Bokeh's cost per message, and the page's start, grow with that count.
Target (the one-screen issue): median <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from chromium import launch  # noqa: E402  (scripts/chromium.py: Chromium's path and flags, shared with the tests)
from screenshots import serve  # noqa: E402  (scripts/screenshots.py: panel serve on a free port)

PAINTED_JS = """() => {
  if (!window.Bokeh || !Bokeh.documents.length) return false;
  for (const model of Bokeh.documents[0].all_models) {
    if (!model.renderers) continue;  // a plot
    const view = Bokeh.index.find_one(model);
    if (view && view.has_finished() && view.canvas_view && view.canvas_view.el.isConnected) return performance.now();
  }
  return false;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--app", type=Path, default=ROOT / "ganlab_panel" / "app.py")
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))

    from playwright.sync_api import sync_playwright

    server, url = serve(args.app)
    seconds, models = [], 0
    try:
        with sync_playwright() as p:
            browser = launch(p)
            for _ in range(args.loads):
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(url, wait_until="commit")
                painted = page.wait_for_function(PAINTED_JS, polling=20, timeout=120_000).json_value()
                seconds.append(painted / 1000)
                models = page.evaluate("() => Bokeh.documents[0].all_models.size")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"{args.app.name} at {width}x{height}: first canvas after " + ", ".join(f"{s:.2f}" for s in seconds) + " s")
    print(f"median {statistics.median(seconds):.2f} s (target <= 2); Bokeh models in the page: {models}")


if __name__ == "__main__":
    main()
