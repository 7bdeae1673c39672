"""The layered distributions view: heatmap, real samples, gradients, fake samples and manifold in one square."""

from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.core.property.vectorization import expr
from bokeh.models import ColorBar, ColumnDataSource, CustomJSExpr, FixedTicker, LinearColorMapper

from ganlab_panel.core.frame import Frame, HeatmapScale
from ganlab_panel.render.colors import FAKE_COLOR, HEATMAP_PALETTE, REAL_COLOR
from ganlab_panel.render.layers import ARROW_SCALE, cell_alpha, gradient_arrows, manifold_cells, manifold_lines
from ganlab_panel.views.actions import held
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.style import unit_square_figure

# Bokeh's patches need a list of arrays, and 400 small arrays cost ~16 ms to serialize (one buffer each),
# while one (400, 4) array costs ~0.1 ms: ship corners as 2-D arrays and split them into rows in the browser.
_ROWS_JS = """
const column = this.data[name]
if (column.shape == null || column.shape.length != 2) return column
const [rows, width] = column.shape
// a plain typed array over the same memory: subarray() on Bokeh's NDArray subclass calls its constructor with
// the whole buffer, so every row would be the whole column (each cell drawn as the whole grid)
const Plain = column instanceof Float32Array ? Float32Array : Float64Array
const flat = new Plain(column.buffer, column.byteOffset, column.length)
const out = new Array(rows)
for (let i = 0; i < rows; i++) out[i] = flat.subarray(i * width, (i + 1) * width)
return out
"""


def _rows(name: str):
    """An expression giving a (rows, width) column as a list of rows, computed in the browser."""
    return expr(CustomJSExpr(args={"name": name}, code=_ROWS_JS))


LAYERS = {  # toggle parameter -> the label of its checkbox
    "show_heatmap": "Discriminator heatmap",
    "show_real": "Real samples",
    "show_gradients": "Generator gradients",
    "show_fake": "Fake samples",
    "show_manifold": "Generator manifold",
}


def legend_labels(scale: HeatmapScale) -> tuple[str, dict]:
    """The heatmap colour bar's title and its labels at 0, 0.5 and 1 for a frame's heatmap scale."""
    if scale.kind == "probability":
        return "Discriminator output D(x)", {0: "fake", 0.5: "0.5", 1: "real"}
    title = "Critic f(x), the discriminator's logit"
    if scale.centred:
        title = "Critic f(x) minus its median over the square"
    return title, {0: f"-{scale.scale:g}", 0.5: "0", 1: f"+{scale.scale:g}"}


class ToggledLayers(pn.viewable.Viewer):
    """What both layered views share (a GAN's here, a flow's in flow_layered.py): a square figure whose layers
    each have a toggle parameter, a checkbox labelled by `_labels`, renderers (`self.renderers`) and a draw
    method (`self._draw`); `update(frame)` draws the shown layers, a hidden one catches up when shown."""

    size = param.Integer(400, bounds=(100, None), constant=True, doc="Side of the square plot in pixels")
    _labels: dict[str, str] = {}  # toggle parameter -> the label of its checkbox

    def _wire(self, fig) -> None:
        """Once the renderers and draw methods exist: the checkboxes, the toggles' watchers and the layout."""
        # One group rather than a Checkbox each: in a group, clicking a label's text toggles it too.
        self.checkboxes = pn.widgets.CheckBoxGroup(
            options={label: toggle for toggle, label in self._labels.items()}, value=self._shown(), inline=False
        )
        for toggle in self._labels:
            self._set_visible(toggle)
        self.param.watch(self._on_toggle, list(self._labels))
        # held: the layers' visibility, a layer drawn and the address go to the browser as one message
        self.checkboxes.param.watch(held(self._on_checkboxes), "value")
        # No autodispatch: in a notebook Panel would wrap the frame channel's acknowledgement callback (the packet
        # source hangs off this figure) in one that pushes the document and then leaves it held (it restores
        # "no hold" with doc.hold(None), which Bokeh ignores); the other acknowledgements of the same message
        # then stay held and never reach their callbacks: compare mode's side B drew once a second.
        self._layout = pn.Row(pn.pane.Bokeh(fig, autodispatch=False), pn.Column(self.checkboxes, margin=(10, 5)))

    def __panel__(self):
        return self._layout

    def resize(self, side: int) -> None:
        """Make the square `side` pixels a side (the page fits it to the screen)."""
        if self.figure.frame_width != side:
            self.figure.update(frame_width=side, frame_height=side)

    def update(self, frame) -> None:
        """Show `frame`; hidden layers are skipped and catch up when shown again."""
        self._frame = frame
        for toggle, draw in self._draw.items():
            if getattr(self, toggle):
                draw(frame)

    # -- toggles -------------------------------------------------------------------------------------
    def _set_visible(self, toggle: str) -> None:
        for renderer in self.renderers[toggle]:
            renderer.visible = getattr(self, toggle)

    def _shown(self) -> list[str]:
        return [toggle for toggle in self._labels if getattr(self, toggle)]

    def _on_toggle(self, *events) -> None:
        for event in events:
            self._set_visible(event.name)
            if event.new and self._frame is not None:
                self._draw[event.name](self._frame)
        self.checkboxes.value = self._shown()

    def _on_checkboxes(self, event) -> None:
        self.param.update({toggle: toggle in event.new for toggle in self._labels})


class LayeredView(ToggledLayers):
    """GAN Lab's layered distributions: every layer a Bokeh renderer whose data `update(frame)` replaces."""

    show_heatmap = param.Boolean(True, doc="Show the discriminator's output D(x) over the square")
    show_real = param.Boolean(True, doc="Show the real samples")
    show_gradients = param.Boolean(True, doc="Show where each fake sample is pushed to look more real")
    show_fake = param.Boolean(True, doc="Show the fake samples")
    show_manifold = param.Boolean(False, doc="Show the generator's manifold: the noise grid pushed through G")
    arrow_scale = param.Number(
        ARROW_SCALE, bounds=(0, None), doc="Arrow length per unit of gradient, in unit-square lengths (GAN Lab: 0.15)"
    )
    _labels = LAYERS

    def __init__(self, channel: FrameChannel | None = None, **params):
        super().__init__(**params)
        self.channel = channel or FrameChannel()
        self._frame: Frame | None = None
        self._shown_real: np.ndarray | None = None
        self.figure = fig = unit_square_figure(self.size, name="layered")
        self.sources = {
            "heatmap": ColumnDataSource({"image": [np.full((1, 1), 0.5, dtype=np.float32)]}),
            "real": ColumnDataSource({"x": [], "y": []}),
            "gradients": ColumnDataSource({"x0": [], "y0": [], "x1": [], "y1": [], "angle": []}),
            "fake": ColumnDataSource({"x": [], "y": []}),
            "manifold": ColumnDataSource({"cell_x": np.empty((0, 4)), "cell_y": np.empty((0, 4)), "alpha": []}),
            "manifold_grid": ColumnDataSource({"x": [], "y": []}),
        }
        s = self.sources
        self.color_mapper = LinearColorMapper(palette=HEATMAP_PALETTE, low=0, high=1)
        heatmap = fig.image(
            image="image",
            x=0,
            y=0,
            dw=1,
            dh=1,
            source=s["heatmap"],
            color_mapper=self.color_mapper,
            global_alpha=0.75,
            name="heatmap",
        )
        real = fig.scatter("x", "y", source=s["real"], size=4, color=REAL_COLOR, alpha=0.8, name="real-samples")
        gradient_style = {"source": s["gradients"], "color": FAKE_COLOR, "alpha": 0.55}
        gradients = fig.segment("x0", "y0", "x1", "y1", line_width=1.2, name="gradients", **gradient_style)
        heads = fig.scatter(
            "x1", "y1", marker="triangle", angle="angle", size=4, line_width=0, name="gradient-heads", **gradient_style
        )
        fake = fig.scatter("x", "y", source=s["fake"], size=4, color=FAKE_COLOR, name="fake-samples")
        cells = fig.patches(
            xs=_rows("cell_x"),
            ys=_rows("cell_y"),
            source=s["manifold"],
            fill_color=FAKE_COLOR,
            fill_alpha="alpha",
            line_width=0,
            name="manifold",
        )
        grid = fig.line(
            "x", "y", source=s["manifold_grid"], color=FAKE_COLOR, line_width=0.6, alpha=0.6, name="manifold-grid"
        )
        self._legend_labels = title, labels = legend_labels(HeatmapScale())
        self.legend = ColorBar(
            color_mapper=self.color_mapper,
            name="heatmap-legend",
            orientation="horizontal",
            ticker=FixedTicker(ticks=[0, 0.5, 1]),
            major_label_overrides=labels,
            title=title,
            height=8,
            padding=4,
        )
        fig.add_layout(self.legend, "below")
        self.renderers = {
            "show_heatmap": [heatmap, self.legend],
            "show_real": [real],
            "show_gradients": [gradients, heads],
            "show_fake": [fake],
            "show_manifold": [cells, grid],
        }
        self._draw = {
            "show_heatmap": self._draw_heatmap,
            "show_real": self._draw_real,
            "show_gradients": self._draw_gradients,
            "show_fake": self._draw_fake,
            "show_manifold": self._draw_manifold,
        }
        self._wire(fig)
        self.param.watch(self._on_arrow_scale, "arrow_scale")

    def _draw_heatmap(self, frame: Frame) -> None:
        self.channel.send(self.sources["heatmap"], image=[np.asarray(frame.heatmap, dtype=np.float32)])
        labels = legend_labels(frame.heatmap_scale)
        if labels != self._legend_labels:  # a model change reaches the browser apart from the frame: only when needed
            self._legend_labels = labels
            self.legend.update(title=labels[0], major_label_overrides=labels[1])

    def _draw_real(self, frame: Frame) -> None:
        # The real samples shown stay the same for a whole experiment: skip resending them.
        if self._shown_real is not None and np.array_equal(self._shown_real, frame.real):
            return
        self._shown_real = frame.real
        self.channel.send(self.sources["real"], x=frame.real[:, 0], y=frame.real[:, 1])

    def _draw_fake(self, frame: Frame) -> None:
        fake = np.asarray(frame.fake, dtype=np.float32)
        self.channel.send(self.sources["fake"], x=fake[:, 0], y=fake[:, 1])

    def _draw_gradients(self, frame: Frame) -> None:
        start, end = gradient_arrows(frame.fake, frame.gradients, self.arrow_scale)
        arrow = end - start
        self.channel.send(
            self.sources["gradients"],
            x0=start[:, 0],
            y0=start[:, 1],
            x1=end[:, 0],
            y1=end[:, 1],
            angle=np.arctan2(arrow[:, 1], arrow[:, 0]) - np.pi / 2,  # a triangle marker points up at 0
        )

    def _draw_manifold(self, frame: Frame) -> None:
        manifold = np.asarray(frame.manifold, dtype=np.float32)
        if manifold.ndim == 2:  # 1D noise: a curve, no cells
            empty = np.empty((0, 4), dtype=np.float32)
            self.channel.send(self.sources["manifold"], cell_x=empty, cell_y=empty, alpha=np.empty(0, np.float32))
            self.channel.send(self.sources["manifold_grid"], x=manifold[:, 0], y=manifold[:, 1])
            return
        xs, ys = manifold_cells(manifold)
        alpha = cell_alpha(np.asarray(frame.manifold_stretch, dtype=np.float32).ravel())
        self.channel.send(self.sources["manifold"], cell_x=xs, cell_y=ys, alpha=alpha)
        lines = manifold_lines(manifold)
        self.channel.send(self.sources["manifold_grid"], x=lines[:, 0], y=lines[:, 1])

    def _on_arrow_scale(self, _event) -> None:
        if self._frame is not None and self.show_gradients:
            self._draw_gradients(self._frame)
