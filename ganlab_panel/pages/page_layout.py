"""The GAN Lab page on one screen, as GAN Lab arranges it: a slim top bar (the controls, the counter, the
data thumbnails), then the model overview graph with its hyperparameters edited around it and the charts
under it, beside the layered distributions view, large. Everything else opens from the top bar in a drawer
that covers the overview, never the layered view: more settings, save and load, the timeline, help.
Notices are toasts. The model's parts (the step buttons, the overview column, the layered column, two drawers)
sit in slots that switching between a GAN and a flow refills (flow_layout.py has the flow's). Pure composition;
the app owns every widget and view."""

from __future__ import annotations

import html

import panel as pn

from ganlab_panel.core.config import EFFECTS
from ganlab_panel.core.settings import SETTING_GROUPS
from ganlab_panel.pages import flow_layout
from ganlab_panel.pages.drawers import Drawers, toast_styles
from ganlab_panel.pages.overview_editors import STRIP_SETTINGS, overview_editors
from ganlab_panel.serving.url_state import compare_query
from ganlab_panel.views.actions import held
from ganlab_panel.views.explanations import explain
from ganlab_panel.views.settings import GROUP_TOPICS
from ganlab_panel.views.style import WRAP_CHECKBOXES
from ganlab_panel.views.text import OVERVIEW_TOPICS, SPACE_NOTE, about, note, section

LAYERED_SIDES = (360, 820)
"""The layered view's square, smallest and largest: as large as the window allows beside the overview (466 px at
1366 x 768, 820 px at 1920 x 1080)."""
OVERVIEW_ROOM = 900
"""Pixels of width left for the overview column (its graph scales down to fit, its strips wrap)."""
CHROME_HEIGHT = 250
"""Pixels of height the top bar, the view's title, legend and toggles take beside the square."""


def chart_height(height: int) -> int:
    """The charts' height under the overview for a window `height` pixels tall: 160 px on a laptop, taller
    on a larger screen (the layered view beside them grows with it)."""
    return int(max(160, min(320, height - 760 + 160))) if height > 0 else 160


def layered_side(width: int, height: int, model: str = "gan") -> int:
    """The layered view's side for a page of `width` x `height` pixels (0 x 0: not known yet); a flow's view has
    its time row under it too."""
    if width <= 0 or height <= 0:
        return 440
    low, high = LAYERED_SIDES
    chrome = CHROME_HEIGHT + (flow_layout.TIME_ROW_HEIGHT if model == "flow" else 0)
    return int(max(low, min(high, height - chrome, width - OVERVIEW_ROOM)))


MORE_SETTINGS = tuple(name for names in SETTING_GROUPS.values() for name in names if name not in STRIP_SETTINGS)
"""The settings not edited around the overview graph: one drawer holds them."""
HEADER = "<span style='font-size: 22px; white-space: nowrap'><b>GAN</b> Lab</span>"
LAYER_TOPICS = ("heatmap", "real", "fake", "gradients", "manifold")


def compare_link() -> pn.pane.HTML:
    """A link to compare mode, which `ganlab-panel serve` serves beside the app."""
    return pn.pane.HTML(
        "<a href='./compare' target='_blank' title='Two experiments side by side, same data and seed'>"
        "Compare two settings</a>",
        css_classes=["compare-link"],
        margin=(12, 8),
    )


def model_compare_link(app) -> pn.pane.HTML:
    """'Compare with a flow' (on a GAN) or 'with a GAN' (on a flow): compare mode with a GAN beside a flow on this
    page's data and seed, each with this page's settings of its model; the link follows the settings."""
    link = pn.pane.HTML(css_classes=["compare-models"], margin=(4, 10), align="center")

    def follow(*_events) -> None:
        other = "a GAN" if app.config.model == "flow" else "a flow"
        title = "A GAN beside a flow matching model: same data, same seed, trained in step"
        link.object = (
            f"<a href='./compare?{html.escape(compare_query(app.config))}' target='_blank' title='{title}' "
            f"style='white-space: nowrap'>Compare with {other}</a>"
        )

    follow()
    app.config.param.watch(held(follow), list(EFFECTS))
    link.visible = app.served  # compare mode is served beside the page, not beside a notebook's cell
    return link


def top_bar(app, drawers: Drawers) -> pn.FlexBox:
    """One or two lines: the training controls and the counter, then the model, the data and the drawers'
    buttons."""
    app.slow_toggle.jslink(app.pace_slider, value="visible")  # the pace matters only in slow motion
    app.pace_slider.visible = app.slow_motion
    return pn.FlexBox(
        pn.pane.HTML(HEADER, margin=(6, 12, 0, 8)),
        app.play_button,
        app.reset_button,
        app.slots["steps"],
        app.slow_toggle,
        app.pace_slider,
        app.speed_slider,
        # the rate under the counter: the second line keeps room for the model's toggle
        pn.Column(pn.pane.Bokeh(app.counter, margin=(4, 8, 2, 8)), pn.pane.Bokeh(app.rate, margin=(0, 8)), margin=0),
        pn.Spacer(height=0, margin=0, styles={"flex-basis": "100%"}),  # the model starts the second line
        app.model_toggle,
        app.picker,
        app.pretrained_button,
        *drawers.buttons,
        app.space_key,
        app.window,
        css_classes=["toolbar"],
        align_items="center",
        sizing_mode="stretch_width",
    )


def page(app) -> pn.Column:
    drawers = Drawers(
        {
            "More settings": lambda: more_settings(app),
            "Save and load": lambda: save_and_load(app),
            "Timeline": lambda: pn.Column(app.timeline_bar, about("About the timeline", "timeline")),
            "Help": lambda: help_texts(app),
        }
    )
    app.drawers = drawers  # the page's drawers, for a caller that opens one (a test, a tour)
    app._drawing_box.param.update(styles=toast_styles("left", top="110px"), css_classes=["drawing-box"])
    app.compare_models = model_compare_link(app)
    app.slots = {
        "steps": pn.Row(margin=0),
        "overview": pn.Column(sizing_mode="stretch_width", min_width=560, css_classes=["overview-column"]),
        "layered": pn.Column(css_classes=["layered-column"]),
    }
    app.model_parts = {}  # model -> its objects of each slot, built the first time the page shows it
    window = app.window

    def fit(*_events) -> None:
        side = layered_side(window.page_width, window.page_height, app.shown_model)
        app.layered.resize(side)
        for figure in (app.charts.loss_figure, app.charts.metric_figure):  # taller where the screen is
            figure.height = chart_height(window.page_height)
        app.slots["layered"].width = side + 30  # the toggles wrap under the square, the overview takes the rest

    app.fit = fit
    fill_slots(app)
    window.param.watch(held(fit), ["page_width", "page_height"])  # Bokeh models change inside a document hold
    app.notice.styles = toast_styles("right")
    app.divergence.styles = toast_styles("centre")
    app.caption.styles = {**app.caption.styles, **toast_styles("bottom")}
    app.caption.sizing_mode = None
    return pn.Column(
        top_bar(app, drawers),
        pn.Row(app.slots["overview"], app.slots["layered"], sizing_mode="stretch_width", css_classes=["main-band"]),
        *drawers.panels,
        app._drawing_box,
        app.notice,
        app.divergence,
        app.caption,
        sizing_mode="stretch_width",
    )


def fill_slots(app) -> None:
    """Put the parts of the model the page shows in its slots (built the first time), its drawers anew."""
    model = app.shown_model
    if model not in app.model_parts:
        app.model_parts[model] = gan_parts(app) if model == "gan" else flow_layout.flow_parts(app)
    for slot, objects in app.model_parts[model].items():
        app.slots[slot].objects = objects
    app.pretrained_button.visible = model == "gan"  # GAN Lab's four shipped models are GANs
    for name in ("More settings", "Help"):
        app.drawers.rebuild(name)
    app.fit()


def gan_parts(app) -> dict[str, list]:
    """The GAN's objects of each slot: its step buttons, its overview column, its layered column."""
    above, below = overview_editors(app)
    app.overview.responsive()
    for figure, pane in (
        (app.charts.loss_figure, app.charts.loss_pane),
        (app.charts.metric_figure, app.charts.metric_pane),
    ):
        figure.sizing_mode = pane.sizing_mode = "stretch_width"
    app.layered.checkboxes.param.update(
        inline=True, sizing_mode="stretch_width", margin=(0, 10), stylesheets=[WRAP_CHECKBOXES]
    )
    return {
        "steps": [pn.pane.HTML("<b>Step:</b>", margin=(12, 2, 0, 12)), *app.step_buttons.values()],
        "overview": [
            above,
            app.overview,
            pn.Row(about("About each component of the model overview graph", *OVERVIEW_TOPICS), app.compare_models),
            below,
            pn.Row(app.charts.loss_pane, app.charts.metric_pane, sizing_mode="stretch_width"),
            pn.pane.Bokeh(app.charts.mode_text, margin=(0, 10)),
        ],
        "layered": [
            section("Layered distributions", about("About the layers", *LAYER_TOPICS)),
            pn.pane.Bokeh(app.layered.figure, css_classes=["layered-figure"]),
            app.layered.checkboxes,
        ],
    }


def more_settings(app) -> pn.Column:
    """The settings the overview graph does not show, with what they do."""
    if app.shown_model == "flow":
        return flow_layout.more_settings(app)
    widgets = [app._setting_widgets[name] for name in MORE_SETTINGS]
    return pn.Column(
        *([compare_link()] if app.served else []),
        *widgets,
        about("About these settings", *GROUP_TOPICS["Training"]),
        sizing_mode="stretch_width",
    )


def save_and_load(app) -> pn.Column:
    return pn.Column(
        app.downloads,
        pn.Row(app.url_state.copy_button, margin=(5, 5)),
        about("About saving and loading", "downloads"),
        sizing_mode="stretch_width",
        css_classes=["save-and-load"],
    )


def help_texts(app) -> pn.Column:
    """Every explanation, grouped by the part of the page it is about."""
    if app.shown_model == "flow":
        return flow_layout.help_texts()
    return pn.Column(
        note(explain("distribution")),
        about("About the controls", "step", "slow_motion", "timeline", SPACE_NOTE),
        about("About each component of the overview", *OVERVIEW_TOPICS),
        about("About the layered view's layers", *LAYER_TOPICS),
        about("About the charts", "loss_charts", "divergences"),
        *(about(f"About the {group.lower()} settings", *topics) for group, topics in GROUP_TOPICS.items()),
        sizing_mode="stretch_width",
    )
