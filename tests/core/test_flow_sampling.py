"""Following a velocity field: the ODE steps and the log-density against a linear field, whose flow is known in
closed form, the time grid, and a velocity network's density integrating to one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel.core.flow_sampling import integrate, log_density, source_log_density, time_grid
from ganlab_panel.engines.flow_base import FlowArchitecture, FlowHyper, initial_flow_weights
from ganlab_panel.engines.flow_numpy import NumpyFlowEngine

# v(x, t) = A x + b with A = a I + w J (a rotation-and-scaling): e^{At} = e^{at} R(wt), div v = tr A = 2a
A_SCALE, A_TURN = -0.4, 1.3
B = np.array([0.5, -0.25])
A = np.array([[A_SCALE, A_TURN], [-A_TURN, A_SCALE]])


def linear_velocity(x, t):
    return x @ A.T + B


def linear_velocity_divergence(x, t):
    return linear_velocity(x, t), np.full(len(x), 2 * A_SCALE)


def exact_map(t):
    """x(t) = M x(0) + c for the linear field: M = e^{At}, c = A^-1 (M - I) b."""
    turn = A_TURN * t
    m = math.exp(A_SCALE * t) * np.array([[math.cos(turn), math.sin(turn)], [-math.sin(turn), math.cos(turn)]])
    return m, np.linalg.solve(A, (m - np.eye(2)) @ B)


def exact_log_density(x, t):
    """The pushforward of N(0, I) by x -> M x + c: N(c, M M^T) = N(c, e^{2at} I)."""
    _, c = exact_map(t)
    variance = math.exp(2 * A_SCALE * t)
    return -math.log(2 * math.pi * variance) - 0.5 * np.sum((x - c) ** 2, axis=1) / variance


@pytest.mark.parametrize("t", [1.0, 0.6])
def test_steps_follow_the_linear_fields_exact_flow_midpoint_at_second_order(t):
    x0 = np.random.default_rng(0).standard_normal((50, 2))
    m, c = exact_map(t)
    exact = x0 @ m.T + c
    errors = {}
    for method in ("euler", "midpoint"):
        for steps in (20, 40):
            end, path = integrate(linear_velocity, x0, np.linspace(0, t, steps + 1), method, keep=3)
            errors[method, steps] = np.abs(end - exact).max()
            assert path.shape == (steps + 1, 3, 2)
            np.testing.assert_array_equal(path[0], x0[:3])
            np.testing.assert_array_equal(path[-1], end[:3])
    assert errors["midpoint", 40] < 1e-3
    assert 3.5 < errors["midpoint", 20] / errors["midpoint", 40] < 4.5  # second order
    assert 1.8 < errors["euler", 20] / errors["euler", 40] < 2.2  # first order
    assert errors["midpoint", 20] < errors["euler", 40]


@pytest.mark.parametrize("method", ["midpoint", "euler"])
@pytest.mark.parametrize("t", [1.0, 0.35])
def test_log_density_is_the_exact_gaussian_pushforward(method, t):
    m, c = exact_map(t)
    x = np.random.default_rng(1).standard_normal((200, 2)) @ m.T + c  # where the pushforward lives
    steps = 400 if method == "euler" else 100
    times = np.linspace(t, 0, steps + 1)
    log_p = log_density(linear_velocity_divergence, x, times, method, "gaussian")
    error = np.abs(log_p - exact_log_density(x, t)).max()
    assert error < (5e-2 if method == "euler" else 1e-3)
    coarse = log_density(linear_velocity_divergence, x, np.linspace(t, 0, steps // 2 + 1), method, "gaussian")
    assert np.abs(coarse - exact_log_density(x, t)).max() > 1.5 * error  # and it converges


def test_a_uniform_source_has_no_density_outside_its_square():
    t = 1.0
    m, c = exact_map(t)
    inside = np.array([[0.3, -0.2], [1.9, 1.9]]) @ m.T + c
    outside = np.array([[2.3, 0.0], [0.0, -2.5]]) @ m.T + c
    log_p = log_density(
        linear_velocity_divergence, np.vstack([inside, outside]), np.linspace(t, 0, 201), "midpoint", "uniform"
    )
    np.testing.assert_allclose(log_p[:2], -math.log(16) - 2 * A_SCALE * t, atol=1e-5)
    assert np.all(log_p[2:] == -np.inf)
    assert source_log_density(np.zeros((1, 2)), "gaussian")[0] == pytest.approx(-math.log(2 * math.pi))


def test_time_grid_holds_t_as_a_step_and_keeps_the_step_count():
    times, index = time_grid(20, 0.5)
    np.testing.assert_allclose(times, np.linspace(0, 1, 21))
    assert index == 10
    times, index = time_grid(20, 0.37)
    assert times[index] == pytest.approx(0.37) and len(times) == 21
    assert np.all(np.diff(times) > 0) and times[0] == 0 and times[-1] == 1
    assert time_grid(20, 0.0)[1] == 0 and time_grid(20, 1.0)[1] == 20
    times, index = time_grid(1, 0.4)  # one step cannot hold 0.4: one each side
    np.testing.assert_allclose(times, [0, 0.4, 1])
    with pytest.raises(ValueError, match="time must be from 0 to 1"):
        time_grid(10, 1.5)


def test_a_velocity_networks_density_integrates_to_one():
    """The engine's exact divergence and the backward integration together conserve mass: the density of a
    (random, smooth) velocity network's flow sums to 1 over a plane wide enough to hold it."""
    architecture = FlowArchitecture(3, 32, "silu")
    weights = {"velocity": initial_flow_weights(architecture.sizes, np.random.default_rng(3))}
    weights["velocity"] = [(2 * w, b) for w, b in weights["velocity"]]  # a field that moves mass visibly
    engine = NumpyFlowEngine(architecture, weights, FlowHyper(), dtype=np.float64)
    ticks = np.linspace(-7, 7, 141)
    gx, gy = np.meshgrid(ticks, ticks)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    log_p = log_density(engine.velocity_divergence, grid, np.linspace(1, 0, 41), "midpoint", "gaussian")
    mass = np.exp(log_p).sum() * (ticks[1] - ticks[0]) ** 2
    assert mass == pytest.approx(1, abs=0.01)
    source = np.exp(source_log_density(grid, "gaussian"))
    assert np.abs(np.exp(log_p) - source).max() > 0.02  # the flow did move the mass
