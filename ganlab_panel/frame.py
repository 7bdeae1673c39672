"""The Frame: one plain-numpy snapshot of an experiment, the only thing views receive."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Frame:
    """Everything the views draw at one moment. Coordinates are in the unit square, y up; arrays are
    float32 (they are shipped to the browser as is)."""

    iteration: int  # completed iterations (kD discriminator steps + kG generator steps each)
    discriminator_steps: int
    generator_steps: int
    real: np.ndarray  # (450, 2) real samples shown
    fake: np.ndarray  # (150, 2) G(noise) for the fixed noise batch
    noise: np.ndarray  # (150, noise_dim) that fixed noise batch
    heatmap: np.ndarray  # (R, R) D(x) at cell centres, row = y index, column = x index
    manifold: np.ndarray  # (21, 21, 2) noise grid pushed through G, or (101, 2) curve for 1D noise
    manifold_stretch: np.ndarray  # (20, 20) cell area ratio output/noise, or (100,) segment length ratio
    gradients: np.ndarray  # (150, 2) dD/dx at each fake sample: where G moves it to look more real
    real_predictions: np.ndarray  # (450,) D on the real samples shown
    fake_predictions: np.ndarray  # (150,) D on the fake samples shown
    discriminator_loss: float  # latest losses (NaN before the first step)
    generator_loss: float
    metrics: dict = field(default_factory=dict)  # e.g. {'kl': ..., 'js': ...}
    diverged: str | None = None  # the divergence message when training stopped on a NaN/inf
