"""The torch engine: GAN Lab's architecture and initialisation, the loss it reports, D's input gradient,
optimizer state across live changes, and weight loading. Reference computations are plain float64 numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference_nets import input_gradient, mlp, sigmoid

from ganlab_panel.core.trainer import Trainer
from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper, initial_weights
from ganlab_panel.engines.factory import create_engine
from ganlab_panel.engines.losses import NUMPY_OPS

F32 = {"rtol": 1e-5, "atol": 1e-6}  # the engine computes in float32


def _engine(rng, noise_dim=2, layers=1, neurons=8, scale=1.0, **hyper):
    architecture = Architecture(noise_dim, layers, neurons, layers, neurons)
    weights = {
        "generator": initial_weights(architecture.generator_sizes, rng),
        "discriminator": initial_weights(architecture.discriminator_sizes, rng),
    }
    weights = {net: [(w * scale, b + 0.1 * rng.standard_normal(b.shape)) for w, b in ls] for net, ls in weights.items()}
    return create_engine("torch", architecture, weights, Hyper(**hyper)), weights


@pytest.mark.parametrize("hidden", [0, 1, 2, 3])
@pytest.mark.parametrize("noise_dim", [1, 2])
def test_layer_shapes_follow_gan_lab(hidden, noise_dim):
    trainer = Trainer(
        noise_dim=noise_dim, generator_layers=hidden, generator_neurons=7, discriminator_layers=hidden,
        discriminator_neurons=5,
    )  # fmt: skip
    weights = trainer.engine.get_weights()
    # noise -> N -> (L x N) -> 2 and 2 -> N -> (L x N) -> 1: "L hidden layers" means L + 1 ReLU layers
    g_sizes = [noise_dim, 7] + [7] * hidden + [2]
    d_sizes = [2, 5] + [5] * hidden + [1]
    assert [(w.shape, b.shape) for w, b in weights["generator"]] == [
        ((i, o), (o,)) for i, o in zip(g_sizes[:-1], g_sizes[1:], strict=True)
    ]
    assert [(w.shape, b.shape) for w, b in weights["discriminator"]] == [
        ((i, o), (o,)) for i, o in zip(d_sizes[:-1], d_sizes[1:], strict=True)
    ]


@pytest.mark.parametrize("hidden", [0, 1, 3])
def test_generator_is_relu_mlp_then_tanh_and_discriminator_ends_in_one_logit(hidden):
    rng = np.random.default_rng(0)
    engine, weights = _engine(rng, layers=hidden, neurons=6, scale=4.0)  # large weights: saturated outputs
    noise = rng.random((300, 2))
    fake = engine.generate(noise)
    np.testing.assert_allclose(fake, np.tanh(mlp(weights["generator"], noise)), **F32)
    assert fake.shape == (300, 2) and np.all(np.abs(fake) <= 1)
    assert np.abs(fake).max() > 0.99  # the range really is tanh's, not clipped to the unit square

    engine, weights = _engine(rng, layers=hidden, neurons=6)
    points = rng.random((300, 2))
    logits = engine.critic(points)
    np.testing.assert_allclose(logits, mlp(weights["discriminator"], points)[:, 0], **F32)
    assert logits.shape == (300,)


def _check_std(values, std, what):
    values = np.concatenate([v.ravel() for v in values])
    n = len(values)
    # sample std of n gaussian draws has standard error std / sqrt(2n); the mean std / sqrt(n)
    assert abs(values.std() / std - 1) < 5 / math.sqrt(2 * n), what
    assert abs(values.mean()) < 5 * std / math.sqrt(n), what


def test_initial_weights_follow_gan_labs_statistics():
    trainer = Trainer(generator_layers=5, generator_neurons=100, discriminator_layers=5, discriminator_neurons=100)
    g, d = trainer.engine.get_weights()["generator"], trainer.engine.get_weights()["discriminator"]
    _check_std([g[0][0], d[0][0]], 1 / math.sqrt(2), "first layers: std 1/sqrt 2")
    _check_std([w for w, _ in g[1:-1] + d[1:-1]], 1 / math.sqrt(100), "hidden layers: std 1/sqrt fan_in")
    _check_std([g[-1][0], d[-1][0]], 1 / math.sqrt(100), "output layers: std 1/sqrt fan_in")
    assert all(np.all(b == 0) for _, b in g + d)

    small = initial_weights([1, 400, 25, 2], np.random.default_rng(1))  # 1D noise: still 1/sqrt 2 first
    _check_std([small[0][0]], 1 / math.sqrt(2), "1D noise first layer")
    _check_std([small[1][0]], 1 / math.sqrt(400), "fan_in 400")
    _check_std([small[2][0]], 1 / math.sqrt(25), "fan_in 25")


def test_weights_depend_on_the_seed_only():
    first = Trainer(seed=3).engine.get_weights()
    again = Trainer(seed=3).engine.get_weights()
    other = Trainer(seed=4).engine.get_weights()
    for (w1, _), (w2, _), (w3, _) in zip(first["generator"], again["generator"], other["generator"], strict=True):
        np.testing.assert_array_equal(w1, w2)
        assert not np.array_equal(w1, w3)


def test_numpy_loss_formulas_are_gan_labs():
    rng = np.random.default_rng(2)
    real, fake = rng.normal(0, 3, 150), rng.normal(0, 3, 150)
    d_real, d_fake = sigmoid(real), sigmoid(fake)
    log_d = -(0.95 * np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake)))
    assert losses.discriminator_loss("log", real, fake, NUMPY_OPS) == pytest.approx(log_d, rel=1e-12)
    assert losses.generator_loss("log", fake, NUMPY_OPS) == pytest.approx(-np.mean(np.log(d_fake)), rel=1e-12)
    ls_d = np.mean((d_real - 1) ** 2) + np.mean(d_fake**2)
    assert losses.discriminator_loss("least_squares", real, fake, NUMPY_OPS) == pytest.approx(ls_d, rel=1e-12)
    ls_g = np.mean((d_fake - 1) ** 2)
    assert losses.generator_loss("least_squares", fake, NUMPY_OPS) == pytest.approx(ls_g, rel=1e-12)
    # working from logits keeps the log loss finite where D saturates
    assert np.isfinite(losses.discriminator_loss("log", np.array([-800.0]), np.array([800.0]), NUMPY_OPS))
    with pytest.raises(ValueError, match="unknown loss 'wasserstein'; choose one of: log, minimax"):
        losses.generator_loss("wasserstein", fake, NUMPY_OPS)


def test_minimax_hinge_and_label_smoothing_on_a_tiny_case_by_hand():
    real, fake = np.array([2.0, -1.0]), np.array([0.5, -3.0])

    def sig(x):
        return 1 / (1 + math.exp(-x))

    def value_and_gradients(kind, real_label=0.95):
        d = losses.discriminator_loss(kind, real, fake, NUMPY_OPS, real_label)
        d_grads = losses.discriminator_loss_gradient(kind, real, fake, NUMPY_OPS, real_label)
        return (
            d,
            d_grads,
            losses.generator_loss(kind, fake, NUMPY_OPS),
            losses.generator_loss_gradient(kind, fake, NUMPY_OPS),
        )

    # hinge: D = mean max(0, 1 - r) + mean max(0, 1 + f) = (0 + 2) / 2 + (1.5 + 0) / 2; G = -mean f
    d, (d_real, d_fake), g, g_grad = value_and_gradients("hinge")
    assert d == pytest.approx(1.75) and g == pytest.approx(1.25)
    np.testing.assert_allclose(d_real, [0, -0.5])
    np.testing.assert_allclose(d_fake, [0.5, 0])
    np.testing.assert_allclose(g_grad, [-0.5, -0.5])

    # minimax: G = mean log(1 - D(f)), slope -D(f) / n: tiny where D is sure a sample is fake (f = -3)
    _, _, g, g_grad = value_and_gradients("minimax")
    assert g == pytest.approx((math.log(1 - sig(0.5)) + math.log(1 - sig(-3.0))) / 2)
    np.testing.assert_allclose(g_grad, [-sig(0.5) / 2, -sig(-3.0) / 2])
    assert abs(g_grad[1]) < 0.1 * abs(value_and_gradients("log")[3][1])  # the non-saturating loss keeps pushing

    # real label 1 (no smoothing) against GAN Lab's 0.95: only the real term changes
    for label in (1.0, 0.95, 0.7):
        d, (d_real, _), _, _ = value_and_gradients("log", label)
        by_hand = -(
            label * (math.log(sig(2.0)) + math.log(sig(-1.0))) / 2 + (math.log(sig(-0.5)) + math.log(sig(3.0))) / 2
        )
        assert d == pytest.approx(by_hand)
        np.testing.assert_allclose(d_real, [-label * (1 - sig(2.0)) / 2, -label * (1 - sig(-1.0)) / 2])


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("batch", [(150, 150), (40, 25)])
def test_engine_reports_the_loss_of_losses_py(loss, batch):
    rng = np.random.default_rng(5)
    # scaled weights give logits of several units either side, where log D and log(1 - D) differ a lot
    engine, weights = _engine(rng, layers=1, neurons=8, scale=2.5, loss=loss)
    real, noise = rng.random((batch[0], 2)), rng.random((batch[1], 2))
    fake = np.tanh(mlp(weights["generator"], noise))
    real_logits = mlp(weights["discriminator"], real)[:, 0]
    fake_logits = mlp(weights["discriminator"], fake)[:, 0]
    assert np.abs(np.concatenate([real_logits, fake_logits])).max() > 3

    expected = losses.discriminator_loss(loss, real_logits, fake_logits, NUMPY_OPS)
    mix = None
    if losses.LOSSES[loss].penalised:  # WGAN-GP: lambda = 10 times mean (|df/dx| - 1)^2 between the batches
        mix = rng.random(min(batch))
        between = mix[:, None] * real[: len(mix)] + (1 - mix[:, None]) * fake[: len(mix)]
        norms = np.linalg.norm(input_gradient(weights["discriminator"], between), axis=1)
        expected += 10 * np.mean((norms - 1) ** 2)
    assert engine.discriminator_step(real, noise, mix) == pytest.approx(expected, rel=1e-5)

    engine.set_weights(weights)  # back to the same weights for the generator's step
    expected = losses.generator_loss(loss, fake_logits, NUMPY_OPS)
    assert engine.generator_step(noise) == pytest.approx(expected, rel=1e-5)


def test_critic_gradient_matches_finite_differences():
    rng = np.random.default_rng(6)
    engine, weights = _engine(rng, layers=2, neurons=8)
    points = rng.random((50, 2))
    gradient = engine.critic_gradient(points)
    assert gradient.shape == (50, 2)

    def f(x):  # float64 reference: finite differences on the engine's float32 would drown in rounding
        return mlp(weights["discriminator"], x)[:, 0]

    h = 1e-6
    estimate = np.column_stack([(f(points + h * e) - f(points - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(gradient, estimate, rtol=1e-4, atol=1e-6)
    # and the engine's own f agrees with the reference f at those points
    np.testing.assert_allclose(engine.critic(points), f(points), **F32)


def _adam_state(trainer, net):
    optimizer = trainer.engine._optimizers[net]
    return optimizer, optimizer.t, [m.clone() for m in optimizer.m], [v.clone() for v in optimizer.v]


def _same_tensors(a, b):
    return all(bool((x == y).all()) for x, y in zip(a, b, strict=True))


def test_learning_rate_change_keeps_adams_moments():
    trainer = Trainer(
        engine="torch", generator_optimizer="adam", discriminator_optimizer="adam", generator_learning_rate=0.01
    )
    trainer.train(5)
    for net in ("generator", "discriminator"):
        optimizer, t, m, v = _adam_state(trainer, net)
        assert t > 0 and not _same_tensors(m, [x * 0 for x in m])
        trainer.config.update({f"{net}_learning_rate": 0.0003})
        assert trainer.iteration == 5
        after = trainer.engine._optimizers[net]
        assert after is optimizer and after.lr == 0.0003
        assert after.t == t and _same_tensors(after.m, m) and _same_tensors(after.v, v)
    trainer.train(1)  # the next step continues the moment estimates instead of restarting them
    assert trainer.engine._optimizers["discriminator"].t == 5 * 2 + 2
    assert trainer.engine._optimizers["generator"].t == 5 + 1


def test_optimizer_kind_change_resets_only_that_optimizer():
    trainer = Trainer(engine="torch", generator_optimizer="adam", discriminator_optimizer="adam")
    trainer.train(3)
    _, g_t, g_m, _ = _adam_state(trainer, "generator")
    trainer.config.discriminator_optimizer = "sgd"
    assert trainer.engine._optimizers["discriminator"].kind == "sgd"
    trainer.config.discriminator_optimizer = "adam"
    fresh = trainer.engine._optimizers["discriminator"]
    assert fresh.t == 0 and all(bool((m == 0).all()) for m in fresh.m + fresh.v)
    kept = trainer.engine._optimizers["generator"]
    assert kept.t == g_t and _same_tensors(kept.m, g_m)
    assert trainer.iteration == 3


def test_set_weights_rejects_wrong_shapes_and_changes_nothing():
    engine, weights = _engine(np.random.default_rng(7), layers=1, neurons=8)
    before = engine.get_weights()
    wrong_shape = {
        # a valid generator, which must not be applied when the discriminator is wrong
        "generator": [(2 * w, b + 1) for w, b in weights["generator"]],
        "discriminator": [(np.zeros((2, 9)), np.zeros(9))] + weights["discriminator"][1:],
    }
    with pytest.raises(ValueError, match=r"discriminator.*\(2, 9\).*\(2, 8\)"):
        engine.set_weights(wrong_shape)
    missing_layer = {"generator": weights["generator"][:-1], "discriminator": weights["discriminator"]}
    with pytest.raises(ValueError, match=r"generator: expected 3 layers, got 2"):
        engine.set_weights(missing_layer)
    after = engine.get_weights()
    for net in ("generator", "discriminator"):
        for (w0, b0), (w1, b1) in zip(before[net], after[net], strict=True):
            np.testing.assert_array_equal(w0, w1)
            np.testing.assert_array_equal(b0, b1)

    engine.set_weights(weights)
    for (w, b), (w1, b1) in zip(weights["generator"], engine.get_weights()["generator"], strict=True):
        np.testing.assert_allclose(w1, w, **F32)
        np.testing.assert_allclose(b1, b, **F32)


def _autograd_gradients(weights, loss, real, noise, mix=None):
    """Reference gradients of losses.py's formulas by torch autograd, in float64; WGAN-GP's penalty by
    double backpropagation (the gradient of a gradient)."""
    import torch

    from ganlab_panel.engines.torch_engine import TORCH_OPS as ops

    def params(net):
        return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for layer in weights[net] for a in layer]

    def mlp(ps, x):
        for i in range(0, len(ps), 2):
            x = x @ ps[i] + ps[i + 1]
            x = torch.relu(x) if i < len(ps) - 2 else x
        return x

    g, d = params("generator"), params("discriminator")
    real, noise = torch.tensor(real), torch.tensor(noise)
    fake = torch.tanh(mlp(g, noise))
    d_loss = losses.discriminator_loss(loss, mlp(d, real)[:, 0], mlp(d, fake.detach())[:, 0], ops)
    if mix is not None:
        e = torch.tensor(mix)[:, None]
        between = (e * real[: len(mix)] + (1 - e) * fake.detach()[: len(mix)]).requires_grad_()
        (slope,) = torch.autograd.grad(mlp(d, between).sum(), between, create_graph=True)
        d_loss = d_loss + 10 * ((slope.norm(dim=1) - 1) ** 2).mean()
    g_loss = losses.generator_loss(loss, mlp(d, fake)[:, 0], ops)
    return [t.numpy() for t in torch.autograd.grad(d_loss, d)], [t.numpy() for t in torch.autograd.grad(g_loss, g)]


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("layers", [0, 1, 3])
def test_hand_written_backward_equals_autograd(loss, layers):
    """The engine's backward pass (hand-written: autograd's per-op overhead dominates at this size) moves
    each weight by exactly -lr x the gradient autograd computes for losses.py's formula."""
    rng = np.random.default_rng(11)
    engine, weights = _engine(rng, layers=layers, neurons=6, scale=1.5, loss=loss,
                              discriminator_learning_rate=1.0, generator_learning_rate=1.0)  # fmt: skip
    real, noise = rng.random((30, 2)), rng.random((20, 2))
    mix = rng.random(20) if losses.LOSSES[loss].penalised else None
    d_grads, g_grads = _autograd_gradients(weights, loss, real, noise, mix)

    engine.discriminator_step(real, noise, mix)
    after = [a for layer in engine.get_weights()["discriminator"] for a in layer]
    before = [a for layer in weights["discriminator"] for a in layer]
    for new, old, grad in zip(after, before, d_grads, strict=True):
        np.testing.assert_allclose(old - new, grad, **F32)

    engine.set_weights(weights)
    engine.generator_step(noise)
    after = [a for layer in engine.get_weights()["generator"] for a in layer]
    before = [a for layer in weights["generator"] for a in layer]
    for new, old, grad in zip(after, before, g_grads, strict=True):
        np.testing.assert_allclose(old - new, grad, **F32)
