"""The compare page: where each part goes. Pure composition; the Comparison owns every widget and view."""

from __future__ import annotations

import panel as pn

from ganlab_panel.pages.compare_side import Side
from ganlab_panel.pages.drawers import toast_styles

USAGE = (
    "Two GANs learn the same data from the same seed, in step. Change a setting on side A or B (the "
    "differences are listed and highlighted), press Play, and watch which learns better."
)
MODELS_USAGE = (
    "A GAN and a flow learn the same data from the same seed, in step. Press Play and watch which learns the "
    "data better, and how: the GAN's generator against its discriminator, the flow's velocity field."
)


SHORT_LABELS = {
    "real_label": "Real label",
    "k_discriminator": "kD steps",
    "k_generator": "kG steps",
    "gp_weight": "WGAN-GP lambda",
    "pack": "Packing (PacGAN)",
    "generator_neurons": "Neurons",
    "discriminator_neurons": "Neurons",
    "loss": "Loss",
    "flow_decay_iterations": "Decay iterations",
}
"""Labels that fit a card's half: the card's title says whose setting it is, its tooltip says the rest."""
SETTING_WIDTH = 168
"""Pixels per setting widget: two side by side in a card, two cards side by side under each side's views."""


def side_panel(side: Side) -> pn.Column:
    """A side's counter, its layered view beside its charts, and its settings in cards under them."""
    cards = []
    for group, names in side.groups.items():
        if not names:
            continue
        for name in names:
            label = SHORT_LABELS.get(name, side.widgets[name].name)
            side.widgets[name].param.update(name=label, width=SETTING_WIDTH, sizing_mode=None, margin=(2, 4))
        cards.append(pn.Card(pn.FlexBox(*(side.widgets[n] for n in names)), title=group, width=362, margin=(4, 4)))
    return pn.Column(
        pn.Row(pn.pane.Markdown(f"### {side.label}", margin=(0, 10)), pn.pane.Bokeh(side.counter, margin=(12, 10))),
        pn.Row(side.layered, side.charts),
        pn.FlexBox(*cards, align_items="flex-start"),
        css_classes=[f"side-{side.label.lower()}"],
        width=940,
    )


def compare_page(comparison) -> pn.Column:
    """One bar on top (the controls, the shared settings), the differences, then side A beside side B."""
    usage = MODELS_USAGE if comparison.a.model != comparison.b.model else USAGE
    toolbar = pn.FlexBox(  # wraps in a narrow notebook output
        pn.pane.HTML("<span style='font-size: 20px'><b>GAN</b> Lab: compare</span>", margin=(8, 12, 0, 8)),
        comparison.play_button,
        comparison.reset_button,
        comparison.step_button,
        comparison.speed_slider,
        *(comparison.shared_widgets[n] for n in ("distribution", "seed")),
        pn.pane.HTML(f"<span title='{usage}' style='color: #555'>{usage}</span>", width=420, margin=(8, 10)),
        css_classes=["toolbar"],
        align_items="center",
        sizing_mode="stretch_width",
    )
    comparison.notice.styles = toast_styles("right", top="80px")
    comparison.divergence.styles = toast_styles("centre", top="80px")
    return pn.Column(
        toolbar,
        pn.Row(pn.pane.Markdown("**Differences**", margin=(8, 10)), comparison.differences_pane),
        pn.FlexBox(
            *(side_panel(side) for side in comparison.sides), align_items="flex-start", sizing_mode="stretch_width"
        ),
        comparison.notice,
        comparison.divergence,
        sizing_mode="stretch_width",
    )
