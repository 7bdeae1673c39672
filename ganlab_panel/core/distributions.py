"""Real-data distributions: a registry of seeded, vectorised samplers in the unit square."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Sampler = Callable[[int, np.random.Generator], np.ndarray]


def _line(n: int, rng: np.random.Generator) -> np.ndarray:
    r = rng.random(n)
    noise = rng.standard_normal((n, 2))
    return np.column_stack([0.8 - 0.75 * r + 0.01 * noise[:, 0], 0.6 + 0.3 * r + 0.01 * noise[:, 1]])


def _gaussians(n: int, rng: np.random.Generator) -> np.ndarray:
    first = rng.random(n) < 0.5
    noise = rng.standard_normal((n, 2))
    center = np.where(first[:, None], [0.3, 0.7], [0.7, 0.4])
    scale = np.where(first[:, None], [0.1, 0.1], [0.05, 0.2])
    return center + scale * noise


def _ring(n: int, rng: np.random.Generator) -> np.ndarray:
    angle = 2 * np.pi * rng.random(n)
    noise = rng.standard_normal((n, 2))
    return np.column_stack(
        [0.5 + 0.3 * np.cos(angle) + 0.025 * noise[:, 0], 0.45 + 0.25 * np.sin(angle) + 0.025 * noise[:, 1]]
    )


_DISJOINT_CENTERS = np.array([[0.35, 0.75], [0.75, 0.6], [0.45, 0.35]])


def _disjoint(n: int, rng: np.random.Generator) -> np.ndarray:
    which = rng.integers(0, len(_DISJOINT_CENTERS), n)
    return _DISJOINT_CENTERS[which] + 0.025 * rng.standard_normal((n, 2))


# -- the mode-collapse benchmarks' mixtures (toy-gan-benchmarks.md), scaled into the view ------------
VIEW_CENTRE, VIEW_HALF_WIDTH = 0.5, 0.4
"""Benchmark data is scaled so its mode centres span [0.1, 0.9]; its standard deviations scale alike."""


def _into_view(centres: np.ndarray, std: float) -> tuple[np.ndarray, float]:
    scale = VIEW_HALF_WIDTH / np.abs(centres).max()
    return VIEW_CENTRE + scale * centres, scale * std


_ANGLES = 2 * np.pi * np.arange(8) / 8
RING8_MODES, RING8_STD = _into_view(np.column_stack([np.cos(_ANGLES), np.sin(_ANGLES)]), 0.01)
"""ring-8: 8 modes on a circle of radius 1 at angles 2 pi k / 8, std 0.01 (scaled: radius 0.4, std 0.004)."""
GRID25_MODES, GRID25_STD = _into_view(np.array([(x, y) for x in range(-4, 5, 2) for y in range(-4, 5, 2)], float), 0.05)
"""grid-25: 25 modes at {-4, -2, 0, 2, 4}^2, std 0.05 (scaled: spacing 0.2, std 0.005)."""


def _mixture(modes: np.ndarray, std: float):
    def sample(n: int, rng: np.random.Generator) -> np.ndarray:
        return modes[rng.integers(0, len(modes), n)] + std * rng.standard_normal((n, 2))

    return sample


def _moons(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two interleaved half circles (scikit-learn's make_moons, noise 0.05), scaled into the view."""
    upper = rng.random(n) < 0.5
    angle = np.pi * rng.random(n)
    x = np.where(upper, np.cos(angle), 1 - np.cos(angle))
    y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    points = np.column_stack([x, y]) + 0.05 * rng.standard_normal((n, 2))
    return 0.5 + 0.28 * (points - [0.5, 0.25])  # x in [-1, 2], y in [-0.5, 1] -> [0.08, 0.92] x [0.29, 0.71]


def _spiral(n: int, rng: np.random.Generator) -> np.ndarray:
    """One arm of an Archimedean spiral, 1.5 turns, points spread evenly along its length."""
    turn = np.sqrt(rng.random(n))  # even along the arm: arc length grows with the angle squared
    angle = 3 * np.pi * turn
    radius = 0.4 * turn
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return 0.5 + points + 0.008 * rng.standard_normal((n, 2))


def _checkerboard(n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform on the dark squares of a 4 x 4 board spanning [0.1, 0.9]^2."""
    cells = np.array([(i, j) for i in range(4) for j in range(4) if (i + j) % 2 == 0], float)
    corner = cells[rng.integers(0, len(cells), n)]
    return 0.1 + 0.2 * (corner + rng.random((n, 2)))


def validate_points(points, name: str = "points") -> np.ndarray:
    """Return `points` as a float (N, 2) array, or raise ValueError saying what is wrong."""
    try:
        array = np.asarray(points, dtype=float)
    except (TypeError, ValueError, OverflowError) as error:  # OverflowError: an int beyond float's range
        raise ValueError(f"{name} must be a list of (x, y) pairs of numbers: {error}") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty: draw or load at least 1 point")
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains non-finite values (NaN or infinity)")
    return array


@dataclass(frozen=True)
class PointsDistribution:
    """Samples a stored point uniformly, plus gaussian jitter (a drawing, an uploaded file)."""

    points: np.ndarray
    jitter: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "points", validate_points(self.points))
        if not (np.isfinite(self.jitter) and self.jitter >= 0):
            raise ValueError(f"jitter must be a finite number >= 0, got {self.jitter}")

    def __call__(self, n: int, rng: np.random.Generator) -> np.ndarray:
        picked = self.points[rng.integers(0, len(self.points), n)]
        if self.jitter:
            picked = picked + self.jitter * rng.standard_normal((n, 2))
        return picked


DRAWING_JITTER = 0.02


@dataclass(frozen=True)
class DistributionInfo:
    """A registry entry: the name used in settings, GAN Lab's title, and whether it needs points."""

    name: str
    title: str
    sampler: Sampler | None = None
    needs_points: bool = False
    jitter: float = 0.0
    modes: np.ndarray | None = None  # a mixture's component centres, for the mode-collapse metrics
    mode_std: float = 0.0  # and their standard deviation


REGISTRY: dict[str, DistributionInfo] = {
    info.name: info
    for info in [
        DistributionInfo("line", "Simple line", _line),
        DistributionInfo("gaussians", "Mixture of Gaussians", _gaussians),
        DistributionInfo("ring", "Ring", _ring),
        DistributionInfo("disjoint", "3 disjoint regions", _disjoint),
        DistributionInfo(
            "ring8", "Ring of 8 (benchmark)", _mixture(RING8_MODES, RING8_STD), False, 0.0, RING8_MODES, RING8_STD
        ),
        DistributionInfo(
            "grid25", "Grid of 25 (benchmark)", _mixture(GRID25_MODES, GRID25_STD), False, 0.0, GRID25_MODES, GRID25_STD
        ),
        DistributionInfo("moons", "Two moons", _moons),
        DistributionInfo("spiral", "Spiral", _spiral),
        DistributionInfo("checkerboard", "Checkerboard", _checkerboard),
        DistributionInfo("drawing", "Draw one by yourself", needs_points=True, jitter=DRAWING_JITTER),
        DistributionInfo("points", "Points from an array or file", needs_points=True),
    ]
}


def titles() -> dict[str, str]:
    """Registry names mapped to their human titles, in display order."""
    return {name: info.title for name, info in REGISTRY.items()}


def make_sampler(name: str, points=None) -> Sampler:
    """The sampler for a registry name; `points` is required by 'drawing' and 'points'."""
    if name not in REGISTRY:
        raise ValueError(f"unknown distribution {name!r}; choose one of: {', '.join(REGISTRY)}")
    info = REGISTRY[name]
    if info.needs_points:
        if points is None or _empty(points):
            raise ValueError(f"distribution {name!r} needs at least 1 point: draw or load some first")
        return PointsDistribution(points, info.jitter)
    return info.sampler


def _empty(points) -> bool:
    try:
        return len(points) == 0
    except TypeError:  # not a sequence (a number, a 0-d array): validate_points says what is wrong
        return False


def sample(name: str, n: int, seed: int | np.random.Generator = 0, points=None) -> np.ndarray:
    """Draw `n` samples of a named distribution, reproducibly for a given seed."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return make_sampler(name, points)(n, rng)
