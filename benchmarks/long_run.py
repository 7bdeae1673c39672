"""A long run in one session: memory and the cost of a frame after 200,000 iterations.

    python benchmarks/long_run.py [--iterations 200000] [--report-every 50000]

Plays a GanLab (fresh networks, default settings) in this process by calling its loop's tick directly, as
the periodic callback would (25 iterations, then one frame packed for the browser), without waiting for
the period, and prints this process's resident memory at the start and every --report-every iterations,
with the median server CPU of a frame (trainer.frame() plus the views' updates) over the latest 500 frames.
The loss history and the charts are bounded (history.py merges neighbouring points; the charts keep 2,000),
so memory should stay flat and a frame cost the same at the end as at the start.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from tick_costs import TickCosts  # beside this script


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def frame_ms(lab) -> float:
    return statistics.median(c.frame_cpu_s + c.show_cpu_s for c in lab.tick_costs) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    parser.add_argument("--report-every", type=int, default=50_000)
    args = parser.parse_args()

    from ganlab_panel.pages.gan_lab import GanLab

    lab = GanLab(pretrained=False)
    lab.tick_costs = TickCosts(lab)
    lab.play()
    for _ in range(100):  # warm up: caches, the tick-size adaptation
        lab.tick()
    lab.tick_costs.clear()
    for _ in range(500):
        lab.tick()
    start_rss, start_frame = rss_mib(), frame_ms(lab)
    print(f"{'iteration':>9} {'RSS MiB':>8} {'growth':>7} {'frame CPU ms':>12} {'it/s':>6}")
    print(f"{lab.trainer.iteration:>9} {start_rss:>8.1f} {0:>+7.1f} {start_frame:>12.2f} {'':>6}", flush=True)
    mark, mark_time = lab.trainer.iteration, time.perf_counter()
    next_report = args.report_every
    while lab.trainer.iteration < args.iterations:
        lab.tick()
        if lab.trainer.diverged:
            raise SystemExit(f"training diverged at iteration {lab.trainer.iteration}: {lab.trainer.diverged}")
        if lab.trainer.iteration >= next_report:
            now = time.perf_counter()
            rate = (lab.trainer.iteration - mark) / (now - mark_time)
            rss = rss_mib()
            print(
                f"{lab.trainer.iteration:>9} {rss:>8.1f} {rss - start_rss:>+7.1f} {frame_ms(lab):>12.2f} {rate:>6.0f}",
                flush=True,
            )
            mark, mark_time = lab.trainer.iteration, now
            next_report += args.report_every
    lab.pause()
    points = {name: len(lab.trainer.history.series(name)[0]) for name in ("discriminator_loss", "kl")}
    chart = len(lab.charts.loss_source.data["iteration"])
    print(f"kept: history {points} points, loss chart {chart} points (the models, committed on pause)")


if __name__ == "__main__":
    main()
