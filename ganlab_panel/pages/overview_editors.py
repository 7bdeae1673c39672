"""The hyperparameters where GAN Lab puts them: edited around the model overview graph. The discriminator's
(its layers, packing, optimizer, learning rate, updates per iteration) and the loss run along the top, where
the discriminator's gradient path runs; the noise and the generator's along the bottom, by its path."""

from __future__ import annotations

import panel as pn

from ganlab_panel.render.colors import DISCRIMINATOR_COLOR, GENERATOR_COLOR

STRIPS = {
    "discriminator": (
        ("discriminator_layers", "Hidden layers", 92),
        ("discriminator_neurons", "Neurons", 68),
        ("pack", "Packing", 78),
        ("discriminator_optimizer", "Optimizer", 100),
        ("discriminator_learning_rate", "Learning rate", 86),
        ("k_discriminator", "Updates / iteration", 112),
        ("loss", "Loss", 150),
    ),
    "generator": (
        ("noise_dim", "Noise", 80),
        ("noise_type", "Noise type", 140),
        ("generator_layers", "Hidden layers", 92),
        ("generator_neurons", "Neurons", 68),
        ("generator_optimizer", "Optimizer", 100),
        ("generator_learning_rate", "Learning rate", 86),
        ("k_generator", "Updates / iteration", 112),
    ),
}
"""Each strip's settings: (name, the label it shows there, width in pixels)."""
STRIP_SETTINGS = tuple(name for strip in STRIPS.values() for name, _, _ in strip)
COLORS = {"discriminator": DISCRIMINATOR_COLOR, "generator": GENERATOR_COLOR}


def strip(app, network: str) -> pn.FlexBox:
    """One network's settings in a row, captioned in the network's colour."""
    caption = pn.pane.HTML(
        f"<b style='color: {COLORS[network]}'>{network.capitalize()}</b>", width=92, margin=(22, 0, 0, 8)
    )
    widgets = []
    for name, label, width in STRIPS[network]:
        widget = app._setting_widgets[name]
        widget.param.update(name=label, width=width, sizing_mode=None, margin=(2, 3))
        widgets.append(widget)
    return pn.FlexBox(
        caption, *widgets, css_classes=[f"{network}-settings"], align_items="flex-end", sizing_mode="stretch_width"
    )


def overview_editors(app) -> tuple[pn.FlexBox, pn.FlexBox]:
    """The strip above the overview (the discriminator's) and the one under it (the noise and the generator's)."""
    return strip(app, "discriminator"), strip(app, "generator")
