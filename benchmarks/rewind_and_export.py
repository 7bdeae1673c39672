"""What rewind and the downloads cost: the timeline's per-frame record, its memory, and each export.

    python benchmarks/rewind_and_export.py [--frames 3000]

Trains a Trainer at GAN Lab's defaults 30 iterations per frame (what the served app does at ~20 frames/s
and ~600 iterations/s), records every frame in a Timeline as the play loop does, and prints the median and
99th percentile of record() (it runs once per drawn frame, so it adds to the ~3 ms of server CPU a frame
costs), the timeline's bytes and how far its frames reach, then the time and size of each download.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from ganlab_panel.core.timeline import CHECKPOINT_EVERY, MAX_BYTES, Timeline
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.files import exports
from ganlab_panel.render.layers import DEFAULT_LAYERS, LAYER_NAMES

ITERATIONS_PER_FRAME = 30


def timed(make, repeats: int = 5):
    """The median seconds of `repeats` calls of make(), and its last result."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = make()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000, help="frames to record (default %(default)s)")
    args = parser.parse_args()

    trainer, timeline = Trainer(), Timeline()
    record_us = []
    for _ in range(args.frames):
        trainer.train(ITERATIONS_PER_FRAME)
        frame = trainer.frame(with_metrics=False)
        start = time.perf_counter()
        timeline.record(frame, trainer.state)
        record_us.append((time.perf_counter() - start) * 1e6)
    print(f"timeline over {args.frames:,} frames ({trainer.iteration:,} iterations, {ITERATIONS_PER_FRAME} per frame)")
    print(f"  record(): median {statistics.median(record_us):.0f} us, p99 {np.percentile(record_us, 99):.0f} us")
    print(f"  kept {len(timeline):,} frames within {timeline.nbytes / 2**20:.1f} MiB (cap {MAX_BYTES / 2**20:.0f} MiB)")
    states = sum(timeline.has_state(i) for i in range(len(timeline)))
    print(f"  {states} resume points, now every {timeline.spacing:,} iterations (at first {CHECKPOINT_EVERY})")
    state_s, state = timed(trainer.state)
    print(f"  one state(): {state_s * 1e3:.2f} ms, {state.nbytes:,} bytes")

    frame = trainer.frame()
    for name, layers in (("default layers", DEFAULT_LAYERS), ("all layers", LAYER_NAMES)):
        seconds, data = timed(lambda layers=layers: exports.png_bytes(frame, layers))
        print(f"PNG, 480 px, {name}: {seconds * 1e3:.0f} ms, {len(data) / 1e3:.0f} KB")
    seconds, data = timed(lambda: exports.gif_bytes(timeline.frames()), repeats=3)
    print(
        f"GIF, {exports.GIF_MAX_FRAMES} of {len(timeline):,} frames, 320 px: {seconds:.2f} s, {len(data) / 1e6:.2f} MB"
    )
    seconds, data = timed(lambda: exports.checkpoint_bytes(trainer.config, trainer.engine.get_weights(), 1))
    print(f"checkpoint: {seconds * 1e3:.1f} ms, {len(data) / 1e3:.1f} KB")
    seconds, data = timed(lambda: exports.history_csv(trainer.history))
    print(f"metric history CSV: {seconds * 1e3:.1f} ms, {len(data) / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
