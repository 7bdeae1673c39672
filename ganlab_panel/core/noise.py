"""The generator's noise: GAN Lab's uniform U(0, 1) or truncated gaussian (mean 0.5, std 0.25, +-2 std)."""

from __future__ import annotations

import numpy as np

MANIFOLD_CELLS = 20
CURVE_POINTS = 101


def sample_noise(rng: np.random.Generator, n: int, dim: int, kind: str) -> np.ndarray:
    """(n, dim) float32 noise; gaussian draws beyond 2 std are redrawn, as tf.truncatedNormal does."""
    if kind == "uniform":
        return rng.random((n, dim), dtype=np.float32)
    if kind != "gaussian":
        raise ValueError(f"unknown noise type {kind!r}; choose uniform or gaussian")
    z = rng.standard_normal((n, dim), dtype=np.float32)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()), dtype=np.float32)
        bad = np.abs(z) > 2
    return 0.5 + 0.25 * z


def manifold_grid(dim: int) -> np.ndarray:
    """Noise points whose images form the manifold: a (21 * 21, 2) grid, or a (101, 1) line for 1D."""
    if dim == 1:
        return np.linspace(0, 1, CURVE_POINTS)[:, None]
    ticks = np.linspace(0, 1, MANIFOLD_CELLS + 1)
    u, v = np.meshgrid(ticks, ticks)  # row index follows the second noise coordinate
    return np.column_stack([u.ravel(), v.ravel()])


def stretch(manifold: np.ndarray) -> np.ndarray:
    """How much G stretches each noise cell: image area (or length) over noise area (or length)."""
    if manifold.ndim == 2:  # a curve
        lengths = np.linalg.norm(np.diff(manifold, axis=0), axis=1)
        return lengths * (len(manifold) - 1)
    a, b = manifold[:-1, :-1], manifold[:-1, 1:]
    c, d = manifold[1:, 1:], manifold[1:, :-1]
    # Shoelace formula for the quadrilateral a-b-c-d.
    x = np.stack([a[..., 0], b[..., 0], c[..., 0], d[..., 0]])
    y = np.stack([a[..., 1], b[..., 1], c[..., 1], d[..., 1]])
    area = 0.5 * np.abs(np.sum(x * np.roll(y, -1, axis=0) - np.roll(x, -1, axis=0) * y, axis=0))
    return area * (manifold.shape[0] - 1) * (manifold.shape[1] - 1)
