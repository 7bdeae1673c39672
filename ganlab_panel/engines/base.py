"""The engine interface both backends satisfy, and what they share: layer shapes and initial weights.

Arrays in and out are float numpy arrays; an engine never sees the configuration object's watchers,
only plain values, so the trainer decides when things change.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Architecture:
    """Layer sizes of both networks, GAN Lab style: `layers` hidden ReLU layers after the first."""

    noise_dim: int
    generator_layers: int
    generator_neurons: int
    discriminator_layers: int
    discriminator_neurons: int

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
        return [2, n] + [n] * self.discriminator_layers + [1]


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

    @classmethod
    def from_config(cls, config) -> Hyper:
        return cls(*(getattr(config, f) for f in cls.__dataclass_fields__))


class Engine(Protocol):
    """What the trainer needs from a backend. Weights are exchanged as
    {'generator': [(W, b), ...], 'discriminator': [(W, b), ...]} with W of shape (fan_in, fan_out)."""

    def discriminator_step(self, real: np.ndarray, noise: np.ndarray) -> float:
        """One update of D on a real batch and G(noise); returns D's loss before the update."""

    def generator_step(self, noise: np.ndarray) -> float:
        """One update of G on G(noise); returns G's loss before the update."""

    def set_hyper(self, hyper: Hyper) -> None:
        """Apply live settings; optimizer state survives unless that optimizer's kind changed."""

    def generate(self, noise: np.ndarray) -> np.ndarray:
        """G(noise): (n, noise_dim) -> (n, 2)."""

    def discriminate(self, points: np.ndarray) -> np.ndarray:
        """D(points) in (0, 1): (n, 2) -> (n,)."""

    def discriminator_gradient(self, points: np.ndarray) -> np.ndarray:
        """dD/dx at each point: (n, 2) -> (n, 2); the generator's gradient arrows point along it."""

    def get_weights(self) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]: ...

    def set_weights(self, weights: dict[str, list[tuple[np.ndarray, np.ndarray]]]) -> None: ...


ENGINES = ("torch",)


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def resolve_engine(name: str) -> str:
    """The engine 'auto' stands for on this machine."""
    if name != "auto":
        return name
    if torch_available():
        return "torch"
    raise RuntimeError("no training engine is available: install torch (pip install torch)")


def create_engine(name: str, architecture: Architecture, weights, hyper: Hyper, device: str = "cpu"):
    """Build the named engine ('auto', 'torch') with the given initial weights."""
    name = resolve_engine(name)
    if name == "torch":
        from .torch_engine import TorchEngine

        return TorchEngine(architecture, weights, hyper, device=device)
    raise ValueError(f"unknown engine {name!r}; choose one of: auto, {', '.join(ENGINES)}")
