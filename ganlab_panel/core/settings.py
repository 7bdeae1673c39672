"""What each setting is besides its value, declared once: how a change applies, where the page shows it, how its
options read, and who carries it (links, checkpoints, compare mode). GanConfig's parameters say the rest: the
value's type, default and range, and the label= and doc= that widgets show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ganlab_panel.engines.flow_base import ACTIVATIONS, SCHEDULES
from ganlab_panel.engines.losses import LOSSES

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""GAN Lab's menu of learning rates; any positive value is accepted."""

GP_WEIGHTS = (0.0, 0.1, 1.0, 10.0, 100.0)
"""The widget's menu of WGAN-GP penalty weights; any value within gp_weight's bounds is accepted."""


class Effect(str, Enum):
    """What changing a setting does to a running experiment."""

    REBUILD = "rebuild"  # new networks and data, iteration back to 0
    LIVE = "live"  # applied to the running experiment, optimizer state kept where meaningful
    VIEW = "view"  # changes only what a frame shows


@dataclass(frozen=True)
class Setting:
    """One setting's record (its value's type, range, label and doc are its GanConfig parameter's)."""

    effect: Effect
    topic: str
    """The explanation (views/explanations.py) that says what it does."""
    group: str | None = None
    """The GAN page's settings card that shows it; None: chosen elsewhere on the page (the distribution) or not
    at all."""
    flow_group: str | None = None
    """The flow page's card that shows it (FLOW_SETTING_GROUPS), as `group` is the GAN page's."""
    model: str | None = None
    """The model it configures, 'gan' or 'flow' (for the other it does nothing: changing it neither rebuilds
    nor shows); None: both (the data, the seed, the engine, the model itself)."""
    options: Mapping | None = None
    """Value -> its label in the widget, for a choice; None shows the values themselves."""
    menu: tuple[float, ...] | None = None
    """A number offered as a menu of these values rather than a slider (any value in range is accepted)."""
    slider_step: float = 0.01
    linked: bool = True
    """Links carry it; False: the server chooses it, and the page offers no control for it."""
    shared: bool = False
    """Compare mode chooses it once for both sides: the same data from the same seed, trained and drawn alike."""
    saved: bool = True
    """Checkpoints keep it; False: where a model runs and how it is drawn, not what it is, so a model trained on
    a GPU loads on a laptop and loading one keeps the viewer's display settings."""


_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}
_GAN, _FLOW = {"model": "gan"}, {"model": "flow"}

SETTINGS: dict[str, Setting] = {
    # in the page's order: the model and the distribution, then the settings cards top to bottom
    "model": Setting(Effect.REBUILD, "model", shared=True, options={"gan": "GAN", "flow": "Flow matching"}),
    "distribution": Setting(Effect.REBUILD, "distribution", shared=True),
    "points": Setting(Effect.REBUILD, "distribution", shared=True),
    "noise_dim": Setting(Effect.REBUILD, "noise", "Noise", options={1: "1D", 2: "2D"}, **_GAN),
    "noise_type": Setting(
        Effect.REBUILD, "noise", "Noise", options={"uniform": "Uniform", "gaussian": "Gaussian"}, **_GAN
    ),
    "generator_layers": Setting(Effect.REBUILD, "networks", "Generator", **_GAN),
    "generator_neurons": Setting(Effect.REBUILD, "networks", "Generator", **_GAN),
    "generator_optimizer": Setting(Effect.LIVE, "optimizer", "Generator", options=_OPTIMIZERS, **_GAN),
    "generator_learning_rate": Setting(Effect.LIVE, "learning_rate", "Generator", menu=LEARNING_RATES, **_GAN),
    "discriminator_layers": Setting(Effect.REBUILD, "networks", "Discriminator", **_GAN),
    "discriminator_neurons": Setting(Effect.REBUILD, "networks", "Discriminator", **_GAN),
    "discriminator_optimizer": Setting(Effect.LIVE, "optimizer", "Discriminator", options=_OPTIMIZERS, **_GAN),
    "discriminator_learning_rate": Setting(Effect.LIVE, "learning_rate", "Discriminator", menu=LEARNING_RATES, **_GAN),
    "pack": Setting(Effect.REBUILD, "pack", "Discriminator", **_GAN),
    "loss": Setting(
        Effect.LIVE, "loss", "Training", options={name: loss.title for name, loss in LOSSES.items()}, **_GAN
    ),
    "gp_weight": Setting(Effect.LIVE, "wgan_gp", "Training", menu=GP_WEIGHTS, **_GAN),
    "real_label": Setting(Effect.LIVE, "real_label", "Training", **_GAN),
    "k_discriminator": Setting(Effect.LIVE, "k_steps", "Training", **_GAN),
    "k_generator": Setting(Effect.LIVE, "k_steps", "Training", **_GAN),
    "batch_size": Setting(Effect.LIVE, "batch_size", "Training", **_GAN),
    # steps finer than 0.01, so Adam's default beta2 0.999 shows as itself, not rounded to 1
    "adam_beta1": Setting(Effect.LIVE, "optimizer", "Training", slider_step=0.001, **_GAN),
    "adam_beta2": Setting(Effect.LIVE, "optimizer", "Training", slider_step=0.001, **_GAN),
    "seed": Setting(Effect.REBUILD, "seed", "Training", flow_group="Flow training", shared=True),
    # the flow's own, on the flow page only (its cards: FLOW_SETTING_GROUPS)
    "flow_source": Setting(
        Effect.LIVE,
        "flow_source",
        flow_group="Source",
        options={"gaussian": "Gaussian", "uniform": "Uniform"},
        **_FLOW,
    ),
    "flow_layers": Setting(Effect.REBUILD, "networks", flow_group="Velocity network", **_FLOW),
    "flow_neurons": Setting(Effect.REBUILD, "networks", flow_group="Velocity network", **_FLOW),
    "flow_activation": Setting(
        Effect.REBUILD, "flow_activation", flow_group="Velocity network", options=ACTIVATIONS, **_FLOW
    ),
    "flow_optimizer": Setting(
        Effect.LIVE, "optimizer", flow_group="Velocity network", options={"adam": "Adam", "sgd": "SGD"}, **_FLOW
    ),
    "flow_learning_rate": Setting(
        Effect.LIVE, "learning_rate", flow_group="Velocity network", menu=LEARNING_RATES, **_FLOW
    ),
    "flow_schedule": Setting(Effect.LIVE, "flow_schedule", flow_group="Flow training", options=SCHEDULES, **_FLOW),
    "flow_decay_iterations": Setting(Effect.LIVE, "flow_schedule", flow_group="Flow training", **_FLOW),
    "flow_batch_size": Setting(Effect.LIVE, "batch_size", flow_group="Flow training", **_FLOW),
    "flow_steps": Setting(Effect.VIEW, "flow_sampling", flow_group="Sampling", **_FLOW),
    "flow_method": Setting(
        Effect.VIEW,
        "flow_sampling",
        flow_group="Sampling",
        options={"midpoint": "Midpoint", "euler": "Euler"},
        **_FLOW,
    ),
    # how the flow is drawn, not what it is: links carry them, checkpoints do not
    "flow_time": Setting(Effect.VIEW, "flow_time", flow_group="Sampling", saved=False, **_FLOW),
    "flow_heatmap": Setting(
        Effect.VIEW,
        "flow_heatmap",
        flow_group="Sampling",
        options={"density": "Density", "speed": "Speed", "none": "None"},
        saved=False,
        **_FLOW,
    ),
    # chosen by the server (or a notebook's caller), never in the page
    "engine": Setting(Effect.REBUILD, "engine", linked=False, shared=True, saved=False),
    "device": Setting(Effect.REBUILD, "engine", linked=False, shared=True, saved=False),
    "heatmap_resolution": Setting(Effect.VIEW, "heatmap", linked=False, shared=True, saved=False),
}
"""Every GanConfig setting's record."""


def _groups(field: str) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    # a model's own settings first, then those of both models (the flow page's seed ends its training card)
    ordered = SETTINGS.items() if field == "group" else sorted(SETTINGS.items(), key=lambda item: not item[1].model)
    for name, setting in ordered:
        group = getattr(setting, field)
        if group is not None:
            groups[group] = (*groups.get(group, ()), name)
    return groups


SETTING_GROUPS = _groups("group")
"""The GAN page's settings cards -> their settings, in the page's order."""
FLOW_SETTING_GROUPS = _groups("flow_group")
"""The flow page's settings cards -> their settings, in order."""
PAGE_GROUPS = {"gan": SETTING_GROUPS, "flow": FLOW_SETTING_GROUPS}
"""A model -> its page's settings cards."""
MODEL_SETTINGS = {
    model: tuple(name for name, setting in SETTINGS.items() if setting.model in (None, model))
    for model in ("gan", "flow")
}
"""A model -> the settings that configure it (its own and both models')."""

LINKED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if setting.linked)
SHARED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if setting.shared)
UNSAVED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if not setting.saved)
