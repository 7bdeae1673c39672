"""The Frame: one plain-numpy snapshot of a GAN experiment, the only thing views receive. A flow's is the
FlowFrame (core/flow_frame.py)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

CRITIC_SPREAD_QUANTILE = 0.95
"""A critic's colour scale reaches the 95th percentile of |f - centre| over the heatmap: a few extreme
cells do not wash out the rest."""


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above value (at least 0.01): a scale that changes rarely, so the
    legend is relabelled now and then rather than every frame."""
    if not math.isfinite(value):
        return math.nan  # a NaN scale makes the heatmap NaN, which the trainer treats as divergence
    value = max(value, 0.01)
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value * (1 - 1e-12))


@dataclass(frozen=True)
class HeatmapScale:
    """How a frame's heatmap and predictions turn D's logit f into a shade from 0 (purple, fake) to 1
    (green, real). 'probability': D(x) = sigmoid(f). 'critic' (losses that use f itself: hinge, WGAN-GP):
    0.5 + 0.5 (f - centre) / scale, clipped to [0, 1], so the colour bar runs from centre - scale to
    centre + scale."""

    kind: str = "probability"
    scale: float = 1.0
    centre: float = 0.0
    centred: bool = False  # centre is f's median over the square (WGAN-GP: a constant added to f changes nothing)

    @classmethod
    def critic(cls, grid_logits: np.ndarray, centred: bool) -> HeatmapScale:
        """A critic scale fitted to f over the heatmap's cells; `centred` puts its median at the middle."""
        logits = np.asarray(grid_logits, dtype=np.float64)
        centre = float(np.median(logits)) if centred else 0.0
        spread = float(np.quantile(np.abs(logits - centre), CRITIC_SPREAD_QUANTILE)) if len(logits) else 1.0
        return cls("critic", _nice_ceiling(spread), centre, centred)

    def shade(self, logits: np.ndarray) -> np.ndarray:
        """The colour value in [0, 1] of each logit."""
        if self.kind == "probability":
            return 0.5 * (1 + np.tanh(0.5 * logits))
        return np.clip(0.5 + 0.5 * (logits - self.centre) / self.scale, 0, 1)

    def slope(self, logits: np.ndarray) -> np.ndarray:
        """d shade / d f at each logit, unclipped: times df/dx it gives the gradient arrows."""
        if self.kind == "probability":
            d = self.shade(logits)
            return d * (1 - d)
        return np.full_like(logits, 0.5 / self.scale)


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
    heatmap: np.ndarray  # (R, R) D(x) or a critic's shade (heatmap_scale) at cell centres, row = y, column = x
    manifold: np.ndarray  # (21, 21, 2) noise grid pushed through G, or (101, 2) curve for 1D noise
    manifold_stretch: np.ndarray  # (20, 20) cell area ratio output/noise, or (100,) segment length ratio
    gradients: np.ndarray  # (150, 2) d shade/dx (dD/dx) at each fake sample: where G moves it to look more real
    real_predictions: np.ndarray  # (450,) D (or the critic's shade) on the real samples shown
    fake_predictions: np.ndarray  # (150,) D (or the critic's shade) on the fake samples shown
    discriminator_loss: float  # latest losses (NaN before the first step)
    generator_loss: float
    metrics: dict = field(default_factory=dict)  # e.g. {'kl': ..., 'js': ...}
    diverged: str | None = None  # the divergence message when training stopped on a NaN/inf
    heatmap_scale: HeatmapScale = HeatmapScale()  # how heatmap and predictions map D's logit to [0, 1]

    @property
    def position(self) -> tuple[int, int, int]:
        """Where training was: (iteration, discriminator steps, generator steps), as Trainer.position."""
        return self.iteration, self.discriminator_steps, self.generator_steps


@functools.lru_cache(maxsize=4)
def cell_centres(resolution: int) -> np.ndarray:
    """Centres of a heatmap's cells, row by row (y), as (resolution^2, 2) points; cached per frame size."""
    centres = (np.arange(resolution) + 0.5) / resolution
    gx, gy = np.meshgrid(centres, centres)
    return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)  # the engines' dtype: no copy per frame
