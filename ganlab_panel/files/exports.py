"""The bytes of each download: the model (a checkpoint), the settings (JSON), the metric history (CSV), a
picture of the layered view (PNG), an animation of the training so far (GIF), a GAN's or a flow's, and a
PyTorch script of the experiment (script_export.py), from the seed's weights or the current ones."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable

import numpy as np
from PIL import Image

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.history import History
from ganlab_panel.files import checkpoints
from ganlab_panel.render.picture import render

GIF_MAX_FRAMES = 120
"""At most this many pictures in an animation, however long training ran (the frames are thinned evenly):
12 s at GIF_FPS, enough to follow training from start to end; at 320 px that is about 0.4-0.8 MB and 1 s
to render and encode on one core."""
GIF_FPS = 10
"""Frames per second of an animation: slow enough to follow the fake samples move, and an exact 100 ms per
frame (GIF counts time in hundredths of a second)."""
SUFFIXES = {
    "checkpoint": ".npz",
    "config": ".json",
    "history": "-history.csv",
    "png": ".png",
    "gif": ".gif",
    "script": ".py",
    "script_weights": ".py",
}
"""Download kind -> how its file name ends."""
FROM_THE_SEED = ("script",)
"""Downloads that start from the seed, not from any iteration: their names hold none."""


def filename(kind: str, config, iteration: int) -> str:
    """The file name of a download, e.g. 'ganlab-ring-iter1931.npz' ('ganlab-flow-ring8-iter16000.npz' for a
    flow, 'ganlab-ring.py' for a script from the seed); `config` is a GanConfig or a dict."""
    if kind not in SUFFIXES:
        raise ValueError(f"unknown download {kind!r}; choose from {', '.join(SUFFIXES)}")
    values = config if isinstance(config, dict) else config.to_dict()
    model = "flow-" if values.get("model") == "flow" else ""
    if kind in FROM_THE_SEED:
        return f"ganlab-{model}{values['distribution']}{SUFFIXES[kind]}"
    return f"ganlab-{model}{values['distribution']}-iter{int(iteration)}{SUFFIXES[kind]}"


def config_json(config: GanConfig) -> str:
    """Every setting as JSON, which GanConfig.from_json reads back."""
    return config.to_json()


def checkpoint_bytes(config, weights: checkpoints.Weights, iteration: int) -> bytes:
    """A checkpoint file's bytes (checkpoints.load reads them back, from a file or as they are)."""
    buffer = io.BytesIO()
    checkpoints.save(buffer, config, weights, iteration)
    return buffer.getvalue()


def history_csv(history: History) -> str:
    """The history as CSV: `iteration` then one column per series, one row per iteration any series has a
    point at (series are thinned on their own, so their iterations can differ); blank where a series has
    none. Values keep full precision."""
    names = history.names()
    columns = {name: dict(zip(*history.series(name), strict=True)) for name in names}
    iterations = sorted({x for column in columns.values() for x in column})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["iteration", *names])
    for x in iterations:
        row = [_number(x)]
        row += [_number(columns[name][x]) if x in columns[name] else "" for name in names]
        writer.writerow(row)
    return out.getvalue()


def _number(value: float) -> str:
    """repr's shortest exact text; whole iterations without '.0'."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def png_bytes(frame: Frame | FlowFrame, layers: Collection[str] | None = None, size: int = 480, **picture) -> bytes:
    """A PNG of the layered view of `frame`, a GAN's or a flow's (see picture.render for the layers, by default
    those the view opens with, and the other options)."""
    buffer = io.BytesIO()
    render(frame, layers, size, **picture).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes(
    frames: Iterable[Frame | FlowFrame],
    layers: Collection[str] | None = None,
    size: int = 320,
    max_frames: int = GIF_MAX_FRAMES,
    fps: float = GIF_FPS,
    **picture,
) -> bytes:
    """An animated GIF (looping) of the layered view over `frames`, oldest first: at most `max_frames`
    of them, evenly spaced and always ending on the last. (Pillow merges identical consecutive pictures
    into one that shows longer.) `picture` options go to picture.render."""
    frames = list(frames)
    if not frames:
        raise ValueError("an animation needs at least one frame; train a few steps first")
    if max_frames < 1 or fps <= 0:
        raise ValueError(f"an animation needs max_frames >= 1 and fps > 0, got {max_frames} and {fps}")
    pictures = [_indexed(render(frame, layers, size, **picture)) for frame in pick_evenly(frames, max_frames)]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=pictures[1:],
        duration=round(1000 / fps),
        loop=0,
        disposal=1,  # Pillow stores only the part of a picture that changed: the rest stays from the last
    )
    return buffer.getvalue()


def pick_evenly(items: list, count: int) -> list:
    """At most `count` items, evenly spaced from the first to the last."""
    if len(items) <= count:
        return list(items)
    if count == 1:
        return [items[-1]]
    picks = np.unique(np.round(np.linspace(0, len(items) - 1, count)).astype(int))
    return [items[i] for i in picks]


def _indexed(picture: Image.Image) -> Image.Image:
    """The picture in 256 colours without dithering: the heatmap's flat cells stay flat, which keeps the GIF
    small and free of speckle. (Fast octree: half the size and time of median cut on these pictures.)"""
    return picture.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
