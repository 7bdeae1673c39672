"""The hyperparameters where GAN Lab puts them: edited around the model overview graph. For a GAN, the
discriminator's (its layers, packing, optimizer, learning rate, updates per iteration) and the loss run along the
top, where the discriminator's gradient path runs; the noise and the generator's along the bottom, by its path.
For a flow, the velocity network's and its training's along the top, by the training path; the source and the
sampling's steps along the bottom, by the sampling path."""

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
FLOW_STRIPS = {
    "velocity-network": (
        ("flow_layers", "Hidden layers", 92),
        ("flow_neurons", "Neurons", 68),
        ("flow_activation", "Activation", 150),
        ("flow_optimizer", "Optimizer", 100),
        ("flow_learning_rate", "Learning rate", 86),
        ("flow_batch_size", "Batch size", 80),
    ),
    "sampling": (
        ("flow_source", "Source", 150),
        ("flow_steps", "ODE steps", 80),
        ("flow_method", "Method", 150),
    ),
}
"""The flow's strips, as STRIPS."""
STRIP_SETTINGS = tuple(name for strip in STRIPS.values() for name, _, _ in strip)
FLOW_STRIP_SETTINGS = tuple(name for strip in FLOW_STRIPS.values() for name, _, _ in strip)
COLORS = {"discriminator": DISCRIMINATOR_COLOR, "generator": GENERATOR_COLOR}
COLORS |= {"velocity-network": DISCRIMINATOR_COLOR, "sampling": GENERATOR_COLOR}  # the flow graph's phases'


def strip(app, name: str, settings=None) -> pn.FlexBox:
    """One strip's settings in a row, captioned in its network's (or phase's) colour."""
    title = name.replace("-", " ").capitalize()
    caption = pn.pane.HTML(f"<b style='color: {COLORS[name]}'>{title}</b>", width=92, margin=(22, 0, 0, 8))
    widgets = []
    for setting, label, width in settings or STRIPS[name]:
        widget = app._setting_widgets[setting]
        widget.param.update(name=label, width=width, sizing_mode=None, margin=(2, 3))
        widgets.append(widget)
    return pn.FlexBox(
        caption, *widgets, css_classes=[f"{name}-settings"], align_items="flex-end", sizing_mode="stretch_width"
    )


def overview_editors(app) -> tuple[pn.FlexBox, pn.FlexBox]:
    """The strip above the overview (the discriminator's) and the one under it (the noise and the generator's)."""
    return strip(app, "discriminator"), strip(app, "generator")


def flow_editors(app) -> tuple[pn.FlexBox, pn.FlexBox]:
    """The flow's strips: the velocity network's above its overview, the sampling's under it."""
    return tuple(strip(app, name, settings) for name, settings in FLOW_STRIPS.items())
