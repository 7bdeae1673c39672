"""What each setting is besides its value, declared once: how a change applies, where the page shows it, how its
options read, and who carries it (links, checkpoints, compare mode). GanConfig's parameters say the rest: the
value's type, default and range, and the label= and doc= that widgets show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

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
    """The settings card that shows it; None: chosen elsewhere on the page (the distribution) or not at all."""
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

SETTINGS: dict[str, Setting] = {
    # in the page's order: the distribution, then the settings cards top to bottom
    "distribution": Setting(Effect.REBUILD, "distribution", shared=True),
    "points": Setting(Effect.REBUILD, "distribution", shared=True),
    "noise_dim": Setting(Effect.REBUILD, "noise", "Noise", options={1: "1D", 2: "2D"}),
    "noise_type": Setting(Effect.REBUILD, "noise", "Noise", options={"uniform": "Uniform", "gaussian": "Gaussian"}),
    "generator_layers": Setting(Effect.REBUILD, "networks", "Generator"),
    "generator_neurons": Setting(Effect.REBUILD, "networks", "Generator"),
    "generator_optimizer": Setting(Effect.LIVE, "optimizer", "Generator", options=_OPTIMIZERS),
    "generator_learning_rate": Setting(Effect.LIVE, "learning_rate", "Generator", menu=LEARNING_RATES),
    "discriminator_layers": Setting(Effect.REBUILD, "networks", "Discriminator"),
    "discriminator_neurons": Setting(Effect.REBUILD, "networks", "Discriminator"),
    "discriminator_optimizer": Setting(Effect.LIVE, "optimizer", "Discriminator", options=_OPTIMIZERS),
    "discriminator_learning_rate": Setting(Effect.LIVE, "learning_rate", "Discriminator", menu=LEARNING_RATES),
    "pack": Setting(Effect.REBUILD, "pack", "Discriminator"),
    "loss": Setting(Effect.LIVE, "loss", "Training", options={name: loss.title for name, loss in LOSSES.items()}),
    "gp_weight": Setting(Effect.LIVE, "wgan_gp", "Training", menu=GP_WEIGHTS),
    "real_label": Setting(Effect.LIVE, "real_label", "Training"),
    "k_discriminator": Setting(Effect.LIVE, "k_steps", "Training"),
    "k_generator": Setting(Effect.LIVE, "k_steps", "Training"),
    "batch_size": Setting(Effect.LIVE, "batch_size", "Training"),
    # steps finer than 0.01, so Adam's default beta2 0.999 shows as itself, not rounded to 1
    "adam_beta1": Setting(Effect.LIVE, "optimizer", "Training", slider_step=0.001),
    "adam_beta2": Setting(Effect.LIVE, "optimizer", "Training", slider_step=0.001),
    "seed": Setting(Effect.REBUILD, "seed", "Training", shared=True),
    # chosen by the server (or a notebook's caller), never in the page
    "engine": Setting(Effect.REBUILD, "engine", linked=False, shared=True, saved=False),
    "device": Setting(Effect.REBUILD, "engine", linked=False, shared=True, saved=False),
    "heatmap_resolution": Setting(Effect.VIEW, "heatmap", linked=False, shared=True, saved=False),
}
"""Every GanConfig setting's record."""


def _groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, setting in SETTINGS.items():
        if setting.group is not None:
            groups[setting.group] = (*groups.get(setting.group, ()), name)
    return groups


SETTING_GROUPS = _groups()
"""Settings card -> its settings, in the page's order."""

LINKED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if setting.linked)
SHARED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if setting.shared)
UNSAVED_SETTINGS = tuple(name for name, setting in SETTINGS.items() if not setting.saved)
