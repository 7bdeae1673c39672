"""Loss and divergence curves over iterations: append-only, bounded, cleared when the experiment restarts."""

from __future__ import annotations

import math
import time

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, Div, Span
from bokeh.plotting import figure

from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.history import History
from ganlab_panel.render.colors import DISCRIMINATOR_COLOR, GENERATOR_COLOR
from ganlab_panel.views.frame_channel import FrameChannel

KL_COLOR = "#d95f02"
JS_COLOR = "#555555"

METRIC_COLUMNS = ("iteration", "kl", "js")
LOSS_LINES = {
    "gan": (
        ("discriminator_loss", "discriminator-loss", "Discriminator", DISCRIMINATOR_COLOR),
        ("generator_loss", "generator-loss", "Generator", GENERATOR_COLOR),
    ),
    "flow": (("loss", "flow-loss-line", "Velocity network", DISCRIMINATOR_COLOR),),
}
"""Each model's loss lines: (the history's series, the renderer's name, the legend's label, colour)."""
FAKE_NAMES = {"gan": "fake", "flow": "samples"}
FLOW_LOSS_PERIOD_S = 0.25
"""A flow's loss chart takes a point at most this often, as a GAN's with its frames' KL and JS: a flow's KL and
JS come every few seconds (they cost ~150 ms), and take a point with each frame that carries them."""


def _chart(title: str, width: int, height: int):
    fig = figure(
        title=title,
        width=width,
        height=height,
        toolbar_location=None,
        tools="",
        x_axis_label="iteration",
        min_border_left=40,
        background_fill_color="white",
    )
    fig.title.text_font_size = "10pt"
    fig.axis.axis_label_text_font_size = "9pt"
    fig.axis.major_label_text_font_size = "8pt"
    fig.xaxis.axis_label_standoff = 2
    fig.grid.grid_line_alpha = 0.4
    return fig


def mode_summary(metrics: dict) -> str:
    """One line of mode-collapse figures (VEEGAN/PacGAN), or '' when the distribution has no known modes."""
    if "modes" not in metrics:
        return ""
    return (
        f"Modes captured {metrics['modes']} of {metrics['modes_total']} · "
        f"high-quality samples {100 * metrics['high_quality']:.1f}% · mode KL {metrics['mode_kl']:.2f}"
    )


def _number(value) -> float:
    """A float for the chart; missing or non-numeric values become NaN (a gap in the line)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class ChartsView(pn.viewable.Viewer):
    """Two small line charts: the losses (a GAN's discriminator and generator, a flow's velocity network); KL and
    JS divergence (real vs fake samples)."""

    model = param.Selector(default="gan", objects=list(LOSS_LINES), constant=True, doc="Whose losses are charted")
    capacity = param.Integer(2000, bounds=(2, None), constant=True, doc="Most points kept per chart")
    width = param.Integer(320, bounds=(100, None), constant=True)
    height = param.Integer(160, bounds=(80, None), constant=True)

    def __init__(self, channel: FrameChannel | None = None, **params):
        super().__init__(**params)
        self.channel = channel or FrameChannel()
        self._loss_columns = ("iteration", *(line[0] for line in LOSS_LINES[self.model]))
        self.loss_source = ColumnDataSource({name: [] for name in self._loss_columns})
        self.metric_source = ColumnDataSource({name: [] for name in METRIC_COLUMNS})
        self.loss_figure = _chart("Loss", self.width, self.height)
        title = f"KL and JS divergence (real vs {FAKE_NAMES[self.model]})"
        self.metric_figure = _chart(title, self.width, self.height)
        self.loss_figure.name, self.metric_figure.name = "loss", "divergences"  # names the browser tests find
        for fig, source, lines in [
            (self.loss_figure, self.loss_source, LOSS_LINES[self.model]),
            (self.metric_figure, self.metric_source, [("kl", "kl", "KL", KL_COLOR), ("js", "js", "JS", JS_COLOR)]),
        ]:
            for column, name, label, color in lines:
                fig.line("iteration", column, source=source, color=color, line_width=1.5, legend_label=label, name=name)
            legend = fig.legend[0]
            fig.center.remove(legend)  # above the plot, where it hides no data
            fig.add_layout(legend, "above")
            legend.orientation = "horizontal"
            legend.location = "top_right"
            legend.label_text_font_size = "8pt"
            legend.padding = legend.margin = 0
            legend.border_line_alpha = 0
            legend.click_policy = "hide"
        # while scrubbing back through training, a line on both charts marks the iteration shown
        self.markers = []
        for fig in (self.loss_figure, self.metric_figure):
            self.markers.append(Span(location=math.nan, dimension="height", line_color="#444", line_dash="dashed"))
            fig.add_layout(self.markers[-1])
        self._last: tuple[int, int] | None = None  # (iteration, total steps) of the last point
        self._loss_at = -math.inf  # when a flow's loss chart last took a point
        # a mixture with known modes (ring8, grid25) also reports the mode-collapse figures, under the chart
        self.mode_text = Div(text="", css_classes=["mode-metrics"], width=self.width, height=36)
        self.loss_pane, self.metric_pane = pn.pane.Bokeh(self.loss_figure), pn.pane.Bokeh(self.metric_figure)
        self._layout = pn.Column(self.loss_pane, self.metric_pane, pn.pane.Bokeh(self.mode_text))

    def __panel__(self):
        return self._layout

    def clear(self) -> None:
        """Forget every point (a new experiment)."""
        empty = np.zeros(0, dtype=np.float32)
        self.channel.send(self.loss_source, **dict.fromkeys(self._loss_columns, empty))
        self.channel.send(self.metric_source, **dict.fromkeys(METRIC_COLUMNS, empty))
        self._last, self._loss_at = None, -math.inf

    def mark(self, iteration: float | None) -> None:
        """Mark an iteration on both charts (a past frame shown), or remove the mark (None)."""
        location = math.nan if iteration is None else float(iteration)
        for marker in self.markers:
            if not (math.isnan(location) and math.isnan(marker.location)) and marker.location != location:
                marker.location = location

    def reload(self, history: History) -> None:
        """Replace both charts' points by a trainer's history (training resumed from an earlier point)."""
        self.clear()
        for source, columns in ((self.loss_source, self._loss_columns), (self.metric_source, METRIC_COLUMNS)):
            x, _ = history.series(columns[1])
            data = {"iteration": x}
            for name in columns[1:]:
                xs, ys = history.series(name)
                data[name] = ys if len(xs) == len(x) else np.full(len(x), np.nan)
            self.channel.send(source, **{k: np.asarray(v[-self.capacity :], dtype=np.float32) for k, v in data.items()})

    def update(self, frame: Frame | FlowFrame) -> None:
        """Add a point for a frame that carries KL and JS (while playing, a few frames a second: a chart
        redrawn at every frame cost the browser more than it showed), and to a flow's loss chart every
        FLOW_LOSS_PERIOD_S; a step counter going backwards means a reset."""
        position = (frame.iteration, sum(frame.position[1:]))
        if self._last is not None and (position[0] < self._last[0] or position[1] < self._last[1]):
            self.clear()
        if position == self._last:
            return  # the same training state again (paused, diverged)
        loss_due = self.model == "flow" and time.monotonic() - self._loss_at >= FLOW_LOSS_PERIOD_S
        if not frame.metrics and not loss_due:
            return
        self._last, self._loss_at = position, time.monotonic()
        x = [float(frame.iteration)]
        losses = {column: getattr(frame, column) for column in self._loss_columns[1:]}
        self.channel.stream(
            self.loss_source, self.capacity, iteration=x, **{k: [_number(v)] for k, v in losses.items()}
        )
        if not frame.metrics:
            return
        metrics = {k: [_number(frame.metrics.get(k))] for k in ("kl", "js")}
        self.channel.stream(self.metric_source, self.capacity, iteration=x, **metrics)
        self.channel.set_text(self.mode_text, mode_summary(frame.metrics))
