"""Slow motion: GAN Lab's ten highlighted sub-steps of one iteration, as data, and a tiny state machine.

Each iteration is a discriminator phase and then a generator phase, five sub-steps each; the fifth
sub-step of a phase is the one that updates that network. Component and edge names are those of the
model overview graph (views/overview.py), so a view can highlight exactly what a sub-step involves.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganlab_panel.engines.losses import GP_LAMBDA, REAL_LABEL, lookup

PACE_SECONDS = 1.25
"""GAN Lab shows each sub-step for 1.25 s."""

PHASES = ("discriminator", "generator")

COMPONENTS = (
    "noise",
    "generator",
    "fake",
    "real",
    "discriminator",
    "real-predictions",
    "fake-predictions",
    "discriminator-loss",
    "generator-loss",
    "discriminator-gradients",
    "generator-gradients",
)
"""Every component of the model overview graph."""

EDGES = {
    # name: phases whose data flows along it (GAN Lab's d-update-flow / g-update-flow classes)
    "noise-generator": ("discriminator", "generator"),
    "generator-fake": ("discriminator", "generator"),
    "real-discriminator": ("discriminator",),
    "fake-discriminator": ("discriminator", "generator"),
    "discriminator-real-predictions": ("discriminator",),
    "discriminator-fake-predictions": ("discriminator", "generator"),
    "real-predictions-discriminator-loss": ("discriminator",),
    "fake-predictions-discriminator-loss": ("discriminator",),
    "fake-predictions-generator-loss": ("generator",),
    "discriminator-gradients": ("discriminator",),
    "generator-gradients": ("generator",),
}
"""Every edge of the model overview graph and the phases that use it."""


@dataclass(frozen=True)
class SubStep:
    """One highlighted moment of an iteration in slow motion."""

    phase: str  # 'discriminator' or 'generator'
    number: int  # 1-5 within the phase
    caption: str
    components: tuple[str, ...]  # overview components involved
    edges: tuple[str, ...]  # overview edges highlighted

    @property
    def performs_update(self) -> bool:
        """Whether this sub-step updates the phase's network (the fifth one of each phase)."""
        return self.number == 5

    @property
    def label(self) -> str:
        return f"{self.phase.capitalize()} phase, step {self.number} of 5"


def substeps(loss: str = "log", real_label: float = REAL_LABEL, gp_weight: float = GP_LAMBDA) -> list[SubStep]:
    """The ten sub-steps of one iteration, with loss captions for the chosen formulation and its settings."""
    record = lookup(loss)
    captions = {"discriminator": record.discriminator_caption, "generator": record.generator_caption}
    formula = {net: text.format(r=f"{real_label:g}", lam=f"{gp_weight:g}") for net, text in captions.items()}
    forward = ("noise-generator", "generator-fake")
    return [
        SubStep("discriminator", 1, "Generator derives samples from noise", ("noise", "generator", "fake"), forward),
        SubStep(
            "discriminator",
            2,
            "Discriminator classifies real and fake samples",
            ("real", "fake", "discriminator", "real-predictions", "fake-predictions"),
            (
                "real-discriminator",
                "fake-discriminator",
                "discriminator-real-predictions",
                "discriminator-fake-predictions",
            ),
        ),
        SubStep(
            "discriminator",
            3,
            f"Discriminator computes its loss ({formula['discriminator']})",
            ("real-predictions", "fake-predictions", "discriminator-loss"),
            ("real-predictions-discriminator-loss", "fake-predictions-discriminator-loss"),
        ),
        SubStep(
            "discriminator",
            4,
            "Discriminator computes the gradients of its loss with respect to its weights",
            ("discriminator-loss", "discriminator-gradients"),
            ("discriminator-gradients",),
        ),
        SubStep(
            "discriminator",
            5,
            "Discriminator updates its weights based on the gradients",
            ("discriminator-gradients", "discriminator"),
            ("discriminator-gradients",),
        ),
        SubStep("generator", 1, "Generator derives samples from noise", ("noise", "generator", "fake"), forward),
        SubStep(
            "generator",
            2,
            "Discriminator classifies fake samples only",
            ("fake", "discriminator", "fake-predictions"),
            ("fake-discriminator", "discriminator-fake-predictions"),
        ),
        SubStep(
            "generator",
            3,
            f"Generator computes its loss ({formula['generator']})",
            ("fake-predictions", "generator-loss"),
            ("fake-predictions-generator-loss",),
        ),
        SubStep(
            "generator",
            4,
            "Generator computes the gradients of its loss, back through the discriminator, for its weights",
            ("generator-loss", "generator-gradients"),
            ("generator-gradients",),
        ),
        SubStep(
            "generator",
            5,
            "Generator updates its weights based on the gradients",
            ("generator-gradients", "generator"),
            ("generator-gradients",),
        ),
    ]


SUBSTEPS = substeps("log")
"""The ten sub-steps with GAN Lab's default log loss."""


class SlowMotion:
    """Walks through the sub-steps of iteration after iteration.

    `config` is anything with `loss`, `k_discriminator` and `k_generator` (a GanConfig); they are read
    at every step, so a live change of the loss (or its real label or penalty weight) shows up in the next
    caption. A phase whose network takes no steps this iteration (k = 0) is skipped.
    """

    def __init__(self, config=None, pace: float = PACE_SECONDS):
        self.config = config
        self.pace = pace
        self.index: int | None = None  # position in the ten sub-steps; None before the first

    @property
    def loss(self) -> str:
        return getattr(self.config, "loss", "log")

    @property
    def current(self) -> SubStep | None:
        """The sub-step being shown, with the current loss's captions; None before the first."""
        if self.index is None:
            return None
        real_label = getattr(self.config, "real_label", REAL_LABEL)
        gp_weight = getattr(self.config, "gp_weight", GP_LAMBDA)
        return substeps(self.loss, real_label, gp_weight)[self.index]

    def _active(self, phase: str) -> bool:
        return getattr(self.config, f"k_{phase}", 1) > 0

    def advance(self) -> SubStep:
        """Move to the next sub-step and return it; `performs_update` says whether to step its network now."""
        index = -1 if self.index is None else self.index
        for _ in range(len(SUBSTEPS)):
            index = (index + 1) % len(SUBSTEPS)
            if self._active(SUBSTEPS[index].phase):
                break
        else:  # kD and kG both 0: GanConfig refuses this, a bare object might not
            raise ValueError("slow motion needs at least one of k_discriminator and k_generator above 0")
        self.index = index
        return self.current

    @property
    def finishes_iteration(self) -> bool:
        """Whether the current sub-step is the last of the iteration (the next one starts a new one)."""
        if self.index is None:
            return False
        later = SUBSTEPS[self.index + 1 :]
        return not any(self._active(step.phase) for step in later)

    def reset(self) -> None:
        """Back to before the first sub-step (e.g. when slow motion is switched off)."""
        self.index = None
