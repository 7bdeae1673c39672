"""Divergences between real and fake samples: pure functions of sample arrays.

GAN Lab's KL and JS, made correct: both histograms come from the same number of samples and are
normalised, and mass outside the unit square is kept in an extra 'outside' cell instead of vanishing.
"""

from __future__ import annotations

import numpy as np

GRID = 30
EPSILON = 1e-4
METRIC_SAMPLES = 10_000
"""Samples per side for KL/JS: about 11 per occupied cell on a 30 x 30 grid, so two independent
draws of the same distribution score KL 0.01-0.07 bits, JS 0.002-0.017 (tests/core/test_metrics.py)."""


def histogram(points: np.ndarray, grid: int = GRID) -> np.ndarray:
    """Normalised counts of points on a grid x grid partition of [0, 1]^2, plus one 'outside' cell."""
    # NaN, infinite and huge coordinates (a diverging generator) land outside without cast warnings
    points = np.clip(np.nan_to_num(np.asarray(points, dtype=float), nan=-1.0), -1.0, 2.0)
    cells = np.floor(points * grid).astype(np.int64)
    inside = np.all((cells >= 0) & (cells < grid), axis=1)
    index = np.where(inside, cells[:, 1] * grid + cells[:, 0], grid * grid)
    counts = np.bincount(index, minlength=grid * grid + 1).astype(float)
    return counts / max(len(points), 1)


def _smooth(p: np.ndarray, epsilon: float) -> np.ndarray:
    # GAN Lab's smoothing, not renormalised: both sides gain the same total mass, so KL and JS stay >= 0,
    # and fully disjoint histograms still score JS ~ 1 (renormalising would cap it near 1 / (1 + 901 eps)).
    return p + epsilon


def kl_divergence(p: np.ndarray, q: np.ndarray, epsilon: float = EPSILON) -> float:
    """KL(p || q) in bits between two histograms, each cell raised by epsilon as GAN Lab does."""
    p, q = _smooth(p, epsilon), _smooth(q, epsilon)
    return float(np.sum(p * np.log2(p / q)))


def js_divergence(p: np.ndarray, q: np.ndarray, epsilon: float = EPSILON) -> float:
    """Jensen-Shannon divergence in bits (0 for equal histograms, at most 1)."""
    p, q = _smooth(p, epsilon), _smooth(q, epsilon)
    m = 0.5 * (p + q)
    return float(0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m)))


def divergences(real: np.ndarray, fake: np.ndarray, grid: int = GRID, real_histogram=None) -> dict:
    """{'kl': KL(real || fake), 'js': JS(real, fake)} on the grid; pass `real_histogram` to reuse it."""
    p = histogram(real, grid) if real_histogram is None else real_histogram
    q = histogram(fake, grid)
    return {"kl": kl_divergence(p, q), "js": js_divergence(p, q)}


SCORE_SAMPLES = 50_000
"""Samples per side for `grid_js` when scoring a model once (the shipped ones): two 50,000-sample draws of
the same distribution score at most 0.004 bits, so a score measures the model, not the draw."""


def grid_js(real: np.ndarray, fake: np.ndarray, grid: int = GRID) -> float:
    """GAN Lab's JS in bits between two sample sets: 30 x 30 grid histograms, epsilon 1e-4, log base 2."""
    return js_divergence(histogram(real, grid), histogram(fake, grid))


MODE_SAMPLES = 2_500
"""Generated samples for the mode-collapse metrics, as VEEGAN and PacGAN count them."""
HIGH_QUALITY_STDS = 3.0


def mode_metrics(samples: np.ndarray, modes: np.ndarray, std: float) -> dict:
    """VEEGAN/PacGAN's mode-collapse figures for samples of a mixture with known `modes` (K, 2) of equal
    weight and standard deviation `std`:
    - 'high_quality': the share of samples within 3 std of their nearest mode's centre;
    - 'modes': how many modes are the nearest mode of at least one high-quality sample (of 'modes_total');
    - 'mode_kl': KL(generated || uniform) in nats over the modes, the generated histogram counting the
      high-quality samples at their nearest mode (0 when spread evenly, log K all in one mode; log K
      too when no sample is high quality).
    """
    samples = np.nan_to_num(np.asarray(samples, dtype=float), nan=np.inf)
    modes = np.asarray(modes, dtype=float)
    distance = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)
    nearest = np.argmin(distance, axis=1)
    good = distance[np.arange(len(samples)), nearest] <= HIGH_QUALITY_STDS * std
    counts = np.bincount(nearest[good], minlength=len(modes)).astype(float)
    k = len(modes)
    if counts.sum() == 0:
        kl = float(np.log(k))
    else:
        p = counts / counts.sum()
        kl = float(np.sum(p[p > 0] * np.log(p[p > 0] * k)))
    return {
        "modes": int(np.count_nonzero(counts)),
        "modes_total": k,
        "high_quality": float(good.mean()) if len(samples) else 0.0,
        "mode_kl": kl,
    }
