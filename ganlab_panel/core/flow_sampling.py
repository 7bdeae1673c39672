"""Following a velocity field: the ODE steps that sample a flow, and the log-density by the instantaneous change
of variables. Pure functions of a `velocity(x, t)` (and `velocity_divergence(x, t)`), in the network's
standardised coordinates; core/flow_run.py maps the unit square to them and back.
"""

from __future__ import annotations

import math

import numpy as np

CENTRE, SCALE = 0.5, 0.25
"""The network sees data standardised as (x - CENTRE) / SCALE: the unit square is [-2, 2]^2, GAN Lab's
gaussian noise (mean 0.5, std 0.25) is N(0, I)."""

LOG_SCALE_AREA = 2 * math.log(SCALE)
"""log of the standardisation's area factor: log p(x in the square) = log p(z standardised) - LOG_SCALE_AREA."""

UNIFORM_HALF_WIDTH = 2.0
"""The uniform source covers [-2, 2]^2 standardised: the unit square."""


def to_network(points: np.ndarray) -> np.ndarray:
    return (points - CENTRE) / SCALE


def to_square(points: np.ndarray) -> np.ndarray:
    return points * SCALE + CENTRE


def draw_source(rng: np.random.Generator, n: int, kind: str, dtype=np.float32) -> np.ndarray:
    """(n, 2) source points, standardised: N(0, I), or uniform over [-2, 2]^2."""
    if kind == "gaussian":
        return rng.standard_normal((n, 2), dtype=dtype)
    if kind == "uniform":
        return (rng.random((n, 2), dtype=dtype) - 0.5) * (2 * UNIFORM_HALF_WIDTH)
    raise ValueError(f"unknown source {kind!r}; choose gaussian or uniform")


def source_log_density(z: np.ndarray, kind: str) -> np.ndarray:
    """log p0(z) of standardised points: -inf outside a uniform source's square."""
    if kind == "gaussian":
        return -math.log(2 * math.pi) - 0.5 * np.einsum("ij,ij->i", z, z)
    inside = np.all(np.abs(z) <= UNIFORM_HALF_WIDTH, axis=1)
    return np.where(inside, -math.log((2 * UNIFORM_HALF_WIDTH) ** 2), -np.inf)


def time_grid(steps: int, t: float) -> tuple[np.ndarray, int]:
    """Times from 0 to 1 that hold `t`, and t's index: `steps` equal steps when t falls on one of them,
    otherwise steps on [0, t] and on [t, 1] in proportion (at least one each), so a sample's position at t
    is an ODE step's end, not an interpolation."""
    if not 0 <= t <= 1:
        raise ValueError(f"time must be from 0 to 1, got {t}")
    even = np.linspace(0, 1, steps + 1)
    on = np.flatnonzero(np.isclose(even, t, rtol=0, atol=1e-9))
    if len(on):
        return even, int(on[0])
    before = min(max(round(steps * t), 1), max(steps - 1, 1))
    after = max(steps - before, 1)
    times = np.concatenate([np.linspace(0, t, before + 1), np.linspace(t, 1, after + 1)[1:]])
    return times, before


def step(velocity, x: np.ndarray, t0: float, t1: float, method: str) -> np.ndarray:
    """One ODE step of dx/dt = velocity(x, t) from t0 to t1 (either way): Euler or midpoint."""
    h = t1 - t0
    if method == "euler":
        return x + h * velocity(x, t0)
    if method != "midpoint":
        raise ValueError(f"unknown method {method!r}; choose midpoint or euler")
    middle = x + (0.5 * h) * velocity(x, t0)
    return x + h * velocity(middle, t0 + 0.5 * h)


def integrate(velocity, x: np.ndarray, times: np.ndarray, method: str, keep: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x carried along `times`; returns the end points and the path of the first `keep` rows,
    (len(times), keep, 2), positions after each step."""
    path = np.empty((len(times), keep, x.shape[1]), x.dtype)
    path[0] = x[:keep]
    for i in range(1, len(times)):
        x = step(velocity, x, float(times[i - 1]), float(times[i]), method)
        path[i] = x[:keep]
    return x, path


def log_density(
    velocity_divergence, x: np.ndarray, times: np.ndarray, method: str, source: str, velocity=None
) -> np.ndarray:
    """log p_t(x) at t = times[0] for standardised points x, integrating back along `times` (descending to 0):
    log p_t(x) = log p0(x0) - integral from 0 to t of div v(x_s, s) ds, the divergence taken where each step
    takes its velocity (its start for Euler, its middle for midpoint). `velocity`, if given, serves the
    midpoint's first evaluation, which needs no divergence (a third of the cost saved)."""
    spent = np.zeros(len(x), np.float64)
    for t0, t1 in zip(times[:-1], times[1:], strict=True):
        h = float(t1 - t0)  # negative: backwards in time
        if method == "midpoint":
            first = velocity(x, float(t0)) if velocity is not None else velocity_divergence(x, float(t0))[0]
            v, div = velocity_divergence(x + (0.5 * h) * first, float(t0) + 0.5 * h)
        else:
            v, div = velocity_divergence(x, float(t0))
        x = x + h * v
        spent -= h * div
    return source_log_density(x.astype(np.float64), source) - spent
