"""What both flow engines share: the velocity network's shape, its live settings, its initial weights, the
learning-rate schedule, and the interface the trainer needs.

Flow matching (rectified flow): x_t = (1 - t) x0 + t x1 between a source sample x0 and a data sample x1;
the velocity network v(x, t) learns the mean squared error to x1 - x0; samples follow dx/dt = v from t = 0
to 1. An engine sees standardised coordinates only (core/flow_run.py maps the unit square to them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

ACTIVATIONS = {"silu": "SiLU", "relu": "ReLU", "tanh": "Tanh"}
"""The velocity network's activations (between layers, none after the last) and their labels."""

SCHEDULES = {"cosine": "Cosine decay", "constant": "Constant"}
"""How the learning rate moves over training (scheduled_rate)."""

LOWEST_RATE = 0.01
"""The cosine schedule's floor, as a share of the learning rate: past its end training goes on slowly
rather than stopping dead (a rate of 0 would freeze the page's flow however long it plays)."""

NETWORK = "velocity"
"""The flow's one network, as checkpoints and weight dicts name it."""


@dataclass(frozen=True)
class FlowArchitecture:
    """The velocity network: (x, y, t) -> `layers` hidden layers of `neurons` -> (vx, vy)."""

    layers: int = 3
    neurons: int = 64
    activation: str = "silu"

    @classmethod
    def from_config(cls, config) -> FlowArchitecture:
        return cls(config.flow_layers, config.flow_neurons, config.flow_activation)

    @property
    def sizes(self) -> list[int]:
        """Input, hidden and output widths: 3 -> (layers x neurons) -> 2."""
        return [3] + [self.neurons] * self.layers + [2]

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds per sample through the network (biases aside), as Architecture.multiply_adds."""
        return sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:], strict=True))


@dataclass(frozen=True)
class FlowHyper:
    """The live settings a flow engine and its trainer read per step."""

    optimizer: str = "adam"
    learning_rate: float = 0.01
    schedule: str = "cosine"
    decay_iterations: int = 16_000

    @classmethod
    def from_config(cls, config) -> FlowHyper:
        return cls(config.flow_optimizer, config.flow_learning_rate, config.flow_schedule, config.flow_decay_iterations)


def scheduled_rate(hyper: FlowHyper, iteration: int) -> float:
    """The learning rate of the step after `iteration` steps: constant, or a cosine from the rate down to
    LOWEST_RATE of it at `decay_iterations`, then level. A function of the iteration, which checkpoints
    keep, so a loaded or resumed run goes on at its own point of the schedule."""
    if hyper.schedule == "constant":
        return hyper.learning_rate
    progress = min(iteration, hyper.decay_iterations) / hyper.decay_iterations
    return hyper.learning_rate * (LOWEST_RATE + (1 - LOWEST_RATE) * 0.5 * (1 + math.cos(math.pi * progress)))


def initial_flow_weights(sizes: list[int], rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """PyTorch's default for a Linear layer (as the prototype measured in shared/reference/flow-matching.md):
    weights and biases uniform in +-1/sqrt(fan_in). W is (fan_in, fan_out), so a layer is `x @ W + b`."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1 / math.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)))
    return layers


class FlowEngine(Protocol):
    """What the trainer needs from a flow backend. Points are (n, 2) rows in standardised coordinates; t is
    a number or one per point. Weights are exchanged as {'velocity': [(W, b), ...]}."""

    architecture: FlowArchitecture

    def step(self, x0: np.ndarray, x1: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        """One update on the pairs (x0, x1) at times t: the mean over the batch and both coordinates of
        (v(x_t, t) - (x1 - x0))^2, x_t = (1 - t) x0 + t x1; returns that loss before the update."""

    def velocity(self, x: np.ndarray, t) -> np.ndarray:
        """v(x, t): (n, 2)."""

    def velocity_divergence(self, x: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
        """v(x, t) (n, 2) and its exact divergence dvx/dx + dvy/dy (n,)."""

    def set_hyper(self, hyper: FlowHyper) -> None:
        """The optimizer's kind (a new kind starts without state); rates come with each step."""

    def optimizer_state(self) -> dict:
        """'velocity_optimizer' its kind; for Adam 'velocity_step', 'velocity_m', 'velocity_v' (lists of arrays)."""

    def load_optimizer_state(self, state: dict) -> None: ...

    def get_weights(self) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]: ...

    def set_weights(self, weights: dict[str, list[tuple[np.ndarray, np.ndarray]]]) -> None: ...


def check_weights(sizes: list[int], weights) -> list[tuple[np.ndarray, np.ndarray]]:
    """The velocity network's (W, b) pairs from a weight dict, checked against `sizes`; ValueError names the
    first mismatch (so a bad checkpoint changes nothing)."""
    given = list(weights[NETWORK])
    if len(given) != len(sizes) - 1:
        raise ValueError(f"{NETWORK}: expected {len(sizes) - 1} layers, got {len(given)}")
    for pair, fan_in, fan_out in zip(given, sizes[:-1], sizes[1:], strict=True):
        if len(pair) != 2:
            raise ValueError(f"{NETWORK}: a layer is a (weights, bias) pair, got {len(pair)} arrays")
        for array, shape in zip(pair, ((fan_in, fan_out), (fan_out,)), strict=True):
            if np.shape(array) != shape:
                raise ValueError(f"{NETWORK}: weight of shape {np.shape(array)} where {shape} is needed")
    return given
