"""TrainingState: everything a Trainer needs to go on exactly as if it had never been interrupted.

Trainer.state() takes one and Trainer.restore(state) goes back to it; the app's timeline keeps a few to
resume from an earlier point. All values are plain copies (numpy arrays, Python numbers, dicts), so a
state stays valid however the trainer goes on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

STATE_OVERHEAD = 4_000
"""Bytes of Python objects around the arrays: ~20 settings, two RNG states, the containers (measured with
tracemalloc at GAN Lab's defaults: ~3.9 KB beside 1.7 KB of weights)."""


@dataclass(frozen=True)
class TrainingState:
    """A trainer at one moment. The noise is kept as the RNG state from which the current 64-batch buffer
    was drawn, with the buffer's size and how many of its rows are left: restoring re-draws the buffer
    (~0.1 ms) instead of keeping its ~77 KB."""

    settings: dict  # GanConfig.to_dict()
    weights: (
        dict  # Engine.get_weights(): {'generator': [(W, b), ...], 'discriminator': [...]}, a flow's {'velocity': ...}
    )
    optimizer: dict | None  # Engine.optimizer_state(); None: a checkpoint's, trained on afresh from the seed
    noise_rng: dict | None  # the noise generator's bit_generator.state when the current buffer was drawn
    noise_drawn: int  # rows drawn into that buffer (0: none drawn yet; noise_rng is then the current state)
    noise_left: int  # rows of it not used yet
    mix_rng: dict | None  # the WGAN-GP interpolation generator's bit_generator.state
    real_cursor: int  # next row of the real pool
    iteration: int
    discriminator_steps: int
    generator_steps: int
    discriminator_loss: float
    generator_loss: float
    flow_loss: float = float("nan")  # a flow's latest loss (a flow keeps no noise buffer: noise_drawn is 0)

    @classmethod
    def from_checkpoint(cls, settings: dict, weights: dict, iteration: int = 0) -> TrainingState:
        """A checkpoint's state: settings, weights and iteration; optimizer and random streams start afresh."""
        nan = float("nan")
        return cls(settings, weights, None, None, 0, 0, None, 0, int(iteration), 0, 0, nan, nan)

    @functools.cached_property
    def nbytes(self) -> int:
        """Approximate memory held: the arrays, plus drawn points and a fixed allowance for the rest."""
        arrays = [a for layers in self.weights.values() for layer in layers for a in layer]
        arrays += [a for value in (self.optimizer or {}).values() if isinstance(value, list) for a in value]
        points = self.settings.get("points") or []
        # a drawn point is a list of two floats: ~56 + 2 * 24 + 8 bytes in CPython
        return sum(np.asarray(a).nbytes for a in arrays) + 112 * len(points) + STATE_OVERHEAD


MODEL_NAMES = {"gan": "GAN", "flow": "flow-matching model"}


def check_model(settings: dict, model: str) -> None:
    """Refuse (ValueError) a state or checkpoint of another model than `model`, the one being trained: its
    weights fit no network here. Settings without 'model' are a GAN's (files from before flows)."""
    found = settings.get("model", "gan") if isinstance(settings, dict) else None
    if found != model:
        what = MODEL_NAMES.get(found, f"model {found!r}")
        raise ValueError(
            f"this is a {what}'s checkpoint, and this experiment trains a {MODEL_NAMES.get(model, model)}: "
            f"set model to {found!r} first to load it (nothing was changed)"
        )
