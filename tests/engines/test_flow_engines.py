"""The flow engines: the NumPy velocity network's backward pass against torch autograd, both engines training
alike from the same weights and batches, the exact divergence against autograd's Jacobian, optimizer state and
weight checks, and which engine 'auto' builds. Float64 for the comparisons (both engines take a dtype)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel.engines.factory import create_flow_engine
from ganlab_panel.engines.flow_base import FlowArchitecture, FlowHyper, initial_flow_weights, scheduled_rate
from ganlab_panel.engines.flow_numpy import NumpyFlowEngine

torch = pytest.importorskip("torch")
from ganlab_panel.engines.flow_torch import TorchFlowEngine  # noqa: E402

ACTIVATIONS = {"silu": torch.nn.functional.silu, "relu": torch.relu, "tanh": torch.tanh}
SHAPES = [(1, 5), (2, 8), (3, 16)]


def _weights(architecture, seed=0):
    rng = np.random.default_rng(seed)
    return {"velocity": initial_flow_weights(architecture.sizes, rng)}


def _batch(rng, n=64):
    """Source points, data points (a small ring, as the data's scale after standardising) and times."""
    angle = rng.uniform(0, 2 * math.pi, n)
    x1 = 1.6 * np.column_stack([np.cos(angle), np.sin(angle)]) + 0.05 * rng.standard_normal((n, 2))
    return rng.standard_normal((n, 2)), x1, rng.random(n)


def _autograd(weights, activation, x0, x1, t):
    """The loss and its gradients by torch autograd on a plainly written network: the reference."""
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for pair in weights["velocity"] for a in pair]
    x0, x1, t = (torch.tensor(a, dtype=torch.float64) for a in (x0, x1, t))
    h = torch.cat([x0 + t[:, None] * (x1 - x0), t[:, None]], dim=1)
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i < len(params) - 2:
            h = ACTIVATIONS[activation](h)
    loss = ((h - (x1 - x0)) ** 2).mean()
    gradients = torch.autograd.grad(loss, params)
    return loss.item(), [g.numpy() for g in gradients]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(("layers", "neurons"), SHAPES)
def test_numpy_backward_matches_torch_autograd(activation, layers, neurons):
    architecture = FlowArchitecture(layers, neurons, activation)
    weights = _weights(architecture, seed=layers)
    x0, x1, t = _batch(np.random.default_rng(7))
    engine = NumpyFlowEngine(architecture, weights, FlowHyper(), dtype=np.float64)
    loss, gradients = engine.loss_and_gradients(x0, x1, t)
    expected_loss, expected = _autograd(weights, activation, x0, x1, t)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    flat = [g for pair in gradients for g in pair]
    assert len(flat) == len(expected)
    for mine, reference in zip(flat, expected, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-9, atol=1e-13)
    assert any(np.abs(g).max() > 1e-3 for g in flat)  # a real gradient, not zeros compared with zeros


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_both_engines_train_alike_from_the_same_weights_and_batches(activation, optimizer):
    architecture = FlowArchitecture(3, 16, activation)
    hyper = FlowHyper(optimizer, 0.01 if optimizer == "adam" else 0.05, "cosine", 100)
    weights = _weights(architecture, seed=3)
    numpy_engine = NumpyFlowEngine(architecture, weights, hyper, dtype=np.float64)
    torch_engine = TorchFlowEngine(architecture, weights, hyper, dtype=torch.float64)
    rng = np.random.default_rng(5)
    losses = []
    for iteration in range(100):
        batch, rate = _batch(rng), scheduled_rate(hyper, iteration)
        losses.append((numpy_engine.step(*batch, rate), torch_engine.step(*batch, rate)))
    np.testing.assert_allclose(*np.array(losses).T, rtol=1e-9)
    # they learned, and alike (flow matching's loss has a high floor: the pairs' spread around the mean field)
    assert np.mean(losses[-10:]) < 0.97 * np.mean(losses[:10])
    pairs = zip(numpy_engine.get_weights()["velocity"], torch_engine.get_weights()["velocity"], strict=True)
    for (w, b), (w2, b2) in pairs:
        np.testing.assert_allclose(w, w2, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(b, b2, rtol=1e-8, atol=1e-10)


def test_float32_engines_agree_on_a_step():
    """As shipped (float32 both): one step's loss and weights agree to float32's precision."""
    architecture = FlowArchitecture()
    weights = _weights(architecture, seed=1)
    engines = [NumpyFlowEngine(architecture, weights, FlowHyper()), TorchFlowEngine(architecture, weights, FlowHyper())]
    batch = [a.astype(np.float32) for a in _batch(np.random.default_rng(2), 256)]
    first, second = (engine.step(*batch, 1e-3) for engine in engines)
    assert first == pytest.approx(second, rel=1e-5)
    # Adam's first step moves each weight by about the rate; a gradient near 0 in float32 may move it less in one
    # engine than the other (m / sqrt(v) of rounding), so weights agree to 1% of the rate
    for (w, _), (w2, _) in zip(*(engine.get_weights()["velocity"] for engine in engines), strict=True):
        np.testing.assert_allclose(w, w2, rtol=0, atol=1e-5)


@pytest.mark.parametrize("engine_kind", ["numpy", "torch"])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(("layers", "neurons"), SHAPES)
def test_divergence_is_the_trace_of_autograds_jacobian(engine_kind, activation, layers, neurons):
    architecture = FlowArchitecture(layers, neurons, activation)
    weights = _weights(architecture, seed=layers + 10)
    engine = (NumpyFlowEngine if engine_kind == "numpy" else TorchFlowEngine)(
        architecture, weights, FlowHyper(), dtype=np.float64 if engine_kind == "numpy" else torch.float64
    )
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((40, 2)) * 1.5, rng.random(40)
    velocity, divergence = engine.velocity_divergence(x, t)
    np.testing.assert_allclose(velocity, engine.velocity(x, t), rtol=1e-12)

    params = [torch.tensor(a, dtype=torch.float64) for pair in weights["velocity"] for a in pair]

    def field(point, time):
        h = torch.cat([point, time[None]])
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = ACTIVATIONS[activation](h)
        return h

    for point, time, v, div in zip(x, t, velocity, divergence, strict=True):
        point, time = torch.tensor(point), torch.tensor(time)
        jacobian = torch.autograd.functional.jacobian(lambda p, time=time: field(p, time), point)
        np.testing.assert_allclose(v, field(point, time).numpy(), rtol=1e-10, atol=1e-12)
        assert div == pytest.approx(torch.trace(jacobian).item(), rel=1e-9, abs=1e-12)


def test_a_scalar_time_is_every_points_time():
    architecture = FlowArchitecture(2, 8)
    for kind in ("numpy", "torch"):
        engine = create_flow_engine(kind, architecture, _weights(architecture), FlowHyper())
        x = np.random.default_rng(0).standard_normal((10, 2)).astype(np.float32)
        np.testing.assert_array_equal(engine.velocity(x, 0.25), engine.velocity(x, np.full(10, 0.25, np.float32)))


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_optimizer_state_carries_adam_over_and_refuses_another_kind(kind):
    architecture, hyper = FlowArchitecture(2, 8), FlowHyper("adam", 0.01)
    rng = np.random.default_rng(0)
    batches = [_batch(rng, 32) for _ in range(6)]
    first = create_flow_engine(kind, architecture, _weights(architecture), hyper)
    for batch in batches[:3]:
        first.step(*batch, 0.01)
    state, weights = first.optimizer_state(), first.get_weights()
    assert state["velocity_optimizer"] == "adam" and state["velocity_step"] == 3
    second = create_flow_engine(kind, architecture, weights, hyper)
    second.load_optimizer_state(state)
    for batch in batches[3:]:
        assert first.step(*batch, 0.01) == second.step(*batch, 0.01)
    sgd = create_flow_engine(kind, architecture, weights, FlowHyper("sgd"))
    with pytest.raises(ValueError, match="optimizer state of 'adam' where the 'sgd' optimizer is in use"):
        sgd.load_optimizer_state(state)
    first.set_hyper(FlowHyper("adam", 0.5))  # a new rate keeps Adam's moments
    assert first.optimizer_state()["velocity_step"] == 6


@pytest.mark.parametrize("kind", ["numpy", "torch"])
def test_weights_of_the_wrong_shape_are_refused_and_change_nothing(kind):
    architecture = FlowArchitecture(2, 8)
    engine = create_flow_engine(kind, architecture, _weights(architecture), FlowHyper())
    before = engine.get_weights()
    bad = _weights(FlowArchitecture(2, 8))
    bad["velocity"][-1] = (np.zeros((8, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"velocity: weight of shape \(8, 3\) where \(8, 2\) is needed"):
        engine.set_weights(bad)
    with pytest.raises(ValueError, match="expected 3 layers, got 2"):
        engine.set_weights({"velocity": bad["velocity"][:2]})
    for (w, b), (w2, b2) in zip(before["velocity"], engine.get_weights()["velocity"], strict=True):
        np.testing.assert_array_equal(w, w2)
        np.testing.assert_array_equal(b, b2)


def test_auto_builds_numpy_on_the_cpu_whatever_the_size_and_torch_when_asked():
    for architecture in (FlowArchitecture(), FlowArchitecture(4, 256)):  # NumPy trains both faster (factory.py)
        engine = create_flow_engine("auto", architecture, _weights(architecture), FlowHyper())
        assert isinstance(engine, NumpyFlowEngine)
    architecture = FlowArchitecture()
    assert isinstance(create_flow_engine("torch", architecture, _weights(architecture), FlowHyper()), TorchFlowEngine)


def test_cosine_schedule_decays_to_its_floor_and_stays():
    hyper = FlowHyper("adam", 0.002, "cosine", 1000)
    assert scheduled_rate(hyper, 0) == 0.002
    assert scheduled_rate(hyper, 500) == pytest.approx(0.002 * (0.01 + 0.99 * 0.5))
    assert scheduled_rate(hyper, 1000) == scheduled_rate(hyper, 5000) == pytest.approx(0.002 * 0.01)
    rates = [scheduled_rate(hyper, i) for i in range(0, 1001, 50)]
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))
    assert scheduled_rate(FlowHyper("adam", 0.002, "constant", 1000), 700) == 0.002
