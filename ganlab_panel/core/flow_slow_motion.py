"""A flow's slow motion, as data: one training step in five highlighted sub-steps, then one sampling run step
by step. The GAN's walk is core/slow_motion.py; component and edge names here are those of the flow's
overview graph (views/flow_overview_graph.py), so a view highlights exactly what a sub-step involves.

The walk holds the step's and the run's data (Trainer.flow_step(), Trainer.sampling_run()); the page makes
those calls when `needs` says so, and the views draw the sub-step's data from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab_panel.core.flow_frame import FlowSampling, FlowStep

FLOW_PHASES = ("training", "sampling")

FLOW_EDGES = {
    # edge: the phases whose data flows along it
    "data-interpolation": ("training",),
    "source-interpolation": ("training",),
    "interpolation-network": ("training",),
    "network-loss": ("training",),
    "target": ("training",),
    "gradients": ("training",),
    "source-ode": ("sampling",),
    "network-ode": ("sampling",),
    "ode-samples": ("sampling",),
    "samples-density": ("sampling",),
}
"""Every edge of the flow's overview graph and the phases that use it."""

SAMPLING_SHOWN = 10
"""A sampling run's sub-steps show at most this many of its ODE steps (evenly spread), so a run of 200
steps does not take minutes."""
SAMPLING_PACE = 0.5
"""A sampling sub-step lasts this part of the pace: the whole run about as long as the training step."""


@dataclass(frozen=True)
class FlowSubStep:
    """One highlighted moment of a flow's slow motion."""

    phase: str  # 'training' or 'sampling'
    number: int  # 1-5 in training; the ODE step shown (1..) in sampling
    of: int  # how many sub-steps the phase has
    title: str
    caption: str
    components: tuple[str, ...]
    edges: tuple[str, ...]
    step: FlowStep | None = None  # the training step shown (training sub-steps)
    sampling: FlowSampling | None = None  # the run shown (sampling sub-steps)
    index: int = 0  # sampling: the position in sampling.times shown
    before: int = 0  # sampling: the position shown before it (the samples move from there)

    @property
    def performs_update(self) -> bool:
        """Whether the page shows the updated network's frame now (the fifth training sub-step)."""
        return self.phase == "training" and self.number == 5

    @property
    def label(self) -> str:
        return f"{self.phase.capitalize()}, step {self.number} of {self.of}: {self.title}"

    @property
    def pace(self) -> float:
        """This sub-step's share of the page's pace."""
        return SAMPLING_PACE if self.phase == "sampling" else 1.0


TRAINING = (
    ("Source batch x0", ("source",), (), "{n} points x0 from the source distribution, where every sample starts."),
    ("Data batch x1", ("data",), (), "{n} real points x1, each paired with one x0: a straight path from x0 to x1."),
    (
        "Interpolate x_t",
        ("source", "data", "interpolation"),
        ("source-interpolation", "data-interpolation"),
        "Each pair gets a time t, uniform on [0, 1]; x_t = (1 - t) x0 + t x1 lies on its straight path.",
    ),
    (
        "Predict the velocity",
        ("interpolation", "network", "loss"),
        ("interpolation-network", "network-loss", "target"),
        "The velocity network predicts v(x_t, t) (purple arrows); the target is the path's direction "
        "x1 - x0 (green arrows).",
    ),
    (
        "Loss and update",
        ("loss", "network"),
        ("gradients",),
        "The loss, the mean squared difference of the arrows, is {loss:.4f}; its gradients update the "
        "network's weights (learning rate {rate:.3g}).",
    ),
)
"""Each training sub-step's title, components, edges and caption (formatted with the step's data)."""


def training_substep(step: FlowStep, number: int) -> FlowSubStep:
    """Training sub-step `number` (1-5) of a step's data."""
    title, components, edges, caption = TRAINING[number - 1]
    text = caption.format(n=len(step.x0), loss=step.loss, rate=step.learning_rate)
    return FlowSubStep("training", number, len(TRAINING), title, text, components, edges, step=step)


def shown_indices(steps: int) -> np.ndarray:
    """The positions of a run of `steps` ODE steps that its sub-steps show: at most SAMPLING_SHOWN, the last one
    always (0 is the source itself, shown by the training sub-steps)."""
    return np.unique(np.linspace(0, steps, min(steps, SAMPLING_SHOWN) + 1).round().astype(int))[1:]


class FlowWalk:
    """Walks through training step after training step, each followed by a sampling run. `advance(step, run)`
    takes the data the next sub-step needs (`needs`: 'step' before a training walk, 'run' before a sampling
    one, else None)."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        """Back to before the first sub-step."""
        self.current: FlowSubStep | None = None
        self._step: FlowStep | None = None
        self._run: FlowSampling | None = None

    @property
    def needs(self) -> str | None:
        """What the next sub-step needs first: 'step' (Trainer.flow_step()), 'run' (Trainer.sampling_run())."""
        current = self.current
        if current is None or (current.phase == "sampling" and current.number == current.of):
            return "step"
        if current.phase == "training" and current.number == len(TRAINING):
            return "run"
        return None

    def advance(self, step: FlowStep | None = None, run: FlowSampling | None = None) -> FlowSubStep:
        """Move to the next sub-step and return it."""
        needs = self.needs
        if needs == "step":
            if step is None:
                raise ValueError("a training walk starts with a training step: Trainer.flow_step()")
            self._step, number = step, 1
        elif needs == "run":
            if run is None:
                raise ValueError("a sampling walk starts with a sampling run: Trainer.sampling_run()")
            self._run, number = run, 1
        else:
            number = self.current.number + 1
        phase = "sampling" if needs == "run" or (needs is None and self.current.phase == "sampling") else "training"
        self.current = training_substep(self._step, number) if phase == "training" else self._sampling(number)
        return self.current

    def _sampling(self, number: int) -> FlowSubStep:
        run = self._run
        shown, steps = shown_indices(len(run.times) - 1), len(run.times) - 1
        index = int(shown[number - 1])
        before = int(shown[number - 2]) if number > 1 else 0
        which = f"ODE step {index}" if index - before == 1 else f"ODE steps {before + 1}-{index}"
        how = "by the velocity at each step's start"
        if run.method == "midpoint":
            how = "by the velocity halfway through each step"
        caption = (
            f"{which} of {steps}: every sample moves from t = {run.times[before]:.2f} to {run.times[index]:.2f} "
            f"{how} ({run.method})."
        )
        return FlowSubStep(
            "sampling", number, len(shown), f"t = {run.times[index]:.2f}", caption,
            ("source", "network", "ode", "samples"), ("source-ode", "network-ode", "ode-samples"),
            sampling=run, index=index, before=before,
        )  # fmt: skip
