"""The flow's parts of the GAN Lab page, in the slots page_layout.py makes: the step button, the overview column
(the velocity network's settings above the flow's graph, the sampling's under it, the charts) and the layered
column (the view at time t, its time row, its layer toggles); its settings and help drawers. Pure composition;
the page's FlowPart (flow_page.py) owns the flow's views and controls."""

from __future__ import annotations

import panel as pn

from ganlab_panel.core.settings import FLOW_SETTING_GROUPS
from ganlab_panel.pages.overview_editors import FLOW_STRIP_SETTINGS, flow_editors
from ganlab_panel.views.style import WRAP_CHECKBOXES
from ganlab_panel.views.text import SPACE_NOTE, about, note, section

TIME_ROW_HEIGHT = 50
"""Pixels of height the time row (t, Sweep t, the heatmap's kind) takes under the flow's square."""
TIME_ROW = ("flow_time", "flow_heatmap")
MORE_FLOW_SETTINGS = tuple(
    name for names in FLOW_SETTING_GROUPS.values() for name in names if name not in FLOW_STRIP_SETTINGS + TIME_ROW
)
"""The flow's settings that neither its overview's strips nor its time row show: one drawer holds them."""
FLOW_OVERVIEW_TOPICS = (
    "flow_source",
    "flow_data",
    "flow_interpolation",
    "flow_target",
    "flow_network",
    "flow_loss",
    "flow_gradients",
    "flow_sampling",
    "flow_samples",
    "flow_density",
)
FLOW_LAYER_TOPICS = (
    "flow_density",
    "flow_speed",
    "real",
    "flow_field",
    "flow_trajectories",
    "flow_samples",
    "flow_grid",
    "flow_time",
    "flow_sweep",
)


def flow_parts(app) -> dict[str, list]:
    """The flow's objects of each slot (page_layout.fill_slots), from the page's FlowPart."""
    flow = app.flow_part
    above, below = flow_editors(app)
    flow.overview.responsive()
    charts = flow.charts
    for figure, pane in ((charts.loss_figure, charts.loss_pane), (charts.metric_figure, charts.metric_pane)):
        figure.sizing_mode = pane.sizing_mode = "stretch_width"
    flow.layered.checkboxes.param.update(
        inline=True, sizing_mode="stretch_width", margin=(0, 10), stylesheets=[WRAP_CHECKBOXES]
    )
    time = app._setting_widgets["flow_time"]
    time.param.update(name="Time t", width=180, sizing_mode=None, margin=(0, 10))
    heatmap = app._setting_widgets["flow_heatmap"]
    heatmap.param.update(name="Heatmap", width=170, sizing_mode=None, margin=(0, 5))
    return {
        "steps": [pn.pane.HTML("<b>Step:</b>", margin=(12, 2, 0, 12)), flow.step_button],
        "overview": [
            above,
            flow.overview,
            pn.Row(about("About each component of the flow's graph", *FLOW_OVERVIEW_TOPICS), app.compare_models),
            below,
            pn.Row(charts.loss_pane, charts.metric_pane, sizing_mode="stretch_width"),
            pn.pane.Bokeh(charts.mode_text, margin=(0, 10)),
        ],
        "layered": [
            section("Flow at time t", about("About the layers", *FLOW_LAYER_TOPICS)),
            pn.pane.Bokeh(flow.layered.figure, css_classes=["layered-figure"]),
            # one line of TIME_ROW_HEIGHT beside a wide view; in a narrow notebook output it wraps, not overflows
            pn.FlexBox(
                time,
                flow.sweep_button,
                heatmap,
                css_classes=["time-row"],
                flex_wrap="wrap",
                align_items="center",
                min_height=TIME_ROW_HEIGHT,
            ),  # fmt: skip
            flow.layered.checkboxes,
        ],
    }


def more_settings(app) -> pn.Column:
    """The flow's settings its overview does not show, with what they do (its compare link is under its graph)."""
    return pn.Column(
        *(app._setting_widgets[name] for name in MORE_FLOW_SETTINGS),
        about("About these settings", "flow_schedule", "seed", "flow_source", "flow_activation"),
        sizing_mode="stretch_width",
    )


def help_texts() -> pn.Column:
    """Every explanation of the flow page, grouped by the part it is about."""
    return pn.Column(
        note("**Flow matching** learns a velocity field that carries a simple source distribution to the data."),
        about("About the model and the data", "model", "distribution"),
        about("About the controls", "flow_step", "flow_slow_motion", "flow_sweep", "timeline", SPACE_NOTE),
        about("About each component of the overview", *FLOW_OVERVIEW_TOPICS),
        about("About the layers", *FLOW_LAYER_TOPICS),
        about("About the charts", "flow_loss_chart", "flow_divergences", "flow_compare"),
        about("About the velocity network's settings", "networks", "flow_activation", "optimizer", "learning_rate"),
        about("About the training's settings", "batch_size", "flow_schedule", "seed"),
        about("About sampling", "flow_source", "flow_sampling", "flow_heatmap"),
        sizing_mode="stretch_width",
    )
