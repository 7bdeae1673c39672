"""The Trainer: steps and counters, seeding, live and rebuilding changes, the divergence guard, frames
and the bounded history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel.core.noise import stretch
from ganlab_panel.core.trainer import Trainer


def _weights(trainer):
    return trainer.engine.get_weights()


def _equal(layers_a, layers_b):
    return all(
        np.array_equal(wa, wb) and np.array_equal(ba, bb) for (wa, ba), (wb, bb) in zip(layers_a, layers_b, strict=True)
    )


def test_discriminator_step_changes_only_the_discriminator():
    trainer = Trainer()
    before = _weights(trainer)
    loss = trainer.step_discriminator()
    after = _weights(trainer)
    assert math.isfinite(loss) and loss == trainer.discriminator_loss
    assert _equal(before["generator"], after["generator"])
    assert not _equal(before["discriminator"], after["discriminator"])
    assert (trainer.discriminator_steps, trainer.generator_steps, trainer.iteration) == (1, 0, 0)


def test_generator_step_changes_only_the_generator():
    trainer = Trainer()
    before = _weights(trainer)
    loss = trainer.step_generator()
    after = _weights(trainer)
    assert math.isfinite(loss) and loss == trainer.generator_loss
    assert _equal(before["discriminator"], after["discriminator"])
    assert not _equal(before["generator"], after["generator"])
    assert (trainer.discriminator_steps, trainer.generator_steps, trainer.iteration) == (0, 1, 0)


@pytest.mark.parametrize(("k_d", "k_g"), [(2, 1), (1, 1), (1, 3), (5, 2), (0, 2), (3, 0)])
def test_an_iteration_is_kd_discriminator_then_kg_generator_steps(k_d, k_g):
    trainer = Trainer(k_discriminator=k_d, k_generator=k_g)
    before = _weights(trainer)
    assert trainer.train(4) == 4
    after = _weights(trainer)
    assert (trainer.iteration, trainer.discriminator_steps, trainer.generator_steps) == (4, 4 * k_d, 4 * k_g)
    assert _equal(before["discriminator"], after["discriminator"]) == (k_d == 0)
    assert _equal(before["generator"], after["generator"]) == (k_g == 0)
    frame = trainer.frame()
    assert (frame.iteration, frame.discriminator_steps, frame.generator_steps) == (4, 4 * k_d, 4 * k_g)


def _losses(trainer):
    return trainer.history.series("discriminator_loss")[1], trainer.history.series("generator_loss")[1]


def test_same_seed_trains_identically_and_another_seed_differs():
    runs = {}
    for name, seed in (("a", 21), ("b", 21), ("c", 22)):
        trainer = Trainer(seed=seed)
        assert trainer.train(50) == 50
        runs[name] = (*_losses(trainer), trainer.frame().fake)
    for first, again in zip(runs["a"], runs["b"], strict=True):
        np.testing.assert_array_equal(first, again)
    assert len(runs["a"][0]) == 50 and np.isfinite(runs["a"][0]).all()
    for first, other in zip(runs["a"], runs["c"], strict=True):
        assert not np.array_equal(first, other)


def test_live_change_keeps_iteration_weights_and_history():
    trainer = Trainer()
    trainer.train(10)
    weights, steps = _weights(trainer), trainer.discriminator_steps
    trainer.config.discriminator_learning_rate = 1e-9
    assert (trainer.iteration, trainer.discriminator_steps) == (10, steps)
    assert _equal(weights["discriminator"], _weights(trainer)["discriminator"])
    assert _equal(weights["generator"], _weights(trainer)["generator"])
    assert len(trainer.history.series("discriminator_loss")[0]) == 10
    trainer.step_discriminator()  # the new rate is in force: D barely moves
    moved = [
        np.abs(a - b).max()
        for (a, _), (b, _) in zip(weights["discriminator"], _weights(trainer)["discriminator"], strict=True)
    ]
    assert max(moved) < 1e-6
    assert trainer.train(5) == 5 and trainer.iteration == 15


def test_rebuild_change_resets_to_iteration_zero_with_new_shapes():
    trainer = Trainer()
    trainer.train(10)
    trainer.config.generator_layers = 3
    assert (trainer.iteration, trainer.discriminator_steps, trainer.generator_steps) == (0, 0, 0)
    assert len(_weights(trainer)["generator"]) == 5
    assert len(trainer.history) == 0
    assert trainer.frame().iteration == 0
    assert trainer.train(3) == 3


def test_distribution_change_brings_new_real_samples():
    trainer = Trainer(distribution="ring")
    x, y = trainer.frame().real.T
    radius = np.hypot((x - 0.5) / 0.3, (y - 0.45) / 0.25)
    assert np.all(np.abs(radius - 1) < 0.7)
    trainer.train(3)
    trainer.config.update({"distribution": "drawing", "points": [[0.2, 0.8]]})
    assert trainer.iteration == 0
    assert np.all(np.linalg.norm(trainer.frame().real - [0.2, 0.8], axis=1) < 0.15)  # 7 jitter stds


@pytest.mark.parametrize("rate", [1000.0, 1e30])
def test_divergence_stops_training_with_a_helpful_message(rate):
    trainer = Trainer()
    trainer.train(5)
    good = trainer.frame()
    trainer.config.update({"discriminator_learning_rate": rate, "generator_learning_rate": rate})
    done = trainer.train(200)  # no exception escapes
    assert done < 200
    message = trainer.diverged
    assert message
    assert "The discriminator's" in message or "The generator's" in message
    assert "learning rate" in message.lower() and "lower" in message
    assert trainer.train(10) == 0  # stays stopped

    frame = trainer.frame()  # the last good frame, with the message attached
    assert frame.diverged == message
    assert frame.iteration == good.iteration
    np.testing.assert_array_equal(frame.fake, good.fake)
    np.testing.assert_array_equal(frame.heatmap, good.heatmap)
    assert all(np.isfinite(a).all() for a in (frame.fake, frame.heatmap, frame.gradients, frame.manifold))

    trainer.config.update({"discriminator_learning_rate": 0.1, "generator_learning_rate": 0.1})
    trainer.reset()
    assert trainer.diverged is None and trainer.frame().diverged is None
    assert trainer.train(20) == 20 and trainer.iteration == 20


def test_divergence_from_the_first_step():
    trainer = Trainer(discriminator_learning_rate=1e30, generator_learning_rate=1e30)
    assert trainer.train(50) < 50
    assert trainer.diverged and trainer.frame().diverged == trainer.diverged
    assert trainer.frame().iteration == 0


def test_frame_shapes_and_ranges():
    trainer = Trainer()
    trainer.train(20)
    frame = trainer.frame()
    assert frame.iteration == 20 and frame.diverged is None
    assert frame.real.shape == (450, 2) and frame.fake.shape == (150, 2) and frame.noise.shape == (150, 2)
    assert frame.heatmap.shape == (30, 30) and frame.gradients.shape == (150, 2)
    assert frame.manifold.shape == (21, 21, 2) and frame.manifold_stretch.shape == (20, 20)
    assert frame.real_predictions.shape == (450,) and frame.fake_predictions.shape == (150,)
    for predictions in (frame.heatmap, frame.real_predictions, frame.fake_predictions):
        assert np.all((predictions > 0) & (predictions < 1))
    assert np.all(np.abs(frame.fake) <= 1) and np.all((frame.noise >= 0) & (frame.noise <= 1))
    assert np.all(frame.manifold_stretch >= 0)
    assert set(frame.metrics) == {"kl", "js"} and all(v >= 0 for v in frame.metrics.values())
    assert frame.discriminator_loss == trainer.discriminator_loss
    assert frame.generator_loss == trainer.generator_loss


def test_a_frame_without_metrics_skips_them_and_their_history():
    trainer = Trainer()
    trainer.train(5)
    trainer.frame()
    trainer.train(5)
    frame = trainer.frame(with_metrics=False)
    assert frame.metrics == {} and frame.iteration == 10
    assert list(trainer.history.series("kl")[0]) == [5]
    assert trainer.frame().metrics == trainer.metrics()


def test_frame_arrays_mean_what_the_views_assume():
    trainer = Trainer(heatmap_resolution=12)
    trainer.train(10)
    frame, engine = trainer.frame(), trainer.engine
    np.testing.assert_allclose(frame.fake, engine.generate(frame.noise), atol=1e-6)
    fake_predictions = 1 / (1 + np.exp(-engine.critic(frame.fake)))  # D = sigmoid(f) for log loss
    np.testing.assert_allclose(frame.fake_predictions, fake_predictions, atol=1e-6)
    np.testing.assert_allclose(frame.real_predictions, 1 / (1 + np.exp(-engine.critic(frame.real))), atol=1e-6)
    slope = fake_predictions * (1 - fake_predictions)  # dD/dx = D (1 - D) df/dx
    np.testing.assert_allclose(frame.gradients, slope[:, None] * engine.critic_gradient(frame.fake), atol=1e-6)
    # heatmap row = y index, column = x index, values at cell centres
    i, j = 2, 9
    centre = [[(j + 0.5) / 12, (i + 0.5) / 12]]
    assert frame.heatmap[i, j] == pytest.approx(1 / (1 + np.exp(-engine.critic(centre)[0])), abs=1e-6)
    # manifold[i, j] is G at noise (j / 20, i / 20)
    assert frame.manifold[i, j] == pytest.approx(engine.generate([[j / 20, i / 20]])[0], abs=1e-6)
    np.testing.assert_allclose(frame.manifold_stretch, stretch(frame.manifold))


def test_stretch_measures_area_and_length_ratios():
    ticks = np.linspace(0, 1, 21)
    u, v = np.meshgrid(ticks, ticks)
    grid = np.stack([u, v], axis=-1)
    np.testing.assert_allclose(stretch(grid), 1)
    np.testing.assert_allclose(stretch(grid * [0.5, 0.25] + 0.3), 0.125)
    curve = np.column_stack([np.linspace(0, 1, 101), np.zeros(101)])
    np.testing.assert_allclose(stretch(curve * 0.4), 0.4)


def test_heatmap_follows_heatmap_resolution_without_reset():
    trainer = Trainer(heatmap_resolution=12)
    assert trainer.frame().heatmap.shape == (12, 12)
    trainer.train(5)
    trainer.config.heatmap_resolution = 17
    assert trainer.iteration == 5
    assert trainer.frame().heatmap.shape == (17, 17)


def test_one_dimensional_noise_gives_a_manifold_curve():
    trainer = Trainer(noise_dim=1)
    trainer.train(5)
    frame = trainer.frame()
    assert frame.noise.shape == (150, 1)
    assert frame.manifold.shape == (101, 2) and frame.manifold_stretch.shape == (100,)
    np.testing.assert_allclose(frame.manifold, trainer.engine.generate(np.linspace(0, 1, 101)[:, None]), atol=1e-6)


def test_history_stays_bounded_and_spans_the_whole_run():
    capacity, iterations = 50, 400
    trainer = Trainer(history_capacity=capacity)
    losses = []
    for _ in range(iterations // 20):
        for _ in range(20):
            trainer.iterate()
            losses.append(trainer.discriminator_loss)
        trainer.frame()  # adds a KL / JS point
    assert trainer.iteration == iterations
    for name in ("discriminator_loss", "generator_loss"):
        x, y = trainer.history.series(name)
        assert 2 <= len(x) <= capacity and len(y) == len(x)
        assert np.all(np.diff(x) > 0)
        # merged points average equal blocks of at most 2 * iterations / capacity iterations
        block = 2 * iterations / capacity
        assert x[0] <= block and x[-1] >= iterations - block
    x, y = trainer.history.series("discriminator_loss")
    assert min(losses) <= y.min() and y.max() <= max(losses)
    x, _ = trainer.history.series("js")
    np.testing.assert_array_equal(x, np.arange(20, iterations + 1, 20))
    assert trainer.history.last("discriminator_loss") == losses[-1]
