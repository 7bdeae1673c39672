"""A loss is one record in engines/losses.py: the config, slow motion and both engines follow from the registry,
so a new record is all a new loss takes."""

from __future__ import annotations

import numpy as np
import pytest
from reference_nets import seeded_weights

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.slow_motion import substeps
from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper
from ganlab_panel.engines.factory import create_engine
from ganlab_panel.engines.losses import LOSSES, NUMPY_OPS, Loss, lookup, lowered_learning_rates

ENGINES = ["numpy", "torch"]


def test_the_registry_holds_todays_losses_in_the_menus_order():
    assert list(LOSSES) == ["log", "minimax", "least_squares", "hinge", "wgan_gp"]
    assert [name for name, loss in LOSSES.items() if loss.critic] == ["hinge", "wgan_gp"]
    assert [name for name, loss in LOSSES.items() if loss.shift_invariant] == ["wgan_gp"]
    assert [name for name, loss in LOSSES.items() if loss.penalised] == ["wgan_gp"]
    assert LOSSES["wgan_gp"].max_learning_rates == {"sgd": 0.01, "adam": 0.001}


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_record_is_complete(name):
    loss = LOSSES[name]
    assert loss.name == name and lookup(name) is loss
    for text in (loss.title, loss.summary, loss.discriminator_caption, loss.generator_caption):
        assert isinstance(text, str) and text.strip()
    assert "{lam}" in loss.discriminator_caption if loss.penalised else "{lam}" not in loss.discriminator_caption
    for caption in (loss.discriminator_caption, loss.generator_caption):
        caption.format(r="0.95", lam="10")  # no other placeholder
    real, fake = np.array([-2.0, 0.5, 3.0]), np.array([-1.0, 0.0, 4.0, 1.5])
    assert np.isfinite(loss.discriminator(real, fake, NUMPY_OPS, 0.95))
    assert np.isfinite(loss.generator(fake, NUMPY_OPS))
    real_grad, fake_grad = loss.discriminator_gradient(real, fake, NUMPY_OPS, 0.95)
    assert real_grad.shape == real.shape and fake_grad.shape == fake.shape
    assert loss.generator_gradient(fake, NUMPY_OPS).shape == fake.shape
    if loss.max_learning_rates is not None:
        assert set(loss.max_learning_rates) == set(GanConfig.param.generator_optimizer.objects)
    assert not loss.shift_invariant or loss.critic, "a shift-invariant f has no sigmoid to show"


@pytest.mark.parametrize("name", list(LOSSES))
def test_the_gradients_are_the_values_derivatives(name):
    loss, h = LOSSES[name], 1e-6
    real, fake = np.array([-2.0, 0.3, 2.5]), np.array([-1.2, 0.1, 0.7, 1.9])  # off hinge's kinks at +-1

    def numerical(function, logits):
        steps = [np.where(np.arange(len(logits)) == i, h, 0) for i in range(len(logits))]
        return np.array([(function(logits + s) - function(logits - s)) / (2 * h) for s in steps])

    real_grad, fake_grad = loss.discriminator_gradient(real, fake, NUMPY_OPS, 0.9)
    np.testing.assert_allclose(
        real_grad, numerical(lambda r: loss.discriminator(r, fake, NUMPY_OPS, 0.9), real), atol=1e-8
    )
    np.testing.assert_allclose(
        fake_grad, numerical(lambda f: loss.discriminator(real, f, NUMPY_OPS, 0.9), fake), atol=1e-8
    )
    np.testing.assert_allclose(
        loss.generator_gradient(fake, NUMPY_OPS), numerical(lambda f: loss.generator(f, NUMPY_OPS), fake), atol=1e-8
    )


def test_unknown_losses_raise_naming_the_choices():
    for call in (
        lambda: lookup("wasserstein"),
        lambda: losses.discriminator_loss("wasserstein", np.zeros(2), np.zeros(2), NUMPY_OPS),
        lambda: losses.generator_loss("wasserstein", np.zeros(2), NUMPY_OPS),
        lambda: losses.discriminator_loss_gradient("wasserstein", np.zeros(2), np.zeros(2), NUMPY_OPS),
        lambda: losses.generator_loss_gradient("wasserstein", np.zeros(2), NUMPY_OPS),
        lambda: substeps("wasserstein"),
        lambda: lookup(["log"]),
    ):
        with pytest.raises(ValueError, match="unknown loss .*choose one of: log, minimax, least_squares, hinge"):
            call()


def test_a_cap_lowers_only_the_rates_above_it():
    optimizers = {"generator": "sgd", "discriminator": "adam"}
    rates = {"generator": 0.1, "discriminator": 0.0005}
    assert lowered_learning_rates("wgan_gp", optimizers, rates) == {"generator": 0.01}
    assert lowered_learning_rates("wgan_gp", optimizers, {"generator": 0.3, "discriminator": 0.1}) == {
        "generator": 0.01,
        "discriminator": 0.001,
    }
    assert lowered_learning_rates("log", optimizers, rates) == {}
    with pytest.raises(ValueError, match="unknown loss"):
        lowered_learning_rates("nope", optimizers, rates)


def test_the_config_and_slow_motion_read_the_registry():
    assert GanConfig.param.loss.objects == list(LOSSES)
    for name, loss in LOSSES.items():
        captions = [step.caption for step in substeps(name, real_label=0.9, gp_weight=3.0) if step.number == 3]
        assert captions == [
            f"Discriminator computes its loss ({loss.discriminator_caption.format(r='0.9', lam='3')})",
            f"Generator computes its loss ({loss.generator_caption.format(r='0.9', lam='3')})",
        ]


TOY = Loss(  # D's least squares on its logit f, G's -f: a made-up formulation, to show one record suffices
    name="toy",
    title="Toy",
    summary="Toy: D = mean (f(x) - 1)^2 + mean f(G(z))^2; G = -mean f(G(z)).",
    discriminator_caption="toy: (f(real) - 1)² + f(fake)²",
    generator_caption="toy: -f(fake)",
    discriminator=lambda real, fake, ops, real_label: ops.mean((real - 1) ** 2) + ops.mean(fake**2),
    generator=lambda fake, ops: -ops.mean(fake),
    discriminator_gradient=lambda real, fake, ops, real_label: (2 * (real - 1) / len(real), 2 * fake / len(fake)),
    generator_gradient=lambda fake, ops: 0 * fake - 1 / len(fake),
    critic=True,
)


@pytest.mark.parametrize("kind", ENGINES)
def test_a_new_record_is_all_a_new_loss_takes(kind, monkeypatch):
    if kind == "torch":
        pytest.importorskip("torch")
    monkeypatch.setitem(LOSSES, "toy", TOY)
    architecture = Architecture(2, 1, 4, 1, 4)
    weights = seeded_weights(architecture, seed=3)
    engine = create_engine(kind, architecture, weights, Hyper("toy", "sgd", "sgd", 0.01, 0.01))
    rng = np.random.default_rng(0)
    real, noise = rng.random((8, 2)), rng.random((8, 2))
    f_real = engine.critic(real)
    f_fake = engine.critic(engine.generate(noise))
    expected = np.mean((f_real - 1) ** 2) + np.mean(f_fake**2)
    assert engine.discriminator_step(real, noise) == pytest.approx(expected, rel=1e-5)
    after = engine.critic(engine.generate(noise))
    assert engine.generator_step(noise) == pytest.approx(-np.mean(after), rel=1e-5, abs=1e-6)
    trained = engine.get_weights()
    for net in ("generator", "discriminator"):
        assert not np.allclose(trained[net][0][0], weights[net][0][0])
    assert "toy: (f(real) - 1)² + f(fake)²" in substeps("toy")[2].caption
