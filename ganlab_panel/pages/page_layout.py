"""The GAN Lab page on one screen, as GAN Lab arranges it: a slim top bar (the controls, the counter, the
data thumbnails), then the model overview graph with its hyperparameters edited around it and the charts
under it, beside the layered distributions view, large. Everything else opens from the top bar in a drawer
that covers the overview, never the layered view: more settings, save and load, the timeline, help.
Notices are toasts. Pure composition; the app owns every widget and view."""

from __future__ import annotations

import panel as pn

from ganlab_panel.core.settings import SETTING_GROUPS
from ganlab_panel.pages.drawers import Drawers, toast_styles
from ganlab_panel.pages.overview_editors import STRIP_SETTINGS, overview_editors
from ganlab_panel.views.actions import held
from ganlab_panel.views.explanations import explain
from ganlab_panel.views.settings import GROUP_TOPICS
from ganlab_panel.views.text import OVERVIEW_TOPICS, SPACE_NOTE, about, note, title

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


def layered_side(width: int, height: int) -> int:
    """The layered view's side for a page of `width` x `height` pixels (0 x 0: not known yet)."""
    if width <= 0 or height <= 0:
        return 440
    low, high = LAYERED_SIDES
    return int(max(low, min(high, height - CHROME_HEIGHT, width - OVERVIEW_ROOM)))


MORE_SETTINGS = tuple(name for names in SETTING_GROUPS.values() for name in names if name not in STRIP_SETTINGS)
"""The settings not edited around the overview graph: one drawer holds them."""
WRAP_CHECKBOXES = ".bk-input-group { flex-wrap: wrap; column-gap: 10px; }"
"""The layer toggles in rows under the square, as many as fit."""
HEADER = "<span style='font-size: 22px; white-space: nowrap'><b>GAN</b> Lab</span>"


def section(text: str, explanation: pn.pane.HTML) -> pn.Row:
    """A part's title with its explanations folded beside it: one click away, out of the way."""
    explanation.param.update(sizing_mode=None, width=170, margin=(14, 10))  # opens downwards, within its part
    return pn.Row(title(text), explanation)


def compare_link() -> pn.pane.HTML:
    """A link to compare mode, which `ganlab-panel serve` serves beside the app."""
    return pn.pane.HTML(
        "<a href='./compare' target='_blank' title='Two experiments side by side, same data and seed'>"
        "Compare two settings</a>",
        css_classes=["compare-link"],
        margin=(12, 8),
    )


def top_bar(app, drawers: Drawers) -> pn.FlexBox:
    """One or two lines: the training controls and the counter, then the data and the drawers' buttons."""
    step = pn.pane.HTML("<b>Step:</b>", margin=(12, 2, 0, 12))
    app.slow_toggle.jslink(app.pace_slider, value="visible")  # the pace matters only in slow motion
    app.pace_slider.visible = app.slow_motion
    return pn.FlexBox(
        pn.pane.HTML(HEADER, margin=(6, 12, 0, 8)),
        app.play_button,
        app.reset_button,
        step,
        *app.step_buttons.values(),
        app.slow_toggle,
        app.pace_slider,
        app.speed_slider,
        pn.pane.Bokeh(app.counter, margin=(12, 8)),
        pn.pane.Bokeh(app.rate, margin=(12, 8)),
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
    above, below = overview_editors(app)
    overview = pn.Column(
        above,
        app.overview,
        about("About each component of the model overview graph", *OVERVIEW_TOPICS),
        below,
        pn.Row(app.charts.loss_pane, app.charts.metric_pane, sizing_mode="stretch_width"),
        pn.pane.Bokeh(app.charts.mode_text, margin=(0, 10)),
        sizing_mode="stretch_width",
        min_width=560,
        css_classes=["overview-column"],
    )
    app.layered.checkboxes.param.update(
        inline=True, sizing_mode="stretch_width", margin=(0, 10), stylesheets=[WRAP_CHECKBOXES]
    )
    app.overview.responsive()
    for figure, pane in (
        (app.charts.loss_figure, app.charts.loss_pane),
        (app.charts.metric_figure, app.charts.metric_pane),
    ):
        figure.sizing_mode = pane.sizing_mode = "stretch_width"
    layered = pn.Column(
        section("Layered distributions", about("About the layers", "heatmap", "real", "fake", "gradients", "manifold")),
        pn.pane.Bokeh(app.layered.figure, css_classes=["layered-figure"]),
        app.layered.checkboxes,
        css_classes=["layered-column"],
    )
    window = app.window

    def fit(*_events) -> None:
        side = layered_side(window.page_width, window.page_height)
        app.layered.resize(side)
        for figure in (app.charts.loss_figure, app.charts.metric_figure):  # taller where the screen is
            figure.height = chart_height(window.page_height)
        layered.width = side + 30  # the toggles wrap under the square, the overview takes the rest

    fit()
    window.param.watch(held(fit), ["page_width", "page_height"])  # Bokeh models change inside a document hold
    app.notice.styles = toast_styles("right")
    app.divergence.styles = toast_styles("centre")
    app.caption.styles = {**app.caption.styles, **toast_styles("bottom")}
    app.caption.sizing_mode = None
    return pn.Column(
        top_bar(app, drawers),
        pn.Row(overview, layered, sizing_mode="stretch_width", css_classes=["main-band"]),
        *drawers.panels,
        app._drawing_box,
        app.notice,
        app.divergence,
        app.caption,
        sizing_mode="stretch_width",
    )


def more_settings(app) -> pn.Column:
    """The settings the overview graph does not show, with what they do."""
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
    return pn.Column(
        note(explain("distribution")),
        about("About the controls", "step", "slow_motion", "timeline", SPACE_NOTE),
        about("About each component of the overview", *OVERVIEW_TOPICS),
        about("About the layered view's layers", "heatmap", "real", "fake", "gradients", "manifold"),
        about("About the charts", "loss_charts", "divergences"),
        *(about(f"About the {group.lower()} settings", *topics) for group, topics in GROUP_TOPICS.items()),
        sizing_mode="stretch_width",
    )
