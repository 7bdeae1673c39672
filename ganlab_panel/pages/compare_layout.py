"""The compare page: where each part goes. Pure composition; the Comparison owns every widget and view."""

from __future__ import annotations

import panel as pn

from ganlab_panel.pages.compare_side import SIDE_GROUPS, Side

USAGE = (
    "Two GANs learn the same data from the same seed, in step. Change a setting on side A or B (the "
    "differences are listed and highlighted), press Play, and watch which learns better."
)


def side_panel(side: Side) -> pn.Column:
    """A side's counter, layered view and charts over its settings."""
    cards = [
        pn.Card(*(side.widgets[n] for n in names), title=group, sizing_mode="stretch_width", margin=(5, 5))
        for group, names in SIDE_GROUPS.items()
        if names
    ]
    return pn.Column(
        pn.pane.Markdown(f"### {side.label}", margin=(0, 10)),
        pn.pane.Bokeh(side.counter, margin=(0, 10)),
        side.layered,
        side.charts,
        *cards,
        css_classes=[f"side-{side.label.lower()}"],
        width=560,
    )


def compare_page(comparison) -> pn.Column:
    """Toolbar with the shared settings on top, the differences, then side A beside side B."""
    toolbar = pn.FlexBox(  # wraps in a narrow notebook output (see page_layout.page)
        comparison.play_button,
        comparison.reset_button,
        comparison.step_button,
        comparison.speed_slider,
        *(comparison.shared_widgets[n] for n in ("distribution", "seed")),
        css_classes=["toolbar"],
        align_items="center",
        sizing_mode="stretch_width",
    )
    return pn.Column(
        pn.pane.HTML("<h2 style='margin: 4px 0'>GAN Lab: compare two settings</h2>", margin=(5, 10)),
        pn.pane.Markdown(USAGE, margin=(0, 10)),
        toolbar,
        comparison.notice,
        comparison.divergence,
        pn.pane.Markdown("### Differences", margin=(0, 10)),
        comparison.differences_pane,
        pn.FlexBox(
            *(side_panel(side) for side in comparison.sides), align_items="flex-start", sizing_mode="stretch_width"
        ),
        sizing_mode="stretch_width",
    )
