"""Widgets for the settings, derived from GanConfig's parameters (type, bounds, options, doc line)."""

from __future__ import annotations

import panel as pn
import param

from ganlab_panel.core.config import GP_WEIGHTS, LEARNING_RATES, GanConfig, allowed

LABELS = {
    "noise_dim": "Noise dimensions",
    "noise_type": "Noise distribution",
    "generator_layers": "Hidden layers",
    "generator_neurons": "Neurons per layer",
    "generator_optimizer": "Optimizer",
    "generator_learning_rate": "Learning rate",
    "discriminator_layers": "Hidden layers",
    "discriminator_neurons": "Neurons per layer",
    "discriminator_optimizer": "Optimizer",
    "discriminator_learning_rate": "Learning rate",
    "pack": "Packing (PacGAN): samples per D input",
    "loss": "Loss function",
    "gp_weight": "WGAN-GP penalty weight (lambda)",
    "real_label": "Real label (1 = no smoothing)",
    "k_discriminator": "kD: discriminator steps per iteration",
    "k_generator": "kG: generator steps per iteration",
    "batch_size": "Batch size",
    "adam_beta1": "Adam beta1",
    "adam_beta2": "Adam beta2",
    "seed": "Random seed",
}
"""Readable widget labels; a group title (Generator, Discriminator) says whose setting it is."""

OPTION_LABELS = {
    "noise_dim": {"1D": 1, "2D": 2},
    "noise_type": {"Uniform": "uniform", "Gaussian": "gaussian"},
    "generator_optimizer": {"SGD": "sgd", "Adam": "adam"},
    "discriminator_optimizer": {"SGD": "sgd", "Adam": "adam"},
    "loss": {
        "Log loss (non-saturating)": "log",
        "Minimax": "minimax",
        "Least squares": "least_squares",
        "Hinge": "hinge",
        "WGAN-GP": "wgan_gp",
    },
}

SETTING_GROUPS = {
    "Noise": ("noise_dim", "noise_type"),
    "Generator": ("generator_layers", "generator_neurons", "generator_optimizer", "generator_learning_rate"),
    "Discriminator": (
        "discriminator_layers",
        "discriminator_neurons",
        "discriminator_optimizer",
        "discriminator_learning_rate",
        "pack",
    ),
    "Training": (
        "loss",
        "gp_weight",
        "real_label",
        "k_discriminator",
        "k_generator",
        "batch_size",
        "adam_beta1",
        "adam_beta2",
        "seed",
    ),
}

GROUP_TOPICS = {
    "Noise": ("noise",),
    "Generator": ("generator", "networks", "optimizer", "learning_rate"),
    "Discriminator": ("discriminator", "networks", "optimizer", "learning_rate", "pack"),
    "Training": ("loss", "wgan_gp", "real_label", "k_steps", "batch_size", "seed"),
}
"""Which explanations each group of settings folds under 'About these settings'."""

SLIDER_STEPS = {"adam_beta1": 0.001, "adam_beta2": 0.001}
"""Slider steps finer than 0.01, so Adam's default beta2 0.999 shows as itself, not rounded to 1."""


MENUS = {
    "generator_learning_rate": LEARNING_RATES,
    "discriminator_learning_rate": LEARNING_RATES,
    "gp_weight": GP_WEIGHTS,
}
"""Number settings offered as a menu of useful values rather than a slider."""


def menu_options(choices, value: float) -> dict:
    """A menu of `choices`, plus the current value when it is not on it (e.g. from a checkpoint or a link)."""
    values = sorted({*choices, float(value)})
    return {f"{v:g}": v for v in values}


def show_value(widget: pn.widgets.Widget, name: str, value) -> None:
    """Show a value set elsewhere (a link, a checkpoint, the other side), adding it to a menu that lacks it."""
    if name in MENUS:
        widget.options = menu_options(MENUS[name], value)
    widget.value = value


def setting_widget(config: GanConfig, name: str) -> pn.widgets.Widget:
    """A widget for one setting, derived from its parameter (type, bounds, objects, doc)."""
    p = config.param[name]
    value = getattr(config, name)
    if name in MENUS:
        kind, extra = pn.widgets.Select, {"options": menu_options(MENUS[name], value)}
    elif isinstance(p, param.Selector):
        options = OPTION_LABELS.get(name) or {str(o): o for o in p.objects}
        # buttons while they fit the settings column side by side, a menu beyond
        kind, extra = pn.widgets.RadioButtonGroup if len(options) <= 3 else pn.widgets.Select, {"options": options}
    elif isinstance(p, param.Integer):
        low, high = p.bounds
        if high is not None and high - low <= 10:
            kind, extra = pn.widgets.IntSlider, {"start": low, "end": high}
        else:  # unbounded in the browser, which would silently ignore a value out of range: the config says why
            kind, extra = pn.widgets.IntInput, {}
    elif isinstance(p, param.Number) and None not in p.bounds:
        step = SLIDER_STEPS.get(name, 0.01)
        kind, extra = pn.widgets.FloatSlider, {"start": p.bounds[0], "end": p.bounds[1], "step": step}
        if step < 0.01:
            extra["format"] = "0[.]000"
    else:
        raise TypeError(f"no widget for setting {name!r} of type {type(p).__name__}")
    if "description" in kind.param:
        extra["description"] = f"{p.doc} Allowed: {allowed(name)}."
    css = [f"setting-{name.replace('_', '-')}"]
    return kind(label=LABELS.get(name, p.label), value=value, css_classes=css, sizing_mode="stretch_width", **extra)
