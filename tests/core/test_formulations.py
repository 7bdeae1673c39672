"""WGAN-GP and PacGAN packing: formulas by hand, the penalty's second-order gradient against autograd's
double backpropagation, the NumPy and torch engines alike, packed batches, what frames show for a
critic, and checkpoints of packed discriminators."""

from __future__ import annotations

import json

import numpy as np
import pytest
from reference_nets import flat, mlp, numerical_gradient, seeded_weights

from ganlab_panel import Experiment
from ganlab_panel.core import distributions
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.frame import HeatmapScale
from ganlab_panel.core.frame import cell_centres as _cell_centres
from ganlab_panel.core.noise import sample_noise
from ganlab_panel.core.slow_motion import SlowMotion, substeps
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper
from ganlab_panel.engines.factory import create_engine
from ganlab_panel.engines.losses import NUMPY_OPS
from ganlab_panel.files import checkpoints
from ganlab_panel.files.checkpoints import Checkpoint, CheckpointError

PARITY = {"rtol": 1e-5, "atol": 1e-8}  # as tests/core/test_numpy_engine.py: float64 engines agree to ~1e-10


def _engine(kind, architecture, weights, hyper):
    """The numpy engine, or the torch engine in float64 (so that both can be held to ~1e-10)."""
    if kind == "numpy":
        return create_engine("numpy", architecture, weights, hyper)
    torch = pytest.importorskip("torch")
    from ganlab_panel.engines.torch_engine import TorchEngine

    return TorchEngine(architecture, weights, hyper, dtype=torch.float64)


def _moved(before, engine, net):
    """Each parameter's change in one step: minus its gradient under SGD at learning rate 1."""
    return [old - new for old, new in zip(flat(before, net), flat(engine.get_weights(), net), strict=True)]


ENGINES = ["numpy", "torch"]


# -- WGAN-GP by hand -----------------------------------------------------------------------------------
def test_wgan_gp_losses_and_penalty_on_a_tiny_case_by_hand():
    real, fake = np.array([2.0, -1.0]), np.array([0.5, -3.0])
    # D = mean f(fake) - mean f(real) = -1.25 - 0.5; G = -mean f(fake)
    assert losses.discriminator_loss("wgan_gp", real, fake, NUMPY_OPS) == pytest.approx(-1.75)
    d_real, d_fake = losses.discriminator_loss_gradient("wgan_gp", real, fake, NUMPY_OPS)
    np.testing.assert_allclose(d_real, [-0.5, -0.5])
    np.testing.assert_allclose(d_fake, [0.5, 0.5])
    assert losses.generator_loss("wgan_gp", fake, NUMPY_OPS) == pytest.approx(1.25)
    np.testing.assert_allclose(losses.generator_loss_gradient("wgan_gp", fake, NUMPY_OPS), [-0.5, -0.5])
    # penalty 10 mean (|g| - 1)^2 at gradient lengths 0.5 and 2: 10 (0.25 + 1) / 2; slope 10 (|g| - 1)
    norms = np.array([0.5, 2.0])
    assert losses.gradient_penalty(norms, NUMPY_OPS) == pytest.approx(6.25)
    np.testing.assert_allclose(losses.gradient_penalty_slope(norms), [-5.0, 10.0])
    assert losses.GP_LAMBDA == 10
    # the weight scales both: 0.1 (the authors' 2-D experiments) gives a hundredth
    assert losses.gradient_penalty(norms, NUMPY_OPS, 0.1) == pytest.approx(0.0625)
    np.testing.assert_allclose(losses.gradient_penalty_slope(norms, 0.1), [-0.05, 0.1])


@pytest.mark.parametrize("weight", [10.0, 0.1])
@pytest.mark.parametrize("engine_kind", ENGINES)
def test_wgan_gp_step_of_a_one_neuron_critic_by_hand(engine_kind, weight):
    """D(x) = w2 relu(w1 . x + b1) + b2 with b1 large enough that the neuron is always active: then
    df/dx = w2 w1 everywhere, |df/dx| = |w2| |w1| = 2 x 1, the penalty is lambda (2 - 1)^2 and the critic's
    part is w2 w1 . (mean fake - mean real); neither part depends on b1 or b2."""
    architecture = Architecture(2, 0, 3, 0, 1)
    weights = seeded_weights(architecture, seed=1)
    w1, w2 = np.array([[0.6], [-0.8]]), np.array([[2.0]])
    weights["discriminator"] = [(w1, np.array([5.0])), (w2, np.array([0.3]))]
    engine = _engine(engine_kind, architecture, weights, Hyper("wgan_gp", "sgd", "sgd", 1.0, 1.0, gp_weight=weight))
    rng = np.random.default_rng(2)
    real, noise, mix = rng.random((6, 2)), rng.random((4, 2)), rng.random(4)
    gap = engine.generate(noise).mean(0) - real.mean(0)  # mean fake - mean real

    assert engine.discriminator_step(real, noise, mix) == pytest.approx(2.0 * np.array([0.6, -0.8]) @ gap + weight)
    dw1, db1, dw2, db2 = _moved(weights, engine, "discriminator")
    # d/dw1: w2 gap + 2 lambda (|g| - 1) |w2| w1 / |w1| = 2 gap + 2 lambda x 1 x 2 [0.6, -0.8]
    np.testing.assert_allclose(dw1[:, 0], 2.0 * gap + 4 * weight * np.array([0.6, -0.8]), rtol=1e-12)
    # d/dw2: w1 . gap + 2 lambda (|g| - 1) |w1| sign(w2)
    np.testing.assert_allclose(dw2[0, 0], np.array([0.6, -0.8]) @ gap + 2 * weight, rtol=1e-12)
    np.testing.assert_allclose([db1[0], db2[0]], [0, 0], atol=1e-14)  # mean - mean of a constant, no penalty


@pytest.mark.parametrize("engine_kind", ENGINES)
def test_wgan_gp_needs_its_interpolation_weights(engine_kind):
    architecture = Architecture(2, 1, 4, 1, 4)
    engine = _engine(engine_kind, architecture, seeded_weights(architecture), Hyper("wgan_gp"))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="interpolation weights"):
        engine.discriminator_step(rng.random((8, 2)), rng.random((8, 2)))
    with pytest.raises(ValueError, match="9 interpolation weights for 8 real and 8 fake"):
        engine.discriminator_step(rng.random((8, 2)), rng.random((8, 2)), rng.random(9))


# -- the penalty's gradient against autograd -------------------------------------------------------------
def _autograd_penalised_gradients(weights, real, noise, mix, pack, weight=10.0):
    """D's WGAN-GP gradients by torch autograd in float64: the penalty by double backpropagation."""
    torch = pytest.importorskip("torch")

    def mlp(params, x):
        for i in range(0, len(params), 2):
            x = x @ params[i] + params[i + 1]
            x = torch.relu(x) if i < len(params) - 2 else x
        return x

    d = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in flat(weights, "discriminator")]
    g = [torch.tensor(a, dtype=torch.float64) for a in flat(weights, "generator")]
    fake = torch.tanh(mlp(g, torch.tensor(noise))).reshape(-1, 2 * pack)
    real = torch.tensor(real).reshape(-1, 2 * pack)
    e = torch.tensor(mix)[:, None]
    between = (e * real[: len(mix)] + (1 - e) * fake[: len(mix)]).requires_grad_()
    (slope,) = torch.autograd.grad(mlp(d, between).sum(), between, create_graph=True)
    loss = mlp(d, fake).mean() - mlp(d, real).mean() + weight * ((slope.norm(dim=1) - 1) ** 2).mean()
    return loss.item(), [t.numpy() for t in torch.autograd.grad(loss, d)]


@pytest.mark.parametrize(
    ("pack", "weight"),
    [(1, 10.0), (2, 10.0), (1, 0.1), (1, 0.0)],  # 0: the critic's part alone
)
@pytest.mark.parametrize("hidden", [0, 1, 2, 3])
@pytest.mark.parametrize("engine_kind", ENGINES)
def test_penalty_gradient_equals_autograd_double_backprop(engine_kind, hidden, pack, weight):
    architecture = Architecture(2, hidden, 5, hidden, 6, pack)
    weights = seeded_weights(architecture, seed=hidden, scale=1.5, bias=0.2)  # biases move the ReLUs' kinks
    hyper = Hyper("wgan_gp", "sgd", "sgd", 1.0, 1.0, gp_weight=weight)
    engine = _engine(engine_kind, architecture, weights, hyper)
    rng = np.random.default_rng(10 + hidden)
    real, noise = rng.random((12, 2)), rng.random((8, 2))
    mix = rng.random(8 // pack)
    value, gradients = _autograd_penalised_gradients(weights, real, noise, mix, pack, weight)
    assert engine.discriminator_step(real, noise, mix) == pytest.approx(value, rel=1e-12)
    for step, gradient in zip(_moved(weights, engine, "discriminator"), gradients, strict=True):
        np.testing.assert_allclose(step, gradient, rtol=1e-10, atol=1e-12)


# -- the two engines train alike -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("loss", "optimizer", "lr", "hidden", "pack", "penalty"),
    [
        # WGAN-GP with SGD at GAN Lab's 0.1 blows up: the penalty's lambda of 10 makes its steps 10x too large
        ("wgan_gp", "sgd", 0.01, 0, 1, 10.0),
        ("wgan_gp", "sgd", 0.01, 1, 1, 10.0),
        ("wgan_gp", "sgd", 0.01, 3, 1, 10.0),
        ("wgan_gp", "sgd", 0.01, 1, 2, 10.0),
        ("wgan_gp", "adam", 0.003, 1, 1, 10.0),
        ("wgan_gp", "adam", 0.003, 3, 2, 10.0),
        ("wgan_gp", "adam", 0.003, 1, 1, 0.1),
        ("log", "sgd", 0.1, 0, 2, 10.0),
        ("log", "sgd", 0.1, 2, 4, 10.0),
        ("log", "adam", 0.01, 1, 4, 10.0),
    ],
)
def test_engines_train_alike_for_200_iterations(loss, optimizer, lr, hidden, pack, penalty):
    architecture = Architecture(2, hidden, 8, hidden, 8, pack)
    weights = seeded_weights(architecture, seed=hidden)
    hyper = Hyper(loss, optimizer, optimizer, lr, lr, gp_weight=penalty)
    engine, reference = _engine("numpy", architecture, weights, hyper), _engine("torch", architecture, weights, hyper)
    rng = np.random.default_rng(1)
    sampler = distributions.make_sampler("ring", None)
    for _ in range(200):
        for _ in range(2):
            real, z = sampler(64, rng), sample_noise(rng, 48, 2, "uniform")  # batches of different sizes
            mix = rng.random(48 // pack) if losses.LOSSES[loss].penalised else None
            expected = reference.discriminator_step(real, z, mix)
            assert engine.discriminator_step(real, z, mix) == pytest.approx(expected, rel=1e-8)
        z = sample_noise(rng, 48, 2, "uniform")
        assert engine.generator_step(z) == pytest.approx(reference.generator_step(z), rel=1e-8)
    trained, expected = engine.get_weights(), reference.get_weights()
    for net in ("generator", "discriminator"):
        moved = max(np.abs(a - b).max() for a, b in zip(flat(expected, net), flat(weights, net), strict=True))
        assert moved > 0.01, f"{net} barely trained: the comparison would say little"
        for got, want in zip(flat(trained, net), flat(expected, net), strict=True):
            np.testing.assert_allclose(got, want, **PARITY, err_msg=net)


def test_adam_betas_apply_live_alike_in_both_engines_and_keep_the_moments():
    """WGAN-GP's Adam betas (0.5, 0.9), then others set mid-run: both engines follow them step for step,
    and the switch keeps Adam's moments (a fresh optimizer at the same weights would train differently)."""
    architecture = Architecture(2, 1, 8, 1, 8)
    weights = seeded_weights(architecture, seed=2)
    wgan = Hyper("wgan_gp", "adam", "adam", 0.003, 0.003, adam_beta1=0.5, adam_beta2=0.9)
    later = Hyper("wgan_gp", "adam", "adam", 0.003, 0.003, adam_beta1=0.8, adam_beta2=0.95)
    engines = [_engine(kind, architecture, weights, wgan) for kind in ENGINES]
    plain = _engine("numpy", architecture, weights, Hyper("wgan_gp", "adam", "adam", 0.003, 0.003))
    sampler = distributions.make_sampler("ring", None)

    def train(engine, steps, seed):
        rng = np.random.default_rng(seed)
        for _ in range(steps):
            real, z = sampler(32, rng), sample_noise(rng, 32, 2, "uniform")
            engine.discriminator_step(real, z, rng.random(32))
            engine.generator_step(sample_noise(rng, 32, 2, "uniform"))

    for engine in (*engines, plain):
        train(engine, 30, seed=3)
    halfway = engines[0].get_weights()
    for engine in engines:
        engine.set_hyper(later)
        train(engine, 30, seed=4)
    fresh = _engine("numpy", architecture, halfway, later)
    train(fresh, 30, seed=4)
    for net in ("generator", "discriminator"):
        got, want = flat(engines[0].get_weights(), net), flat(engines[1].get_weights(), net)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, **PARITY, err_msg=net)
        after_30 = [
            np.abs(a - b).max() for a, b in zip(flat(halfway, net), flat(plain.get_weights(), net), strict=True)
        ]
        assert max(after_30) > 1e-4, f"{net}: betas (0.5, 0.9) trained as the defaults do"
        restarted = [np.abs(a - b).max() for a, b in zip(got, flat(fresh.get_weights(), net), strict=True)]
        assert max(restarted) > 1e-6, f"{net}: changing the betas reset Adam's moments"


# -- packing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine_kind", ENGINES)
def test_a_packed_discriminator_judges_consecutive_samples_together(engine_kind):
    architecture = Architecture(2, 1, 5, 1, 6, pack=3)
    assert architecture.discriminator_sizes == [6, 6, 6, 1]
    weights = seeded_weights(architecture, seed=3, bias=0.3)
    engine = _engine(engine_kind, architecture, weights, Hyper("log"))
    rng = np.random.default_rng(4)
    real, noise = rng.random((9, 2)), rng.random((6, 2))
    fake = np.tanh(mlp(weights["generator"], noise))
    d = weights["discriminator"]
    # pack 3: rows 0-2 make the first input [x0, y0, x1, y1, x2, y2], rows 3-5 the second, ...
    packed_real = np.stack([np.concatenate(real[i : i + 3]) for i in range(0, 9, 3)])
    packed_fake = np.stack([np.concatenate(fake[i : i + 3]) for i in range(0, 6, 3)])
    expected = losses.discriminator_loss("log", mlp(d, packed_real)[:, 0], mlp(d, packed_fake)[:, 0], NUMPY_OPS)
    assert engine.discriminator_step(real, noise) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="batch of 8 samples does not split into packs of 3"):
        engine.discriminator_step(real[:8], noise)
    with pytest.raises(ValueError, match="packs of 3"):
        engine.generator_step(noise[:4])


@pytest.mark.parametrize("engine_kind", ENGINES)
def test_frames_judge_a_point_as_a_pack_of_its_copies(engine_kind):
    architecture = Architecture(2, 2, 5, 2, 6, pack=2)
    weights = seeded_weights(architecture, seed=5, bias=0.3)
    engine = _engine(engine_kind, architecture, weights, Hyper())
    points = np.random.default_rng(6).random((30, 2))
    d = weights["discriminator"]

    def critic(x):  # D([x, x])
        return mlp(d, np.hstack([x, x]))[:, 0]

    np.testing.assert_allclose(engine.critic(points), critic(points), rtol=1e-12)
    h = 1e-6  # the gradient at x of D([x, x]) is the sum of those at each copy
    estimate = np.column_stack([(critic(points + h * e) - critic(points - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(engine.critic_gradient(points), estimate, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss", ["log", "wgan_gp"])
def test_the_generators_gradient_reaches_every_packed_sample(loss):
    """Finite differences of G's loss through a pack-2 D, independent of torch (the torch engine follows by
    the parity test)."""
    architecture = Architecture(2, 1, 4, 1, 3, pack=2)
    weights = seeded_weights(architecture, seed=7, scale=2.0, bias=0.2)
    engine = _engine("numpy", architecture, weights, Hyper(loss, "sgd", "sgd", 1.0, 1.0))
    noise = np.random.default_rng(8).random((8, 2))
    generator = [(w.copy(), b.copy()) for w, b in weights["generator"]]

    def g_loss(g):
        fake = np.tanh(mlp(g, noise)).reshape(-1, 4)
        return losses.generator_loss(loss, mlp(weights["discriminator"], fake)[:, 0], NUMPY_OPS)

    assert engine.generator_step(noise) == pytest.approx(g_loss(generator), rel=1e-12)
    for step, gradient in zip(_moved(weights, engine, "generator"), numerical_gradient(g_loss, generator), strict=True):
        np.testing.assert_allclose(step, gradient, rtol=1e-6, atol=1e-8)


# -- the trainer ---------------------------------------------------------------------------------------
def test_the_trainer_rounds_batches_up_to_whole_packs_and_draws_one_weight_per_pack():
    trainer = Trainer(pack=4, batch_size=150, loss="wgan_gp", discriminator_learning_rate=0.01)
    seen = []
    step_d, step_g = trainer.engine.discriminator_step, trainer.engine.generator_step

    def discriminator_step(real, noise, mix=None):
        seen.append(("D", len(real), len(noise), None if mix is None else len(mix)))
        return step_d(real, noise, mix)

    def generator_step(noise):
        seen.append(("G", len(noise)))
        return step_g(noise)

    trainer.engine.discriminator_step, trainer.engine.generator_step = discriminator_step, generator_step
    trainer.iterate()
    assert seen == [("D", 152, 152, 38), ("D", 152, 152, 38), ("G", 152)]  # 150 -> 38 packs of 4


@pytest.mark.parametrize("engine_kind", ENGINES)
def test_wgan_gp_with_packing_trains_reproducibly_with_finite_frames(engine_kind):
    if engine_kind == "torch":
        pytest.importorskip("torch")
    settings = {"engine": engine_kind, "loss": "wgan_gp", "pack": 4, "seed": 5, "heatmap_resolution": 12}
    settings.update(discriminator_optimizer="adam", generator_optimizer="adam", discriminator_learning_rate=0.001)
    first, second = Trainer(**settings), Trainer(**settings)
    assert first.train(30) == 30 and second.train(30) == 30 and first.diverged is None
    trained = [flat(t.engine.get_weights(), "discriminator") for t in (first, second)]
    for a, b in zip(*trained, strict=True):
        np.testing.assert_array_equal(a, b)  # the interpolation weights come from the seed
    frame = first.frame()
    assert frame.diverged is None and frame.heatmap_scale.kind == "critic" and frame.heatmap_scale.centred
    for array in (frame.heatmap, frame.real_predictions, frame.fake_predictions, frame.gradients):
        assert np.isfinite(array).all()
    for shades in (frame.heatmap, frame.real_predictions, frame.fake_predictions):
        assert shades.min() >= 0 and shades.max() <= 1
    assert np.isfinite(frame.discriminator_loss) and np.isfinite(frame.generator_loss)


def test_a_critics_frame_shows_its_scores_centred_and_scaled():
    trainer = Trainer(loss="wgan_gp", heatmap_resolution=20, discriminator_learning_rate=0.01, seed=2)
    trainer.train(20)
    frame, engine = trainer.frame(), trainer.engine
    scale = frame.heatmap_scale
    f = engine.critic(_cell_centres(20))
    # shade = 0.5 + 0.5 (f - median) / scale, clipped: the median cell is mid-scale, 95% of cells fit
    assert scale.centre == pytest.approx(np.median(f)) and np.median(frame.heatmap) == pytest.approx(0.5, abs=1e-6)
    shade = np.clip(0.5 + 0.5 * (f - scale.centre) / scale.scale, 0, 1)
    np.testing.assert_allclose(frame.heatmap.ravel(), shade, atol=1e-6)
    assert np.mean(np.abs(f - scale.centre) <= scale.scale) >= 0.95
    assert scale.scale / 2.5 < np.quantile(np.abs(f - scale.centre), 0.95) <= scale.scale  # 1-2-5 steps apart
    shown = 0.5 + 0.5 * (engine.critic(frame.fake) - scale.centre) / scale.scale
    np.testing.assert_allclose(frame.fake_predictions, np.clip(shown, 0, 1), atol=1e-6)
    # arrows follow the shade's slope: df/dx / (2 scale), G's push under -mean f
    np.testing.assert_allclose(frame.gradients, engine.critic_gradient(frame.fake) / (2 * scale.scale), atol=1e-6)


def test_changing_the_loss_live_changes_what_frames_show():
    trainer = Trainer(heatmap_resolution=10)
    trainer.train(3)
    assert trainer.frame().heatmap_scale == HeatmapScale()
    trainer.config.update({"loss": "wgan_gp", "discriminator_learning_rate": 0.01})
    assert trainer.train(3) == 3 and trainer.iteration == 6  # applied live, no reset
    assert trainer.frame().heatmap_scale.kind == "critic"
    trainer.config.loss = "hinge"  # hinge's margins at f = +-1 fix its zero: not centred
    hinge = trainer.frame().heatmap_scale
    assert hinge.kind == "critic" and not hinge.centred and hinge.centre == 0
    trainer.config.loss = "log"
    assert trainer.frame().heatmap_scale == HeatmapScale()


def test_heatmap_scales_map_logits_to_shades():
    logits = np.array([-3.0, 0.0, 0.4, 2.0])
    probability = HeatmapScale()
    np.testing.assert_allclose(probability.shade(logits), 1 / (1 + np.exp(-logits)))
    d = probability.shade(logits)
    np.testing.assert_allclose(probability.slope(logits), d * (1 - d))
    # a critic's scale is the 95th percentile of |f| rounded up to 1, 2 or 5 x 10^k
    grid = np.linspace(-1.7, 1.7, 101)
    critic = HeatmapScale.critic(grid, centred=False)
    assert (critic.kind, critic.scale, critic.centre) == ("critic", 2.0, 0.0)
    np.testing.assert_allclose(critic.shade(np.array([-2.0, 0.0, 1.0, 2.0, 9.0])), [0, 0.5, 0.75, 1, 1])
    np.testing.assert_allclose(critic.slope(logits), 0.25)
    assert HeatmapScale.critic(grid * 0.03, centred=False).scale == pytest.approx(0.05)
    assert HeatmapScale.critic(grid + 100, centred=True).scale == pytest.approx(2.0)  # the level is ignored
    assert np.isnan(HeatmapScale.critic(np.array([0.0, np.nan]), centred=False).shade(logits)).all()


# -- settings, checkpoints, captions --------------------------------------------------------------------
def test_pack_is_a_rebuilding_setting_from_1_to_4():
    trainer = Trainer(pack=2)
    trainer.train(2)
    assert trainer.engine.get_weights()["discriminator"][0][0].shape == (4, 8)
    trainer.config.pack = 4
    assert trainer.iteration == 0 and trainer.engine.get_weights()["discriminator"][0][0].shape == (8, 8)
    with pytest.raises(ValueError, match="pack: got 5, expected an integer from 1 to 4"):
        trainer.config.update({"pack": 5})


def test_a_checkpoint_without_pack_means_pack_1():
    path = checkpoints.pretrained_path("gaussians")
    with np.load(path, allow_pickle=False) as npz:
        assert "pack" not in json.loads(str(npz["config"]))  # written before packing existed
    assert checkpoints.load(path).config["pack"] == 1


def test_a_checkpoint_without_adam_betas_or_penalty_weight_means_the_defaults():
    path = checkpoints.pretrained_path("disjoint")  # shipped before these were settings (ring and line were retrained)
    with np.load(path, allow_pickle=False) as npz:
        saved = json.loads(str(npz["config"]))
    assert "adam_beta1" not in saved and "gp_weight" not in saved  # written before they were settings
    config = checkpoints.load(path).config
    assert (config["adam_beta1"], config["adam_beta2"], config["gp_weight"]) == (0.9, 0.999, 10.0)


def test_the_penalty_weight_applies_live_to_a_running_trainer():
    """Set mid-run, the weight reaches the same engine at once (a LIVE setting: no rebuild, no reset), and
    the two runs part from there."""
    experiment = Experiment(
        loss="wgan_gp",
        discriminator_optimizer="adam",
        generator_optimizer="adam",
        discriminator_learning_rate=0.001,
        generator_learning_rate=0.001,
        seed=3,
    )
    experiment.train(5)
    engine = experiment.trainer.engine
    assert engine.hyper.gp_weight == 10.0
    twin = Experiment(**experiment.config.to_dict())
    twin.train(5)
    experiment.config.update({"gp_weight": 0.1})
    assert experiment.trainer.engine is engine and engine.hyper.gp_weight == 0.1
    experiment.train(5)
    twin.train(5)
    assert experiment.iteration == 10 and experiment.diverged is None
    ours, theirs = flat(engine.get_weights(), "discriminator"), flat(twin.trainer.engine.get_weights(), "discriminator")
    assert max(np.abs(a - b).max() for a, b in zip(ours, theirs, strict=True)) > 1e-6


def test_packed_checkpoints_round_trip_and_never_load_into_other_shapes(tmp_path):
    experiment = Experiment(pack=2, batch_size=32)
    experiment.train(3)
    experiment.save(tmp_path / "packed.npz")
    loaded = checkpoints.load(tmp_path / "packed.npz")
    assert loaded.config["pack"] == 2 and loaded.weights["discriminator"][0][0].shape == (4, 8)
    with pytest.raises(CheckpointError, match=r"discriminator.0.weight has shape \(4, 8\), the settings need \(2, 8\)"):
        checkpoints.check_architecture(Checkpoint({**loaded.config, "pack": 1}, loaded.weights, 3))
    unpacked = Experiment()
    with pytest.raises(ValueError, match=r"\(4, 8\) where \(2, 8\)"):
        unpacked.trainer.engine.set_weights(loaded.weights)
    unpacked.load_state(loaded)  # with its settings, the checkpoint rebuilds a packed discriminator
    assert unpacked.trainer.config.pack == 2 and unpacked.iteration == 3


def test_slow_motion_captions_wgan_gp():
    steps = substeps("wgan_gp")
    assert "f(fake) - f(real)" in steps[2].caption and "10 (|∇f(x̂)| - 1)²" in steps[2].caption
    assert "-f(fake)" in steps[7].caption
    assert "0.1 (|∇f(x̂)| - 1)²" in substeps("wgan_gp", gp_weight=0.1)[2].caption  # the weight is a setting


def test_slow_motion_captions_follow_a_live_penalty_weight():
    config = GanConfig(loss="wgan_gp")
    player = SlowMotion(config)
    player.index = 2
    assert "+ 10 (" in player.current.caption
    config.update({"gp_weight": 0.1})
    assert "+ 0.1 (" in player.current.caption
