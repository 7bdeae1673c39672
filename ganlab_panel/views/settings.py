"""Widgets for the settings, derived from GanConfig's parameters (type, bounds, label, doc) and their records in
core/settings.py (options' labels, menus, slider steps)."""

from __future__ import annotations

import panel as pn
import param

from ganlab_panel.core.config import GanConfig, allowed
from ganlab_panel.core.settings import SETTINGS

GROUP_TOPICS = {
    "Noise": ("noise",),
    "Generator": ("generator", "networks", "optimizer", "learning_rate"),
    "Discriminator": ("discriminator", "networks", "optimizer", "learning_rate", "pack"),
    "Training": ("loss", "wgan_gp", "real_label", "k_steps", "batch_size", "seed"),
}
"""Which explanations each group of settings folds under 'About these settings'."""


def menu_options(choices, value: float) -> dict:
    """A menu of `choices`, plus the current value when it is not on it (e.g. from a checkpoint or a link)."""
    values = sorted({*choices, float(value)})
    return {f"{v:g}": v for v in values}


def show_value(widget: pn.widgets.Widget, name: str, value) -> None:
    """Show a value set elsewhere (a link, a checkpoint, the other side), adding it to a menu that lacks it."""
    menu = SETTINGS[name].menu
    if menu is not None:
        widget.options = menu_options(menu, value)
    widget.value = value


def setting_widget(config: GanConfig, name: str) -> pn.widgets.Widget:
    """A widget for one setting, derived from its parameter (type, bounds, objects, label, doc) and record."""
    p, setting = config.param[name], SETTINGS[name]
    value = getattr(config, name)
    if setting.menu is not None:
        kind, extra = pn.widgets.Select, {"options": menu_options(setting.menu, value)}
    elif isinstance(p, param.Selector):
        labels = setting.options or {}
        options = {labels.get(option, str(option)): option for option in p.objects}
        # buttons while they fit the settings column side by side, a menu beyond
        kind, extra = pn.widgets.RadioButtonGroup if len(options) <= 3 else pn.widgets.Select, {"options": options}
    elif isinstance(p, param.Integer):
        low, high = p.bounds
        if high is not None and high - low <= 10:
            kind, extra = pn.widgets.IntSlider, {"start": low, "end": high}
        else:  # unbounded in the browser, which would silently ignore a value out of range: the config says why
            kind, extra = pn.widgets.IntInput, {}
    elif isinstance(p, param.Number) and None not in p.bounds:
        step = setting.slider_step
        kind, extra = pn.widgets.FloatSlider, {"start": p.bounds[0], "end": p.bounds[1], "step": step}
        if step < 0.01:
            extra["format"] = "0[.]000"
    else:
        raise TypeError(f"no widget for setting {name!r} of type {type(p).__name__}")
    if "description" in kind.param:
        extra["description"] = f"{p.doc} Allowed: {allowed(name)}."
    css = [f"setting-{name.replace('_', '-')}"]
    return kind(label=p.label, value=value, css_classes=css, sizing_mode="stretch_width", **extra)
