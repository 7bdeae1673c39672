"""One side of a comparison: an experiment's settings widgets, trainer, layered view and charts (a GAN's or a
flow's: a GAN may face a flow); and how the settings that differ between two sides read in the differences
table."""

from __future__ import annotations

import html

from bokeh.models import Div

from ganlab_panel.core import settings
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.settings import PAGE_GROUPS, SETTINGS
from ganlab_panel.pages.training_page import LiveFrames, SettingWidgets, counter_text
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.flow_layered import FlowLayeredView
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.layered import LayeredView

SHARED_SETTINGS = tuple(name for name in settings.SHARED_SETTINGS if name != "model")
"""The settings compare mode chooses once for both sides: the data and the seed, not the model (a GAN may face a
flow, on the same data from the same seed)."""
MODEL_SIDE_GROUPS = {
    model: {group: tuple(n for n in names if n not in SHARED_SETTINGS) for group, names in groups.items()}
    for model, groups in PAGE_GROUPS.items()
}
"""A model -> the settings cards of a side of that model."""
SIDE_GROUPS = MODEL_SIDE_GROUPS["gan"]
SIDE_SETTINGS = tuple(name for names in SIDE_GROUPS.values() for name in names)
"""The settings a GAN's side chooses for itself."""
MODEL_SIDE_SETTINGS = {
    model: tuple(name for names in groups.values() for name in names) for model, groups in MODEL_SIDE_GROUPS.items()
}
HIGHLIGHT = {"outline": "2px solid #e08a00", "background": "#fff3dc", "border-radius": "4px"}
"""How a setting that differs from the other side's is marked."""
VIEW_SIZE = 340
"""Each side's layered view: two of them, their charts and settings fit 1920 x 1080."""


def setting_title(name: str) -> str:
    """A setting's label, with whose it is where the label alone is ambiguous ('Generator: Learning rate')."""
    label, group = GanConfig.param[name].label, SETTINGS[name].group
    if group in ("Generator", "Discriminator") and name != "pack":
        return f"{group}: {label}"
    return label


def setting_text(name: str, value) -> str:
    """A setting's value as its widget shows it ('Least squares', '0.01')."""
    for option, label in (SETTINGS[name].options or {}).items():
        if option == value:
            return label
    return f"{value:g}" if isinstance(value, float) else str(value)


def differences(a: GanConfig, b: GanConfig) -> list[tuple[str, str, str]]:
    """(title, A's value, B's value) for each side setting where the two configurations differ; a GAN and a flow
    differ by their model (their settings are of different things)."""
    names = ("model",) if a.model != b.model else MODEL_SIDE_SETTINGS[a.model]
    return [
        (setting_title(n), setting_text(n, getattr(a, n)), setting_text(n, getattr(b, n)))
        for n in names
        if getattr(a, n) != getattr(b, n)
    ]


def differences_html(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return "<i>A and B have the same settings: change one on either side to compare.</i>"
    cells = "".join(
        f"<tr><td>{html.escape(title)}</td><td><b>{html.escape(a)}</b></td><td><b>{html.escape(b)}</b></td></tr>"
        for title, a, b in rows
    )
    head = "<tr><th align='left'>Setting</th><th align='left'>A</th><th align='left'>B</th></tr>"
    return f"<table class='differences-table' style='border-spacing: 12px 2px'>{head}{cells}</table>"


class Side:
    """One experiment of a comparison, labelled 'A' or 'B': its configuration, the trainer that follows it (made
    by the caller: views never build one) and its views. Its widgets' changes go to `apply(values)`."""

    def __init__(self, label: str, config: GanConfig, trainer, apply, notify, error):
        self.label, self.config, self.trainer = label, config, trainer
        self.model = config.model  # chosen when compare mode opens: its views are that model's
        self.frames = LiveFrames(trainer)  # a flow's density every few frames while playing
        self.frame: Frame | FlowFrame | None = None
        key = label.lower()
        self.channel = FrameChannel()
        layered = FlowLayeredView if self.model == "flow" else LayeredView
        self.layered = layered(channel=self.channel, size=VIEW_SIZE)
        self.charts = ChartsView(channel=self.channel, model=self.model)
        self.channel.attach(self.layered.figure)
        # names the browser tests find each side's plots by (the renderers' own names repeat on both sides)
        self.layered.figure.name = f"layered-{key}"
        self.charts.loss_figure.name, self.charts.metric_figure.name = f"loss-{key}", f"divergences-{key}"
        # fixed width: while playing the frame channel writes the text into the page without a new layout
        self.counter = Div(text="Iteration 0", css_classes=["iteration-counter", f"counter-{key}"], width=400)
        self.groups = MODEL_SIDE_GROUPS[self.model]
        self.settings = SettingWidgets(config, MODEL_SIDE_SETTINGS[self.model], apply, notify, error)
        self.widgets = self.settings.widgets

    def show(self, frame: Frame | FlowFrame, packing: bool) -> None:
        """Draw `frame` (inside the caller's document hold); packed into one buffer while playing."""
        self.frame = frame
        self.channel.packing = packing
        self.layered.update(frame)
        self.charts.update(frame)
        self.channel.set_text(self.counter, counter_text(frame))
        self.channel.flush()

    def commit(self) -> None:
        """Bring the server's models up to what the browser shows (when playing stops)."""
        self.channel.packing = False
        self.channel.commit()

    def follow(self, name: str, value) -> None:
        """Show a setting changed in the configuration (not by its widget)."""
        self.settings.follow(name, value)

    def highlight(self, names: set[str]) -> None:
        """Mark the widgets of `names` (the settings that differ from the other side), unmark the rest."""
        for name, widget in self.widgets.items():
            differs = name in names
            classes = [c for c in widget.css_classes if c != "differs"] + (["differs"] if differs else [])
            if classes != widget.css_classes:
                widget.param.update(css_classes=classes, styles=HIGHLIGHT if differs else {})
