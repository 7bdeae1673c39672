"""The engine interface both backends satisfy, and what they share: layer shapes and initial weights.

Arrays in and out are float numpy arrays; an engine never sees the configuration object's watchers,
only plain values, so the trainer decides when things change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Architecture:
    """Layer sizes of both networks, GAN Lab style: `layers` hidden ReLU layers after the first. With
    PacGAN packing D judges `pack` samples at once, concatenated into one input of 2 x pack numbers."""

    noise_dim: int
    generator_layers: int
    generator_neurons: int
    discriminator_layers: int
    discriminator_neurons: int
    pack: int = 1

    @classmethod
    def from_config(cls, config) -> Architecture:
        return cls(*(getattr(config, f) for f in cls.__dataclass_fields__))

    @property
    def generator_sizes(self) -> list[int]:
        """Input, hidden and output widths: noise -> N -> (L x N) -> 2."""
        n = self.generator_neurons
        return [self.noise_dim, n] + [n] * self.generator_layers + [2]

    @property
    def discriminator_sizes(self) -> list[int]:
        n = self.discriminator_neurons
        return [2 * self.pack, n] + [n] * self.discriminator_layers + [1]

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds per sample through both networks (their weights, biases aside): the work that
        decides which engine trains faster."""
        sizes = (self.generator_sizes, self.discriminator_sizes)
        return sum(a * b for s in sizes for a, b in zip(s[:-1], s[1:], strict=False))


def initial_weights(sizes: list[int], rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """GAN Lab's initialisation: first layer N(0, 1/sqrt 2), later layers N(0, 1/sqrt fan_in), zero
    biases. Weights are (fan_in, fan_out) so that a layer is `x @ W + b`."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=False)):
        std = 1 / np.sqrt(2) if i == 0 else 1 / np.sqrt(fan_in)
        layers.append((rng.normal(0, std, (fan_in, fan_out)), np.zeros(fan_out)))
    return layers


@dataclass(frozen=True)
class Hyper:
    """The live settings an engine needs per step; cheap to build and compare."""

    loss: str = "log"
    generator_optimizer: str = "sgd"
    discriminator_optimizer: str = "sgd"
    generator_learning_rate: float = 0.1
    discriminator_learning_rate: float = 0.1
    real_label: float = 0.95
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    gp_weight: float = 10.0

    @classmethod
    def from_config(cls, config) -> Hyper:
        return cls(*(getattr(config, f) for f in cls.__dataclass_fields__))


def packs(samples: int, pack: int) -> int:
    """How many D inputs a batch makes: PacGAN packs `pack` consecutive samples into one. The trainer
    rounds its batches up to whole packs, so a remainder means a caller's mistake."""
    if samples % pack or not samples:
        raise ValueError(f"a batch of {samples} samples does not split into packs of {pack}")
    return samples // pack


class Engine(Protocol):
    """What the trainer needs from a backend. Weights are exchanged as
    {'generator': [(W, b), ...], 'discriminator': [(W, b), ...]} with W of shape (fan_in, fan_out).

    With packing (Architecture.pack = m > 1) training batches hold a multiple of m samples, and D sees
    rows m at a time, concatenated; D of a single point x, as frames show it, is D([x, x, ..., x])."""

    def discriminator_step(self, real: np.ndarray, noise: np.ndarray, mix: np.ndarray | None = None) -> float:
        """One update of D on a real batch and G(noise); returns D's loss before the update. A loss with
        a gradient penalty (losses.Loss.penalised) needs `mix`: one weight e in [0, 1] per interpolated
        point e real + (1 - e) fake, taken from the first len(mix) (packed) real and fake inputs."""

    def generator_step(self, noise: np.ndarray) -> float:
        """One update of G on G(noise); returns G's loss before the update."""

    def set_hyper(self, hyper: Hyper) -> None:
        """Apply live settings; optimizer state survives unless that optimizer's kind changed."""

    def optimizer_state(self) -> dict:
        """Copies of the optimizers' state as plain values: '<net>_optimizer' its kind for 'generator' and
        'discriminator'; for Adam also '<net>_step' (int) and '<net>_m', '<net>_v' (lists of numpy arrays,
        in the engine's own layout). Learning rates are settings (Hyper), not state."""

    def load_optimizer_state(self, state: dict) -> None:
        """Adopt an optimizer_state() of this kind of engine with the same optimizer kinds (set_hyper first)."""

    def generate(self, noise: np.ndarray) -> np.ndarray:
        """G(noise): (n, noise_dim) -> (n, 2)."""

    def critic(self, points: np.ndarray) -> np.ndarray:
        """D's logit f(points), D = sigmoid(f): (n, 2) -> (n,); the critic's score for critic losses."""

    def critic_gradient(self, points: np.ndarray) -> np.ndarray:
        """df/dx at each point: (n, 2) -> (n, 2)."""

    def get_weights(self) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]: ...

    def set_weights(self, weights: dict[str, list[tuple[np.ndarray, np.ndarray]]]) -> None: ...


def check_optimizer_kinds(optimizers: dict, state: dict) -> None:
    """Raise ValueError unless an optimizer_state() was taken with the optimizer kinds now in use."""
    for net, optimizer in optimizers.items():
        kind = state.get(f"{net}_optimizer")
        if kind != optimizer.kind:
            raise ValueError(f"{net}: optimizer state of {kind!r} where the {optimizer.kind!r} optimizer is in use")
