"""The model overview graph: GAN Lab's diagram of the data flow, with a small live plot in every node.

One Bokeh figure whose data coordinates are its pixels (900 x 260). Each node is a rounded box; its
plot is drawn by mapping unit-square coordinates into the box. Edges are one multi_line whose colours
come from a column, so highlighting a phase or a slow-motion sub-step is one small data assignment.
"""

from __future__ import annotations

import math

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, LinearColorMapper, Range1d
from bokeh.plotting import figure
from bokeh.transform import linear_cmap

from ganlab_panel.core.frame import Frame
from ganlab_panel.core.slow_motion import PHASES, SubStep
from ganlab_panel.render.colors import FAKE_COLOR, HEATMAP_PALETTE, REAL_COLOR
from ganlab_panel.views import overview_graph
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.overview_graph import BORDER_COLOR, EDGE_COLOR, HEIGHT, WIDTH, grid_path_index, loss_fraction


class OverviewView(pn.viewable.Viewer):
    """GAN Lab's model overview graph; `update(frame)` refreshes the node plots, `set_phase` the highlights.
    Its boxes and paths are `graph`'s (a flow's graph is another: views/flow_overview.py)."""

    phase = param.Selector(default=None, objects=[None, *PHASES], constant=True, doc="Highlighted phase.")
    graph = overview_graph

    def __init__(self, channel: FrameChannel | None = None, **params):
        super().__init__(**params)
        self.channel = channel or FrameChannel()
        self.substep: SubStep | None = None
        self._manifold_index: dict[tuple, np.ndarray] = {}
        self._shown: dict[str, np.ndarray] = {}  # the rarely changing arrays last shipped
        self._prediction_counts: dict[str, int] = {}
        self._marching = 0
        self.figure = self._build()
        self._pane = pn.pane.Bokeh(self.figure, sizing_mode="fixed")
        self.set_phase(None)

    def responsive(self) -> None:
        """Let the page size the graph: it scales with the width it gets (its coordinates are its pixels at
        900 x 260)."""
        self.figure.update(sizing_mode="scale_width", aspect_ratio=WIDTH / HEIGHT)
        self._pane.sizing_mode = "stretch_width"

    # -- building -------------------------------------------------------------------------------------
    def _build(self):
        g = self.graph
        fig = figure(
            width=WIDTH,
            height=HEIGHT,
            x_range=Range1d(0, WIDTH),
            y_range=Range1d(0, HEIGHT),
            tools="",
            toolbar_location=None,
            min_border=0,
            outline_line_color=None,
            background_fill_color="#f7f7f7",
            border_fill_color="#f7f7f7",
            name="overview",
            x_axis_type=None,
            y_axis_type=None,
        )

        names = list(g.NODES)
        boxes = [g.NODES[n] for n in names]
        self.nodes = ColumnDataSource(
            {
                "name": names,
                "x": [b[0] + b[2] / 2 for b in boxes],
                "y": [b[1] + b[3] / 2 for b in boxes],
                "width": [b[2] for b in boxes],
                "height": [b[3] for b in boxes],
                "line_color": [BORDER_COLOR] * len(names),
                "line_width": [1.0] * len(names),
                "line_alpha": [1.0] * len(names),
                "veil": [0.0] * len(names),
            }
        )
        self.edges = ColumnDataSource(
            {
                "name": list(g.EDGE_POINTS),
                "xs": [np.array([p[0] for p in pts], float) for pts in g.EDGE_POINTS.values()],
                "ys": [np.array([p[1] for p in pts], float) for pts in g.EDGE_POINTS.values()],
                "color": [EDGE_COLOR] * len(g.EDGE_POINTS),
                "alpha": [1.0] * len(g.EDGE_POINTS),
                "width": [2.0] * len(g.EDGE_POINTS),
                "dash_offset": [0] * len(g.EDGE_POINTS),
            }
        )
        self.arrows = ColumnDataSource(self._arrow_data())
        titles = [n for n in names if n not in g.LOSS_NODES]
        self.titles = ColumnDataSource(
            {
                "name": titles,
                "x": [g.NODES[n][0] + g.NODES[n][2] / 2 for n in titles],
                "y": [g.NODES[n][1] + (g.NODES[n][3] / 2 if n in g.LABEL_NODES else g.NODES[n][3] + 3) for n in titles],
                "text": [g.NODES[n][4] for n in titles],
                "vertical": ["middle" if n in g.LABEL_NODES else "bottom" for n in titles],
                "color": ["#444444"] * len(titles),
                "style": ["normal"] * len(titles),
            }
        )
        fig.multi_line(
            "xs",
            "ys",
            source=self.edges,
            line_color="color",
            line_alpha="alpha",
            line_width="width",
            line_dash=[8, 3],
            line_dash_offset="dash_offset",
            line_join="round",
            name="overview-edges",
        )
        fig.scatter(
            "x",
            "y",
            source=self.arrows,
            marker="triangle",
            angle="angle",
            size=9,
            fill_color="color",
            fill_alpha="alpha",
            line_color=None,
            name="overview-arrows",
        )
        fig.rect(
            "x",
            "y",
            "width",
            "height",
            source=self.nodes,
            fill_color="white",
            line_color="line_color",
            line_width="line_width",
            line_alpha="line_alpha",
            border_radius=6,
            name="overview-nodes",
        )

        self.sources = {}
        self._build_plots(fig)

        # A white veil over the nodes a slow-motion sub-step does not involve (GAN Lab fades them).
        fig.rect(
            "x",
            "y",
            "width",
            "height",
            source=self.nodes,
            fill_color="#f7f7f7",
            fill_alpha="veil",
            line_alpha=0,
            border_radius=6,
            name="overview-veil",
        )
        fig.text(
            "x",
            "y",
            "text",
            source=self.titles,
            text_align="center",
            text_baseline="vertical",
            text_font_size="11px",
            text_color="color",
            text_font_style="style",
            name="overview-titles",
        )
        return fig

    def _build_plots(self, fig) -> None:
        empty_points = {"x": np.zeros(0), "y": np.zeros(0)}
        dots = {"size": 2.6, "line_color": None, "fill_alpha": 0.8}
        for name, color in (("noise", FAKE_COLOR), ("fake", FAKE_COLOR), ("real", REAL_COLOR)):
            self.sources[name] = ColumnDataSource(dict(empty_points))
            fig.scatter("x", "y", source=self.sources[name], fill_color=color, name=f"overview-{name}", **dots)

        self.sources["generator"] = ColumnDataSource(dict(empty_points))
        fig.line(
            "x",
            "y",
            source=self.sources["generator"],
            line_color=FAKE_COLOR,
            line_alpha=0.6,
            line_width=1.0,
            name="overview-generator",
        )

        self.color_mapper = LinearColorMapper(palette=HEATMAP_PALETTE, low=0.0, high=1.0)
        left, bottom, width, height = overview_graph.inner("discriminator")
        self.sources["discriminator"] = ColumnDataSource({"image": [np.full((2, 2), 0.5, dtype=np.float32)]})
        fig.image(
            image="image",
            x=left,
            y=bottom,
            dw=width,
            dh=height,
            source=self.sources["discriminator"],
            color_mapper=self.color_mapper,
            name="overview-discriminator",
        )

        for name in ("real-predictions", "fake-predictions"):
            self.sources[name] = ColumnDataSource({**empty_points, "p": np.zeros(0)})
            fig.scatter(
                "x",
                "y",
                source=self.sources[name],
                size=3.2,
                line_color="#8c8c8c",
                line_width=0.3,
                fill_color=linear_cmap("p", HEATMAP_PALETTE, 0.0, 1.0),
                name=f"overview-{name}",
            )

        self._build_losses(fig)

    def _build_losses(self, fig) -> None:
        """A bar and a value for each loss node, in its phase's colour."""
        g, texts = self.graph, {"x": [], "y": [], "text": []}
        for name in g.LOSS_NODES:
            left, bottom, width, height, title = g.NODES[name]
            self.sources[name] = ColumnDataSource(
                {"left": [left + 8], "right": [left + 8], "bottom": [bottom + 8], "top": [bottom + 20]}
            )
            color = g.PHASE_COLORS[g.LOSS_PHASES[name]]
            fig.quad(
                "left",
                "right",
                "bottom",
                "top",
                source=self.sources[name],
                fill_color=color,
                fill_alpha=0.8,
                line_color=None,
                name=f"overview-{name}",
            )
            fig.text(
                [left + 8],
                [bottom + height - 5],
                [title],
                text_font_size="11px",
                text_color="#444444",
                text_baseline="top",
                name=f"overview-{name}-title",
            )
            texts["x"].append(left + width - 8)
            texts["y"].append(bottom + 14)
            texts["text"].append("-")
        self.sources["loss-values"] = ColumnDataSource(texts)
        fig.text(
            "x",
            "y",
            "text",
            source=self.sources["loss-values"],
            text_align="right",
            text_baseline="middle",
            text_font_size="12px",
            text_font_style="bold",
            text_color="#333333",
            name="overview-loss-values",
        )

    def _arrow_data(self) -> dict:
        """A triangle at the end of every edge, pointing along its last segment."""
        xs, ys, angles = [], [], []
        for pts in self.graph.EDGE_POINTS.values():
            (x0, y0), (x1, y1) = pts[-2], pts[-1]
            direction = math.atan2(y1 - y0, x1 - x0)
            xs.append(x1 - 4 * math.cos(direction))
            ys.append(y1 - 4 * math.sin(direction))
            angles.append(direction - math.pi / 2)  # the triangle marker points up at angle 0
        n = len(xs)
        return {"x": xs, "y": ys, "angle": angles, "color": [EDGE_COLOR] * n, "alpha": [1.0] * n}

    # -- highlighting -----------------------------------------------------------------------------------
    def set_phase(self, phase: str | None, substep: SubStep | None = None) -> None:
        """Highlight a training phase ('discriminator' / 'generator'), one slow-motion sub-step of it, or
        nothing (None: idle). The phase's data-flow edges take its colour; the rest are dimmed."""
        if substep is not None:
            if phase not in (None, substep.phase):
                raise ValueError(f"sub-step {substep.label!r} is not in the {phase} phase")
            phase = substep.phase
        g = self.graph
        if phase not in (None, *g.PHASES):
            raise ValueError(f"phase must be None or one of {', '.join(g.PHASES)}, got {phase!r}")
        if getattr(self, "_styled", None) == (phase, substep):
            return  # called every frame while playing: resend the styles only when they change
        self._styled = (phase, substep)
        with param.edit_constant(self):
            self.phase = phase
        self.substep = substep

        color, width, alpha = [], [], []
        for name in self.edges.data["name"]:
            if phase is None:
                style = (EDGE_COLOR, 2.0, 1.0)
            elif substep is not None and name in substep.edges:
                style = (g.PHASE_COLORS[phase], 4.5, 1.0)
            elif phase in g.EDGES[name]:
                style = (g.PHASE_COLORS[phase], 2.0 if substep else 4.0, 0.35 if substep else 1.0)
            else:
                style = (EDGE_COLOR, 2.0, 0.3)
            color.append(style[0])
            width.append(style[1])
            alpha.append(style[2])
        self.edges.data.update(color=color, width=width, alpha=alpha)
        self.arrows.data.update(color=color, alpha=alpha)

        line_color, line_width, line_alpha, veil = [], [], [], []
        involved = set(substep.components) if substep is not None else set()
        for name in self.nodes.data["name"]:
            if name in involved:
                border = (g.PHASE_COLORS[phase], 3.0, 1.0)
            elif name in g.NETWORKS:
                # GAN Lab greys out the network that the highlighted phase does not train
                trained = substep is None and g.NETWORKS[name] == phase
                idle = phase is None or substep is not None
                own = g.PHASE_COLORS[g.NETWORKS[name]]
                border = (own if idle or trained else EDGE_COLOR, 3.0, 1.0 if trained else 0.5)
            elif substep is None and phase is not None and g.LOSS_PHASES.get(name) == phase:
                border = (g.PHASE_COLORS[phase], 2.0, 1.0)
            else:
                border = (BORDER_COLOR, 1.0, 1.0)
            line_color.append(border[0])
            line_width.append(border[1])
            line_alpha.append(border[2])
            veil.append(0.6 if substep is not None and name not in involved else 0.0)
        self.nodes.data.update(line_color=line_color, line_width=line_width, line_alpha=line_alpha, veil=veil)

        titles = self.titles.data["name"]
        self.titles.data.update(
            color=["#000000" if n in involved else "#b0b0b0" if substep else "#444444" for n in titles],
            style=["bold" if n in involved else "normal" for n in titles],
        )

    # -- frames -----------------------------------------------------------------------------------------
    def update(self, frame: Frame) -> None:
        """Draw a Frame: only assigns new arrays to the data sources."""
        self._name_predictions(critic=frame.heatmap_scale.kind == "critic")
        self._set_if_changed("noise", self._noise_points(frame.noise))
        real_moved = self._set_if_changed("real", frame.real)
        self._set_points("fake", frame.fake)
        self._set_points("generator", self._manifold_path(frame.manifold))
        self.channel.send(self.sources["discriminator"], image=[np.asarray(frame.heatmap, dtype=np.float32)])
        self._set_predictions("real-predictions", frame.real, frame.real_predictions, moved=real_moved)
        self._set_predictions("fake-predictions", frame.fake, frame.fake_predictions, moved=True)
        self._set_losses(frame.discriminator_loss, frame.generator_loss)
        self._march()

    def _march(self) -> None:
        """GAN Lab's "marching" dashes: every new frame shifts the dash pattern along each edge."""
        self._marching = (self._marching - 3) % 11
        count = len(self.graph.EDGE_POINTS)
        self.channel.send(self.edges, dash_offset=np.full(count, self._marching, dtype=np.float32))

    def _name_predictions(self, critic: bool) -> None:
        """D(real) and D(fake) are probabilities; a critic's (hinge, WGAN-GP) are scores f(real), f(fake)."""
        if getattr(self, "_critic_titles", False) == critic:
            return
        self._critic_titles = critic
        prediction_titles = {"real-predictions": "f(real)", "fake-predictions": "f(fake)"} if critic else {}
        titles = [prediction_titles.get(n, self.graph.NODES[n][4]) for n in self.titles.data["name"]]
        self.titles.data.update(text=titles)

    def _set_points(self, name: str, points: np.ndarray) -> None:
        x, y = self.graph.place(name, np.asarray(points, dtype=np.float32))
        self.channel.send(self.sources[name], x=x, y=y)

    def _set_if_changed(self, name: str, points: np.ndarray) -> bool:
        """Real samples and noise change only on a reset: skip shipping them again. Returns whether they moved."""
        previous = self._shown.get(name)
        if previous is not None and previous.shape == points.shape and np.array_equal(previous, points):
            return False
        self._shown[name] = np.array(points, dtype=np.float32)
        self._set_points(name, points)
        return True

    def _set_predictions(self, name: str, points: np.ndarray, predictions: np.ndarray, moved: bool) -> None:
        source, p = self.sources[name], np.asarray(predictions, dtype=np.float32).ravel()
        if not moved and self._prediction_counts.get(name) == len(p):
            self.channel.send(source, p=p)  # the samples did not move: ship only their colours
            return
        x, y = self.graph.place(name, np.asarray(points, dtype=np.float32))
        self.channel.send(source, x=x, y=y, p=p)
        self._prediction_counts[name] = len(p)

    def _noise_points(self, noise: np.ndarray) -> np.ndarray:
        noise = np.asarray(noise, dtype=np.float32)
        if noise.shape[1] == 1:  # 1D noise lies on a horizontal line through the middle
            return np.column_stack([noise[:, 0], np.full(len(noise), 0.5)])
        return noise[:, :2]

    def _manifold_path(self, manifold: np.ndarray) -> np.ndarray:
        """The manifold's grid lines (or its curve for 1D noise) as one NaN-separated path."""
        manifold = np.asarray(manifold, dtype=np.float32)
        if manifold.ndim == 2:
            return manifold
        rows, cols = manifold.shape[:2]
        index = self._manifold_index.get((rows, cols))
        if index is None:
            index = self._manifold_index[(rows, cols)] = grid_path_index(rows, cols)
        path = manifold.reshape(-1, 2)[np.maximum(index, 0)]
        path[index < 0] = np.nan
        return path

    def _set_losses(self, *losses: float) -> None:
        """Each loss node's bar and value (the graph's LOSS_NODES, in order)."""
        values = []
        for name, loss in zip(self.graph.LOSS_NODES, losses, strict=True):
            left, _, width, _, _ = self.graph.NODES[name]
            start = left + 8
            self.channel.send(self.sources[name], right=np.array([start + loss_fraction(loss) * (width - 66)]))
            values.append(f"{loss:.3f}" if math.isfinite(loss) else "-")
        self.channel.send(self.sources["loss-values"], text=values)

    def __panel__(self):
        return self._pane
