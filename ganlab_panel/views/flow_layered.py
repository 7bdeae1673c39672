"""The flow's layered view, beside the GAN's (layered.py): at the time t a frame was made for, the model's density
(or the velocity's speed) as a heatmap, the real samples, the velocity field as arrows, the trajectories from the
source to the samples with t marked on them, the samples at t, and the source's grid carried by the flow. Slow
motion draws a training step's batch or a sampling run's step over them."""

from __future__ import annotations

import numpy as np
import param
from bokeh.models import ColorBar, ColumnDataSource, FixedTicker, LinearColorMapper

from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.flow_slow_motion import FlowSubStep
from ganlab_panel.render.colors import DENSITY_PALETTE, FAKE_COLOR, FIELD_COLOR, REAL_COLOR, SPEED_PALETTE
from ganlab_panel.render.layers import (
    FLOW_DEFAULT_LAYERS,
    cell_alpha,
    field_arrows,
    flow_heatmap,
    manifold_cells,
    manifold_lines,
)
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.layered import ToggledLayers, _rows
from ganlab_panel.views.style import unit_square_figure

FLOW_LAYERS = {  # toggle parameter -> the label of its checkbox, bottom to top (render/layers.FLOW_LAYER_NAMES)
    "show_heatmap": "Density / speed heatmap",
    "show_grid": "Carried grid",
    "show_real": "Real samples",
    "show_trajectories": "Trajectories",
    "show_field": "Velocity field",
    "show_samples": "Samples at t",
}
STEP_ARROW_TIME = 0.15
"""Slow motion's target and prediction arrows: the way each moves in this much time."""
BATCH_SHOWN = 64
"""Slow motion draws the first pairs of a training batch (256): more would hide each other."""
LEGENDS = {
    "density": ("Model density p_t(x), log scale", {0: "e⁻⁸ × peak", 0.5: "e⁻⁴ × peak", 1: "peak"}),
    "speed": ("Speed |v(x, t)|, of its largest", {0: "0", 0.5: "half", 1: "largest"}),
    "none": ("No heatmap (Heatmap: Density or Speed shows one)", {0: "", 0.5: "", 1: ""}),
}
PALETTES = {"density": DENSITY_PALETTE, "speed": SPEED_PALETTE, "none": DENSITY_PALETTE}


def heatmap_shade(frame: FlowFrame) -> tuple[str, np.ndarray]:
    """(kind, shades in [0, 1]) of a frame's heatmap as pictures shade it (render/layers.flow_heatmap): the
    log-density over the DENSITY_RANGE below its highest cell, the speed over the fastest; ('none', a white cell)
    when the frame has neither."""
    shaded = flow_heatmap(frame)
    if shaded is None:
        return "none", np.zeros((1, 1), np.float32)
    return shaded[0], shaded[1].astype(np.float32)


def polylines(lines: np.ndarray) -> np.ndarray:
    """(n, k, 2) lines as one NaN-separated (n * (k + 1), 2) path: one Bokeh line draws them all."""
    gaps = np.full((len(lines), 1, 2), np.nan, dtype=np.float32)
    return np.concatenate([np.asarray(lines, dtype=np.float32), gaps], axis=1).reshape(-1, 2)


def _segments(start: np.ndarray, end: np.ndarray) -> dict:
    start, end = np.asarray(start, dtype=np.float32), np.asarray(end, dtype=np.float32)
    return {"x0": start[:, 0], "y0": start[:, 1], "x1": end[:, 0], "y1": end[:, 1]}


def _points(points: np.ndarray) -> dict:
    points = np.asarray(points, dtype=np.float32)
    return {"x": points[:, 0], "y": points[:, 1]}


EMPTY_POINTS = {"x": np.empty(0, np.float32), "y": np.empty(0, np.float32)}
EMPTY_SEGMENTS = _segments(np.empty((0, 2)), np.empty((0, 2)))
OVERLAYS = {"x0": "points", "x1": "points", "pairs": "segments", "xt": "points", "target": "segments"}
OVERLAYS |= {"prediction": "segments", "run": "points", "moves": "segments"}
"""Slow motion's sources: a training batch's x0, x1, their paths, x_t, the target and predicted velocities; a
sampling run's samples and their moves."""


def _toggle(name: str, doc: str) -> param.Boolean:
    return param.Boolean(name in FLOW_DEFAULT_LAYERS, doc=doc)


class FlowLayeredView(ToggledLayers):
    """A flow's layered distributions at time t: every layer a Bokeh renderer whose data `update(frame)` replaces."""

    # shown when it opens: as pictures are drawn by default
    show_heatmap = _toggle("show_heatmap", "Show the model's density at t (or the velocity's speed) over the square")
    show_grid = _toggle("show_grid", "Show a grid over the source carried by the flow to t")
    show_real = _toggle("show_real", "Show the real samples")
    show_trajectories = _toggle("show_trajectories", "Show the paths of 40 samples from the source (t = 0) to t = 1")
    show_field = _toggle("show_field", "Show the velocity field v(x, t) as arrows")
    show_samples = _toggle("show_samples", "Show the samples carried by the flow to t")
    _labels = FLOW_LAYERS

    def __init__(self, channel: FrameChannel | None = None, **params):
        super().__init__(**params)
        self.channel = channel or FrameChannel()
        self._frame: FlowFrame | None = None
        self._shown_real: np.ndarray | None = None
        self._kind = "density"
        self.figure = fig = unit_square_figure(self.size, name="flow-layered")
        s = self.sources = {
            "heatmap": ColumnDataSource({"image": [np.zeros((1, 1), dtype=np.float32)]}),
            "real": ColumnDataSource(dict(EMPTY_POINTS)),
            "field": ColumnDataSource({**EMPTY_SEGMENTS, "angle": np.empty(0, np.float32)}),
            "paths": ColumnDataSource(dict(EMPTY_POINTS)),
            "ahead": ColumnDataSource(dict(EMPTY_POINTS)),
            "now": ColumnDataSource(dict(EMPTY_POINTS)),
            "samples": ColumnDataSource(dict(EMPTY_POINTS)),
            "cells": ColumnDataSource({"cell_x": np.empty((0, 4)), "cell_y": np.empty((0, 4)), "alpha": []}),
            "lines": ColumnDataSource(dict(EMPTY_POINTS)),
        }
        self.color_mapper = LinearColorMapper(palette=DENSITY_PALETTE, low=0, high=1)
        heatmap = fig.image(
            image="image", x=0, y=0, dw=1, dh=1, source=s["heatmap"], color_mapper=self.color_mapper,
            global_alpha=0.75, name="flow-heatmap",
        )  # fmt: skip
        cells = fig.patches(
            xs=_rows("cell_x"), ys=_rows("cell_y"), source=s["cells"], fill_color=FAKE_COLOR, fill_alpha="alpha",
            line_width=0, name="flow-grid",
        )  # fmt: skip
        grid_style = {"color": FAKE_COLOR, "line_width": 0.6, "alpha": 0.6}
        lines = fig.line("x", "y", source=s["lines"], name="flow-grid-lines", **grid_style)
        real = fig.scatter("x", "y", source=s["real"], size=4, color=REAL_COLOR, alpha=0.8, name="flow-real")
        path_style = {"color": FAKE_COLOR, "line_width": 0.8}  # as pictures draw them (render/picture.py)
        paths = fig.line("x", "y", source=s["paths"], alpha=0.55, name="flow-paths", **path_style)
        ahead = fig.line("x", "y", source=s["ahead"], alpha=0.18, name="flow-paths-ahead", **path_style)
        now = fig.scatter(
            "x", "y", source=s["now"], size=7, fill_color=None, line_color=FAKE_COLOR, line_width=1.2, name="flow-now"
        )
        arrows = {"source": s["field"], "color": FIELD_COLOR, "alpha": 0.6}
        field = fig.segment("x0", "y0", "x1", "y1", line_width=1, name="flow-field", **arrows)
        heads = fig.scatter(
            "x1", "y1", marker="triangle", angle="angle", size=3.5, line_width=0, name="flow-field-heads", **arrows
        )
        samples = fig.scatter("x", "y", source=s["samples"], size=4, color=FAKE_COLOR, name="flow-samples")
        self._build_overlays(fig)
        title, labels = LEGENDS["density"]
        self.legend = ColorBar(
            color_mapper=self.color_mapper, name="flow-heatmap-legend", orientation="horizontal",
            ticker=FixedTicker(ticks=[0, 0.5, 1]), major_label_overrides=labels, title=title, height=8, padding=4,
        )  # fmt: skip
        fig.add_layout(self.legend, "below")
        self.renderers = {
            "show_heatmap": [heatmap, self.legend],
            "show_real": [real],
            "show_field": [field, heads],
            "show_trajectories": [paths, ahead, now],
            "show_samples": [samples],
            "show_grid": [cells, lines],
        }
        self._draw = {
            "show_heatmap": self._draw_heatmap,
            "show_real": self._draw_real,
            "show_field": self._draw_field,
            "show_trajectories": self._draw_trajectories,
            "show_samples": self._draw_samples,
            "show_grid": self._draw_grid,
        }
        self._wire(fig)  # no autodispatch, as the GAN's view: the frame channel's packet source may hang off it

    def _build_overlays(self, fig) -> None:
        """Slow motion's renderers, empty until a sub-step draws on them."""
        s = self.sources
        for name, kind in OVERLAYS.items():
            s[name] = ColumnDataSource(dict(EMPTY_POINTS if kind == "points" else EMPTY_SEGMENTS))
        hollow = {"fill_color": None, "line_width": 1.3}
        fig.scatter("x", "y", source=s["x0"], size=6, line_color=FAKE_COLOR, name="flow-step-x0", **hollow)
        fig.scatter("x", "y", source=s["x1"], size=6, line_color=REAL_COLOR, name="flow-step-x1", **hollow)
        fig.segment("x0", "y0", "x1", "y1", source=s["pairs"], color="#999999", alpha=0.6, name="flow-step-pairs")
        fig.scatter("x", "y", source=s["xt"], size=4, color="#000000", name="flow-step-xt")
        for name, color in (("target", REAL_COLOR), ("prediction", FAKE_COLOR)):
            fig.segment("x0", "y0", "x1", "y1", source=s[name], color=color, line_width=2, name=f"flow-step-{name}")
        fig.segment("x0", "y0", "x1", "y1", source=s["moves"], color=FAKE_COLOR, alpha=0.6, name="flow-run-moves")
        fig.scatter("x", "y", source=s["run"], size=6, fill_color=FAKE_COLOR, line_color="#000000", name="flow-run")

    # -- slow motion ---------------------------------------------------------------------------------
    def show_substep(self, substep: FlowSubStep | None) -> None:
        """Draw a slow-motion sub-step over the layers: a training step's batch as far as the sub-step has
        come, or a sampling run's samples and their last moves; None clears it."""
        data = {name: EMPTY_POINTS if kind == "points" else EMPTY_SEGMENTS for name, kind in OVERLAYS.items()}
        if substep is not None and substep.step is not None:
            step, number, n = substep.step, substep.number, BATCH_SHOWN
            data["x0"] = _points(step.x0[:n])
            if number >= 2:
                data["x1"] = _points(step.x1[:n])
            if number >= 3:
                data["pairs"], data["xt"] = _segments(step.x0[:n], step.x1[:n]), _points(step.x_t[:n])
            if number >= 4:
                for name, velocity in (("target", step.target), ("prediction", step.prediction)):
                    data[name] = _segments(step.x_t[:n], step.x_t[:n] + STEP_ARROW_TIME * velocity[:n])
        elif substep is not None and substep.sampling is not None:
            positions = substep.sampling.positions
            data["run"] = _points(positions[substep.index])
            data["moves"] = _segments(positions[substep.before], positions[substep.index])
        for name, columns in data.items():
            self.sources[name].data = dict(columns)

    # -- layers --------------------------------------------------------------------------------------
    def _draw_heatmap(self, frame: FlowFrame) -> None:
        kind, shades = heatmap_shade(frame)
        self.channel.send(self.sources["heatmap"], image=[shades])
        if kind != self._kind:  # the mapper and legend reach the browser apart from the frame: only on a change
            self._kind = kind
            self.color_mapper.palette = PALETTES[kind]
            title, labels = LEGENDS[kind]
            self.legend.update(title=title, major_label_overrides=labels)

    def _draw_real(self, frame: FlowFrame) -> None:
        # the real samples shown stay the same for a whole experiment: skip resending them
        if self._shown_real is not None and np.array_equal(self._shown_real, frame.real):
            return
        self._shown_real = frame.real
        self.channel.send(self.sources["real"], **_points(frame.real))

    def _draw_field(self, frame: FlowFrame) -> None:
        start, end = field_arrows(frame.field_points, frame.field)
        arrow = end - start
        angle = np.arctan2(arrow[:, 1], arrow[:, 0]) - np.pi / 2  # a triangle marker points up at 0
        self.channel.send(self.sources["field"], **_segments(start, end), angle=angle.astype(np.float32))

    def _draw_trajectories(self, frame: FlowFrame) -> None:
        paths, index = frame.trajectories, frame.time_index
        self.channel.send(self.sources["paths"], **_points(polylines(paths[:, : index + 1])))
        self.channel.send(self.sources["ahead"], **_points(polylines(paths[:, index:])))
        self.channel.send(self.sources["now"], **_points(paths[:, index]))

    def _draw_samples(self, frame: FlowFrame) -> None:
        self.channel.send(self.sources["samples"], **_points(frame.samples))

    def _draw_grid(self, frame: FlowFrame) -> None:
        grid = np.asarray(frame.grid, dtype=np.float32)
        xs, ys = manifold_cells(grid)
        alpha = cell_alpha(np.asarray(frame.grid_stretch, dtype=np.float32).ravel())
        self.channel.send(self.sources["cells"], cell_x=xs, cell_y=ys, alpha=alpha.astype(np.float32))
        self.channel.send(self.sources["lines"], **_points(manifold_lines(grid)))
