"""The NumPy engine: the torch engine's training to 1e-5 from the same weights and batches, its backward
pass against finite differences, what frames need from it, live settings, weight loading, and which
engine 'auto' and the configuration pick.

Parity is checked against the torch engine computing in float64. In float32 (as it ships) torch's own
rounding, ~1e-7 a step, is amplified by the training dynamics: after 200 iterations, torch in float32
and torch in float64 differ by up to the size of the weights in some of these configurations, and so
does any other engine. In float64 the two engines agree to ~1e-10; one float32 step agrees to 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest
from reference_nets import flat, input_gradient, mlp, numerical_gradient, seeded_weights

from ganlab_panel.core import distributions
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.noise import sample_noise
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.engines import factory, losses
from ganlab_panel.engines.base import Architecture, Hyper
from ganlab_panel.engines.factory import create_engine, resolve_engine
from ganlab_panel.engines.losses import NUMPY_OPS
from ganlab_panel.engines.numpy_engine import NumpyEngine

PARITY = {"rtol": 1e-5, "atol": 1e-8}  # 1e-5 relative; atol only for weights that pass near zero
F32 = {"rtol": 1e-5, "atol": 1e-6}  # against the float32 torch engine


def _torch_engine(architecture, weights, hyper, dtype="float32"):
    torch = pytest.importorskip("torch")
    from ganlab_panel.engines.torch_engine import TorchEngine

    return TorchEngine(architecture, weights, hyper, dtype=getattr(torch, dtype))


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
# WGAN-GP blows up at these learning rates: tests/core/test_formulations.py trains it at a smaller one
@pytest.mark.parametrize("loss", [name for name, loss in losses.LOSSES.items() if not loss.penalised])
@pytest.mark.parametrize("hidden", [0, 1, 2, 3])
@pytest.mark.parametrize("noise", [("uniform", 2), ("gaussian", 1)], ids=["uniform-2d", "gaussian-1d"])
def test_trains_like_the_torch_engine_for_200_iterations(noise, hidden, loss, optimizer):
    noise_type, noise_dim = noise
    architecture = Architecture(noise_dim, hidden, 8, hidden, 8)
    lr = 0.1 if optimizer == "sgd" else 0.01
    hyper = Hyper(loss, optimizer, optimizer, lr, lr)
    weights = seeded_weights(architecture, seed=hidden)
    reference = _torch_engine(architecture, weights, hyper, dtype="float64")
    engine = create_engine("numpy", architecture, weights, hyper)
    assert isinstance(engine, NumpyEngine)

    rng = np.random.default_rng(1)
    sampler = distributions.make_sampler("ring", None)
    # Hinge with Adam: some gradient components are exactly 0 in one engine and ~1e-18 in the other
    # (+-1/n terms summed in another order); Adam divides by their size, so the engines part at ~1e-9,
    # and within a few iterations a logit lands on the other side of the hinge's kink (measured: 1e-2
    # apart at iteration 5 with 3 hidden layers). SGD with hinge stays within 1e-15 for 200 iterations.
    iterations = 4 if (loss, optimizer) == ("hinge", "adam") else 200
    for _ in range(
        iterations
    ):  # GAN Lab's iteration at its defaults: kD = 2 discriminator steps, kG = 1 generator step
        for _ in range(2):
            # real and fake batches of different sizes, so that mixing them up shows
            real, z = sampler(64, rng).astype(np.float32), sample_noise(rng, 50, noise_dim, noise_type)
            assert engine.discriminator_step(real, z) == pytest.approx(reference.discriminator_step(real, z), rel=1e-5)
        z = sample_noise(rng, 50, noise_dim, noise_type)
        assert engine.generator_step(z) == pytest.approx(reference.generator_step(z), rel=1e-5)

    trained, expected = engine.get_weights(), reference.get_weights()
    for net in ("generator", "discriminator"):
        moved = max(np.abs(a - b).max() for a, b in zip(flat(expected, net), flat(weights, net), strict=True))
        assert moved > (0.01 if iterations == 200 else 1e-4), f"{net} barely trained: the comparison would say little"
        for got, want in zip(flat(trained, net), flat(expected, net), strict=True):
            np.testing.assert_allclose(got, want, **PARITY, err_msg=net)


@pytest.mark.parametrize("loss", list(losses.LOSSES))
def test_one_step_matches_the_float32_torch_engine(loss):
    architecture = Architecture(2, 1, 8, 1, 8)
    weights = seeded_weights(architecture, bias=0.1)
    hyper = Hyper(loss=loss)
    engine, reference = NumpyEngine(architecture, weights, hyper), _torch_engine(architecture, weights, hyper)
    rng = np.random.default_rng(3)
    real, z = rng.random((150, 2)).astype(np.float32), rng.random((150, 2)).astype(np.float32)
    mix = rng.random(150) if losses.LOSSES[loss].penalised else None
    assert engine.discriminator_step(real, z, mix) == pytest.approx(
        reference.discriminator_step(real, z, mix), rel=1e-5
    )
    assert engine.generator_step(z) == pytest.approx(reference.generator_step(z), rel=1e-5)
    for net in ("generator", "discriminator"):
        got, want = flat(engine.get_weights(), net), flat(reference.get_weights(), net)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, **F32)


@pytest.mark.parametrize("hidden", [0, 2])
def test_frame_quantities_match_the_torch_engine(hidden):
    architecture = Architecture(1, hidden, 7, hidden, 5)
    weights = seeded_weights(architecture, bias=0.3)
    engine, reference = NumpyEngine(architecture, weights, Hyper()), _torch_engine(architecture, weights, Hyper())
    rng = np.random.default_rng(4)
    noise, points = rng.random((101, 1)), rng.random((900, 2))
    fake = engine.generate(noise)
    assert fake.shape == (101, 2) and fake.dtype == np.float64 and fake.flags.c_contiguous
    np.testing.assert_allclose(fake, reference.generate(noise), **F32)
    logits = engine.critic(points)
    assert logits.shape == (900,)
    np.testing.assert_allclose(logits, reference.critic(points), **F32)
    gradient = engine.critic_gradient(fake)
    assert gradient.shape == (101, 2) and gradient.flags.c_contiguous
    np.testing.assert_allclose(gradient, reference.critic_gradient(fake), **F32)


def _penalty(layers, real, fake, mix):
    """WGAN-GP's penalty, lambda = 10, at mix real + (1 - mix) fake."""
    between = mix[:, None] * real[: len(mix)] + (1 - mix[:, None]) * fake[: len(mix)]
    return 10 * np.mean((np.linalg.norm(input_gradient(layers, between), axis=1) - 1) ** 2)


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("hidden", [0, 1, 2])
def test_backward_pass_equals_finite_differences(loss, hidden):
    """With SGD at learning rate 1 a step moves each weight by minus its gradient: compare that with
    finite differences of losses.py's formula on a plain forward pass. Independent of torch."""
    architecture = Architecture(2, hidden, 4, hidden, 3)
    weights = seeded_weights(architecture, seed=5, bias=0.2)
    weights = {net: [(2 * w, b) for w, b in ls] for net, ls in weights.items()}  # logits of several units
    engine = NumpyEngine(architecture, weights, Hyper(loss, "sgd", "sgd", 1.0, 1.0))
    rng = np.random.default_rng(6)
    real, noise = rng.random((9, 2)), rng.random((7, 2))
    mix = rng.random(7) if losses.LOSSES[loss].penalised else None
    generator = [(w.copy(), b.copy()) for w, b in weights["generator"]]
    discriminator = [(w.copy(), b.copy()) for w, b in weights["discriminator"]]

    def d_loss(d):
        fake = np.tanh(mlp(generator, noise))
        value = losses.discriminator_loss(loss, mlp(d, real)[:, 0], mlp(d, fake)[:, 0], NUMPY_OPS)
        return value if mix is None else value + _penalty(d, real, fake, mix)

    def g_loss(g):
        return losses.generator_loss(loss, mlp(discriminator, np.tanh(mlp(g, noise)))[:, 0], NUMPY_OPS)

    def moved(net):
        return [old - new for old, new in zip(flat(weights, net), flat(engine.get_weights(), net), strict=True)]

    assert engine.discriminator_step(real, noise, mix) == pytest.approx(d_loss(discriminator), rel=1e-12)
    for step, gradient in zip(moved("discriminator"), numerical_gradient(d_loss, discriminator), strict=True):
        np.testing.assert_allclose(step, gradient, rtol=1e-6, atol=1e-8)

    engine.set_weights(weights)
    assert engine.generator_step(noise) == pytest.approx(g_loss(generator), rel=1e-12)
    for step, gradient in zip(moved("generator"), numerical_gradient(g_loss, generator), strict=True):
        np.testing.assert_allclose(step, gradient, rtol=1e-6, atol=1e-8)
    # the generator's step leaves the discriminator alone
    for a, b in zip(flat(weights, "discriminator"), flat(engine.get_weights(), "discriminator"), strict=True):
        np.testing.assert_array_equal(a, b)


def test_critic_gradient_equals_finite_differences():
    architecture = Architecture(2, 2, 6, 2, 6)
    weights = seeded_weights(architecture, seed=7, bias=0.2)
    engine = NumpyEngine(architecture, weights, Hyper())
    points = np.random.default_rng(8).random((40, 2))

    def f(x):
        return mlp(weights["discriminator"], x)[:, 0]

    h = 1e-6
    estimate = np.column_stack([(f(points + h * e) - f(points - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(engine.critic_gradient(points), estimate, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(engine.critic(points), f(points), rtol=1e-12)
    np.testing.assert_allclose(engine.generate(points), np.tanh(mlp(weights["generator"], points)), rtol=1e-12)


def test_training_buffers_never_leak_into_what_callers_keep():
    architecture = Architecture(2, 1, 8, 1, 8)
    engine = NumpyEngine(architecture, seeded_weights(architecture), Hyper())
    rng = np.random.default_rng(9)
    noise = rng.random((150, 2))
    fake = engine.generate(noise)
    kept, weights = fake.copy(), engine.get_weights()
    saved = {net: [a.copy() for a in flat(weights, net)] for net in weights}
    for _ in range(3):
        engine.discriminator_step(rng.random((150, 2)), rng.random((150, 2)))
        engine.generator_step(rng.random((150, 2)))
    np.testing.assert_array_equal(fake, kept)
    for net in weights:
        for a, b in zip(flat(weights, net), saved[net], strict=True):
            np.testing.assert_array_equal(a, b)
    assert not np.allclose(engine.generate(noise), fake)  # training did change G


def test_learning_rate_change_keeps_adams_moments():
    trainer = Trainer(
        engine="numpy", generator_optimizer="adam", discriminator_optimizer="adam", generator_learning_rate=0.01
    )
    trainer.train(5)
    for net in ("generator", "discriminator"):
        optimizer = trainer.engine._optimizers[net]
        t, m, v = optimizer.t, optimizer.m.copy(), optimizer.v.copy()
        assert t > 0 and np.abs(m).max() > 0
        trainer.config.update({f"{net}_learning_rate": 0.0003})
        assert trainer.iteration == 5 and trainer.engine._optimizers[net] is optimizer
        assert optimizer.lr == 0.0003 and optimizer.t == t
        np.testing.assert_array_equal(optimizer.m, m)
        np.testing.assert_array_equal(optimizer.v, v)
    trainer.train(1)
    assert trainer.engine._optimizers["discriminator"].t == 5 * 2 + 2
    assert trainer.engine._optimizers["generator"].t == 5 + 1


def test_optimizer_kind_change_resets_only_that_optimizer():
    trainer = Trainer(engine="numpy", generator_optimizer="adam", discriminator_optimizer="adam")
    trainer.train(3)
    kept = trainer.engine._optimizers["generator"]
    t, m = kept.t, kept.m.copy()
    trainer.config.discriminator_optimizer = "sgd"
    assert trainer.engine._optimizers["discriminator"].kind == "sgd"
    trainer.config.discriminator_optimizer = "adam"
    fresh = trainer.engine._optimizers["discriminator"]
    assert fresh.t == 0 and not fresh.m.any() and not fresh.v.any()
    assert trainer.engine._optimizers["generator"] is kept and kept.t == t
    np.testing.assert_array_equal(kept.m, m)
    assert trainer.iteration == 3


def test_set_weights_checks_every_shape_before_changing_anything():
    architecture = Architecture(2, 1, 8, 1, 8)
    weights = seeded_weights(architecture)
    engine = NumpyEngine(architecture, weights, Hyper())
    before = engine.get_weights()
    wrong_shape = {
        "generator": [(2 * w, b + 1) for w, b in weights["generator"]],  # valid, but must not be applied
        "discriminator": [(np.zeros((2, 9)), np.zeros(9))] + weights["discriminator"][1:],
    }
    with pytest.raises(ValueError, match=r"discriminator.*\(2, 9\).*\(2, 8\)"):
        engine.set_weights(wrong_shape)
    wrong_bias = {**weights, "discriminator": weights["discriminator"][:-1] + [(np.zeros((8, 1)), np.zeros(2))]}
    with pytest.raises(ValueError, match=r"discriminator.*\(2,\).*\(1,\)"):
        engine.set_weights(wrong_bias)
    with pytest.raises(ValueError, match="generator: expected 3 layers, got 2"):
        engine.set_weights({"generator": weights["generator"][:-1], "discriminator": weights["discriminator"]})
    for net in ("generator", "discriminator"):
        for a, b in zip(flat(before, net), flat(engine.get_weights(), net), strict=True):
            np.testing.assert_array_equal(a, b)

    changed = {net: [(w * 0.5, b - 1) for w, b in ls] for net, ls in weights.items()}
    engine.set_weights(changed)
    for net in ("generator", "discriminator"):
        for a, b in zip(flat(engine.get_weights(), net), flat(changed, net), strict=True):
            np.testing.assert_array_equal(a, b)


# -- which engine ------------------------------------------------------------------------------------
SMALL = Architecture(2, 1, 8, 1, 8)  # GAN Lab's default networks
LARGE = Architecture(2, 1, 100, 1, 100)  # wide enough for torch's float32 arithmetic to win


def test_auto_picks_numpy_for_small_networks_and_torch_for_large_ones_when_installed(monkeypatch):
    assert SMALL.multiply_adds == 2 * 8 + 8 * 8 + 8 * 2 + 2 * 8 + 8 * 8 + 8 * 1
    assert SMALL.multiply_adds <= factory.NUMPY_FASTER_UP_TO < LARGE.multiply_adds
    monkeypatch.setattr(factory, "torch_available", lambda: True)
    assert resolve_engine("auto", SMALL) == "numpy"
    assert resolve_engine("auto", LARGE) == "torch"
    assert resolve_engine("auto", SMALL, device="cuda") == "torch"  # NumPy has no GPU
    assert resolve_engine("torch", SMALL) == "torch" and resolve_engine("numpy", LARGE) == "numpy"
    with pytest.raises(ValueError, match="CPU only"):
        resolve_engine("numpy", SMALL, device="cuda")
    with pytest.raises(ValueError, match="unknown engine 'jax'; choose one of: auto, torch, numpy"):
        resolve_engine("jax", SMALL)

    monkeypatch.setattr(factory, "torch_available", lambda: False)
    assert resolve_engine("auto", LARGE) == "numpy"
    with pytest.raises(RuntimeError, match=r"not installed \(pip install torch\); choose engine 'numpy'"):
        resolve_engine("torch", SMALL)
    with pytest.raises(RuntimeError, match="device 'cuda'.*not installed"):
        resolve_engine("auto", SMALL, device="cuda")


def test_the_default_trainer_trains_with_numpy_and_reports_the_same_as_with_torch():
    pytest.importorskip("torch")
    numpy_trainer, torch_trainer = Trainer(), Trainer(engine="torch")
    assert isinstance(numpy_trainer.engine, NumpyEngine) and not isinstance(torch_trainer.engine, NumpyEngine)
    for trainer in (numpy_trainer, torch_trainer):
        assert trainer.train(20) == 20
    assert numpy_trainer.discriminator_loss == pytest.approx(torch_trainer.discriminator_loss, rel=1e-4)
    assert numpy_trainer.generator_loss == pytest.approx(torch_trainer.generator_loss, rel=1e-4)
    frame, expected = numpy_trainer.frame(), torch_trainer.frame()
    for field in ("fake", "heatmap", "manifold", "gradients", "real_predictions"):
        np.testing.assert_allclose(getattr(frame, field), getattr(expected, field), rtol=1e-3, atol=1e-4)
    assert frame.metrics["kl"] == pytest.approx(expected.metrics["kl"], rel=1e-3)


def test_choosing_torch_where_it_is_missing_is_refused_and_changes_nothing(monkeypatch):
    import ganlab_panel.core.config as config_module

    trainer = Trainer(engine="numpy")
    trainer.train(3)
    engine = trainer.engine
    monkeypatch.setattr(config_module, "torch_available", lambda: False)
    with pytest.raises(ValueError, match="engine: the torch engine needs PyTorch, which is not installed"):
        trainer.config.update({"engine": "torch", "seed": 5})
    assert (trainer.config.engine, trainer.config.seed) == ("numpy", 0)
    assert trainer.engine is engine and trainer.iteration == 3
    with pytest.raises(ValueError, match="engine: the torch engine needs PyTorch"):
        GanConfig.from_query("engine=torch")
    assert GanConfig.from_dict({"engine": "numpy"}).engine == "numpy"


def test_numpy_engine_needs_the_cpu():
    config = GanConfig(engine="numpy")
    with pytest.raises(ValueError, match="CPU only, not on device 'cuda'"):
        config.update({"device": "cuda"})
    assert config.device == "cpu"
    with pytest.raises(ValueError, match="CPU only"):
        GanConfig.from_dict({"device": "cuda", "engine": "numpy"})
