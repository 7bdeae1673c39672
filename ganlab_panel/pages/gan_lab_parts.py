"""The GAN Lab page's parts: its toolbar's widgets, the setting widgets, the model's and the distribution's choosers
and the GAN's views (a flow's come with its FlowPart, flow_page.py). Built once per page; `page_layout.page`
places them."""

from __future__ import annotations

import panel as pn
from bokeh.models import Div

from ganlab_panel.core import presets
from ganlab_panel.core.settings import SETTING_GROUPS
from ganlab_panel.pages.training_page import SettingWidgets
from ganlab_panel.serving.page_hooks import SpaceKey, WindowSize
from ganlab_panel.views.actions import held, on_click
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.distribution_picker import DistributionPicker
from ganlab_panel.views.downloads import Downloads
from ganlab_panel.views.drawing import DrawingSurface
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.layered import LayeredView
from ganlab_panel.views.overview import OverviewView
from ganlab_panel.views.settings import setting_widget

COMPACT_BUTTONS = ".bk-btn { padding: 6px 8px; }"
"""The model's toggle reads 'GAN | Flow matching' in 170 pixels: the top bar's second line is full."""


def build_parts(page) -> None:
    """Give the GanLab `page` its widgets and views, wired to its actions."""
    page.step_buttons = {}
    for label, action in (
        ("Generator", page.step_generator),
        ("Discriminator", page.step_discriminator),
        ("Both", page.step_both),
    ):
        width = {"Generator": 92, "Discriminator": 112, "Both": 60}[label]
        page.step_buttons[label] = pn.widgets.Button(label=label, width=width, css_classes=[f"step-{label.lower()}"])
        on_click(page.step_buttons[label], action)
    page.slow_toggle = pn.widgets.Toggle.from_param(
        page.param.slow_motion, label="Slow motion", width=105, css_classes=["slow-motion"]
    )
    page.pace_slider = pn.widgets.FloatSlider.from_param(
        page.param.pace, label="Pace (s per sub-step)", start=0.25, end=5, step=0.25, width=160
    )
    # Bokeh Divs rather than Panel widgets: the counter changes every frame, and the frame channel ships a
    # Div's text with the frame's data (a Panel widget update cost ~1 ms of server CPU); fixed widths,
    # because the text is written into the page without a new layout
    page.counter = Div(text="Iteration 0", css_classes=["iteration-counter"], width=390, styles={"font-size": "12px"})
    page.rate = Div(text="paused", css_classes=["iterations-per-second"], width=110)
    page.space_key = SpaceKey(width=0, height=0, margin=0)
    page.window = WindowSize(width=0, height=0, margin=0)
    page.space_key.param.watch(held(lambda _: page.toggle()), "presses")
    page.caption = pn.pane.HTML(
        "",
        visible=False,
        css_classes=["slow-motion-caption"],
        name="slow-motion-caption",
        styles={"font-size": "15px", "background": "#eef4fa", "border-radius": "4px", "padding": "2px 10px"},
        sizing_mode="stretch_width",
        margin=(0, 10),
    )
    page.csv_input = pn.widgets.FileInput(accept=".csv,.txt", css_classes=["load-csv"], width=230, margin=(5, 10))
    page.csv_input.param.watch(lambda event: page.files.load_csv(event.new, page.csv_input.filename), "value")
    page.pretrained_button = pn.widgets.Button(
        label="Use pretrained model", css_classes=["use-pretrained"], width=170, margin=(5, 8)
    )
    on_click(page.pretrained_button, page.load_pretrained)
    page.downloads = Downloads(export=page.export, on_upload=held(page.load_checkpoint))
    names = [name for group in SETTING_GROUPS.values() for name in group]
    page.settings = SettingWidgets(page.config, names, page.config.update, page._notify, page._error)
    page._setting_widgets = page.settings.widgets
    page.model_toggle = setting_widget(page.config, "model")  # GAN | Flow matching
    page.model_toggle.param.update(sizing_mode=None, width=170, margin=(10, 10), stylesheets=[COMPACT_BUTTONS])
    page.settings.add("model", page.model_toggle)
    page.picker = DistributionPicker(value=page.config.distribution)
    page.picker.param.watch(held(lambda event: on_distribution(page, event.new)), "value")
    page.drawing = DrawingSurface(on_apply=page.apply_drawing)
    close = pn.widgets.Button(label="Close", css_classes=["close-drawing"], width=70, align="end")
    close.on_click(lambda _event: setattr(page._drawing_box, "visible", False))
    csv = pn.pane.HTML("Or learn the points of a CSV file (x, y columns):", margin=(8, 10, 0, 10))
    # opens from the chooser's drawing thumbnail: draw points, or bring them in a file
    page._drawing_box = pn.Column(
        pn.Row(pn.pane.Markdown("### Draw your own distribution", margin=(0, 10)), pn.layout.HSpacer(), close),
        page.drawing,
        csv,
        page.csv_input,
        visible=page.config.distribution == "drawing",
        width=420,
    )
    page.channel = FrameChannel()
    page.overview = OverviewView(channel=page.channel)
    page.layered = LayeredView(channel=page.channel)
    page.charts = ChartsView(channel=page.channel)
    page.channel.attach(page.layered.figure)
    # the views of the model shown (flow_page.show_model switches them); the layout's slots, once it is built
    page.views = {"gan": (page.overview, page.layered, page.charts)}
    page.shown_model, page.flow_part, page.slots = "gan", None, {}


def on_distribution(page, choice: str) -> None:
    """A distribution chosen in the picker: GAN Lab's settings for it (a flow takes the data only)."""
    page._drawing_box.visible = choice == "drawing"
    # points come with Apply or a file, never from a button alone; a change made in the settings keeps them
    if choice in ("drawing", "points") or page._following_config:
        return
    settings = presets.preset(choice)
    unchanged = all(getattr(page.config, k) == v for k, v in settings.items())
    try:
        page.config.update(settings)
    except ValueError as error:
        page._error(str(error))
        return
    if unchanged:  # chosen again: start it anew, as GAN Lab reloads the distribution
        page.reset()
