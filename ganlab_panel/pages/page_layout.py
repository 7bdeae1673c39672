"""The page: where each part of the app goes. Pure composition; the app owns every widget and view."""

from __future__ import annotations

import panel as pn

from ganlab_panel.core.settings import SETTING_GROUPS
from ganlab_panel.views.explanations import explain
from ganlab_panel.views.settings import GROUP_TOPICS
from ganlab_panel.views.text import HEADER, OVERVIEW_NOTE, OVERVIEW_TOPICS, SPACE_NOTE, about, note, title


def compare_link() -> pn.pane.HTML:
    """A link to compare mode, which `ganlab-panel serve` serves beside the app."""
    return pn.pane.HTML(
        "<a href='./compare' target='_blank' title='Two experiments side by side, same data and seed'>"
        "Compare two settings</a>",
        css_classes=["compare-link"],
        margin=(14, 10),
    )


def page(app) -> pn.Column:
    """Toolbar on top; distribution chooser; settings on the left; overview, layered view and charts."""
    # FlexBoxes that wrap, not Rows: a stretching Row's minimum width is the sum of its children's (1,620 px
    # for the toolbar), which overflows a notebook's output area (~970 px in a 1,400 px window)
    toolbar = pn.FlexBox(
        app.play_button,
        app.reset_button,
        pn.pane.HTML("<b>Step:</b>", margin=(12, 4, 0, 16)),
        *app.step_buttons.values(),
        app.slow_toggle,
        app.pace_slider,
        app.speed_slider,
        pn.pane.Bokeh(app.counter, margin=(12, 10)),
        pn.pane.Bokeh(app.rate, margin=(12, 10)),
        app.url_state.copy_button,
        *([compare_link()] if app.served else []),
        app.space_key,
        css_classes=["toolbar"],
        align_items="center",
        sizing_mode="stretch_width",
    )
    settings = [
        pn.Card(
            *(app._setting_widgets[n] for n in names),
            about("About these settings", *GROUP_TOPICS[group]),
            title=group,
            sizing_mode="stretch_width",
            margin=(5, 5),
        )
        for group, names in SETTING_GROUPS.items()
    ]
    save_and_load = pn.Card(
        app.downloads,
        about("About saving and loading", "downloads"),
        title="Save and load",
        sizing_mode="stretch_width",
        margin=(5, 5),
        css_classes=["save-and-load"],
    )
    distribution = pn.Row(
        pn.Column(
            title("Data distribution"),
            app.picker,
            pn.Row(
                pn.pane.HTML("Or learn points from a CSV file (x, y columns):", margin=(12, 5, 5, 10)), app.csv_input
            ),
        ),
        pn.Column(app.pretrained_button, note(explain("distribution")), width=360),
    )
    overview = pn.Column(
        title("Model overview"),
        app.overview,
        note(OVERVIEW_NOTE),
        about("About each component", *OVERVIEW_TOPICS),
    )
    layered = pn.Column(
        title("Layered distributions"),
        app.layered,
        note(explain("heatmap")),
        about("About the other layers", "real", "fake", "gradients", "manifold"),
        width=570,
    )
    charts = pn.Column(
        title("Losses and divergences"), app.charts, note(explain("loss_charts")), note(explain("divergences"))
    )
    return pn.Column(
        pn.pane.HTML(HEADER, margin=(5, 10)),
        toolbar,
        app.timeline_bar,
        about("About the controls", "step", "slow_motion", "timeline", SPACE_NOTE),
        pn.layout.Divider(margin=(0, 10)),
        app.notice,
        app.divergence,
        app.caption,
        distribution,
        pn.FlexBox(
            pn.Column(app._drawing_box, *settings, save_and_load, width=380),
            pn.Column(overview, pn.Row(layered, pn.Column(charts, width=340)), width=920),
            align_items="flex-start",
            sizing_mode="stretch_width",
        ),
        sizing_mode="stretch_width",
    )
