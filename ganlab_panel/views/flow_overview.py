"""The flow's model overview graph: the GAN's drawing (overview.py) on the flow's geometry (flow_overview_graph.py),
with a small live plot in each node: the data and the source, x_t on straight paths between them, the velocity
field, the loss, the trajectories of the ODE steps, the samples at t and the heatmap."""

from __future__ import annotations

import numpy as np
import param
from bokeh.models import ColumnDataSource, LinearColorMapper

from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.flow_slow_motion import FLOW_PHASES
from ganlab_panel.render.colors import FAKE_COLOR, FIELD_COLOR, REAL_COLOR
from ganlab_panel.render.layers import field_arrows
from ganlab_panel.views import flow_overview_graph
from ganlab_panel.views.flow_layered import PALETTES, heatmap_shade, polylines
from ganlab_panel.views.overview import OverviewView

PAIRS = 40
"""x_t's node draws this many (source, data) pairs' straight paths."""
FIELD_STRIDE = 2
"""The network's node draws every other arrow of the field in each direction (10 x 10 of 20 x 20)."""


class FlowOverviewView(OverviewView):
    """A flow's model overview graph; `update(frame)` refreshes the node plots, `set_phase` the highlights
    ('training', 'sampling', or a slow-motion FlowSubStep)."""

    phase = param.Selector(default=None, objects=[None, *FLOW_PHASES], constant=True, doc="Highlighted phase.")
    graph = flow_overview_graph

    def __init__(self, **params):
        super().__init__(**params)
        self.figure.name = "flow-overview"
        self._time: float | None = None
        self._kind = "density"
        grid = np.arange(400).reshape(20, 20)
        self._field_index = grid[::FIELD_STRIDE, ::FIELD_STRIDE].ravel()

    def _build_plots(self, fig) -> None:
        dots = {"size": 2.6, "line_color": None, "fill_alpha": 0.8}
        self.sources.update(
            {name: ColumnDataSource({"x": np.zeros(0), "y": np.zeros(0)}) for name in ("data", "source", "samples")}
        )
        self.color_mapper = LinearColorMapper(palette=PALETTES["density"], low=0.0, high=1.0)
        left, bottom, width, height = self.graph.inner("density")
        self.sources["density"] = ColumnDataSource({"image": [np.zeros((2, 2), dtype=np.float32)]})
        fig.image(
            image="image", x=left, y=bottom, dw=width, dh=height, source=self.sources["density"],
            color_mapper=self.color_mapper, name="flow-overview-density",
        )  # fmt: skip
        for name, color in (("data", REAL_COLOR), ("source", FAKE_COLOR), ("samples", FAKE_COLOR)):
            fig.scatter("x", "y", source=self.sources[name], fill_color=color, name=f"flow-overview-{name}", **dots)
        for name, color, alpha in (("pairs", "#999999", 0.5), ("ode", FAKE_COLOR, 0.6)):
            self.sources[name] = ColumnDataSource({"x": np.zeros(0), "y": np.zeros(0)})
            fig.line("x", "y", source=self.sources[name], line_color=color, line_alpha=alpha, line_width=0.8)
        self.sources["interpolation"] = ColumnDataSource({"x": np.zeros(0), "y": np.zeros(0)})
        fig.scatter("x", "y", source=self.sources["interpolation"], fill_color="#000000", **dots)
        self.sources["network"] = ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": []})
        fig.segment(
            "x0", "y0", "x1", "y1", source=self.sources["network"], line_color=FIELD_COLOR, line_alpha=0.7,
            name="flow-overview-field",
        )  # fmt: skip
        self._build_losses(fig)

    # -- frames -----------------------------------------------------------------------------------------
    def update(self, frame: FlowFrame) -> None:
        """Draw a FlowFrame: only assigns new arrays to the data sources."""
        self._set_if_changed("data", frame.real)
        self._set_if_changed("source", frame.source)
        x0, x1 = frame.source[:PAIRS], frame.real[:PAIRS]
        self._set_points("pairs", polylines(np.stack([x0, x1], axis=1)), "interpolation")
        self._set_points("interpolation", (1 - frame.time) * x0 + frame.time * x1)
        index = self._field_index
        start, end = field_arrows(frame.field_points[index], frame.field[index])
        (sx, sy), (ex, ey) = self.graph.place("network", start), self.graph.place("network", end)
        self.channel.send(self.sources["network"], x0=sx, y0=sy, x1=ex, y1=ey)
        self._set_points("ode", polylines(frame.trajectories))
        self._set_points("samples", frame.samples)
        kind, shades = heatmap_shade(frame)
        self.channel.send(self.sources["density"], image=[shades])
        if kind != self._kind:
            self._kind = kind
            self.color_mapper.palette = PALETTES[kind]
        self._set_losses(frame.loss)
        self._name_time(frame.time)
        self._march()

    def _set_points(self, name: str, points: np.ndarray, box: str | None = None) -> None:
        """Points (or a NaN-separated path) of a node's plot, in the box of `box` (its own by default)."""
        x, y = self.graph.place(box or name, np.asarray(points, dtype=np.float32))
        self.channel.send(self.sources[name], x=x, y=y)

    def _name_time(self, time: float) -> None:
        """The samples' and heatmap's titles say their t (a model change: only when t changed)."""
        if self._time == time:
            return
        self._time = time
        names = {"samples": f"Samples at t = {time:.2f}", "density": f"Heatmap at t = {time:.2f}"}
        self.titles.data.update(text=[names.get(n, self.graph.NODES[n][4]) for n in self.titles.data["name"]])
