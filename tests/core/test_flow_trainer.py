"""The Trainer training a flow: steps and the loss, its FlowFrame, switching models on a live config, live and
rebuilding flow settings, states and the timeline, slow motion's data, the divergence guard, mode coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel import Experiment
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.flow_run import PATHS, SHOWN_SAMPLES
from ganlab_panel.core.flow_sampling import to_network
from ganlab_panel.core.frame import Frame, cell_centres
from ganlab_panel.core.noise import manifold_grid
from ganlab_panel.core.timeline import Timeline
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.engines.flow_numpy import NumpyFlowEngine

SMALL = {"model": "flow", "flow_layers": 2, "flow_neurons": 16, "flow_steps": 6, "heatmap_resolution": 8}
"""A small flow: fast frames."""


def _weights(trainer):
    return [a.copy() for pair in trainer.engine.get_weights()["velocity"] for a in pair]


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(distribution="ring8", seed=2, **SMALL)
    trainer.train(40)
    return trainer


def test_training_reduces_the_loss_and_records_it():
    experiment = Experiment(model="flow", distribution="ring8", seed=0, flow_decay_iterations=600).train(600)
    iterations, losses = experiment.history.series("loss")
    assert iterations[-1] == 600 and experiment.iteration == 600
    assert np.mean(losses[-50:]) < 0.85 * np.mean(losses[:50])
    assert isinstance(experiment.trainer.engine, NumpyFlowEngine)
    assert experiment.trainer.position == (600, 0, 0)


def test_a_frame_holds_what_the_flows_views_draw(trained):
    trained.config.update({"flow_time": 0.5, "flow_heatmap": "density"})
    frame = trained.frame()
    assert isinstance(frame, FlowFrame) and frame.iteration == 40 and frame.position == (40, 0, 0)
    steps, resolution = trained.config.flow_steps, trained.config.heatmap_resolution
    assert frame.time == 0.5 and frame.samples.shape == frame.source.shape == (SHOWN_SAMPLES, 2)
    assert frame.trajectories.shape == (PATHS, steps + 1, 2) and frame.trajectory_times[frame.time_index] == 0.5
    np.testing.assert_array_equal(frame.trajectories[:, frame.time_index], frame.samples[:PATHS])
    np.testing.assert_array_equal(frame.trajectories[:, 0], frame.source[:PATHS])
    assert frame.grid.shape == (21, 21, 2) and frame.grid_stretch.shape == (20, 20)
    assert frame.field.shape == frame.field_points.shape == (400, 2)
    velocity = trained.engine.velocity(to_network(frame.field_points), 0.5) * 0.25
    np.testing.assert_allclose(frame.field, velocity, rtol=1e-6)
    assert frame.log_density.shape == (resolution, resolution) and frame.speed is None
    assert frame.metrics["modes_total"] == 8 and {"kl", "js", "high_quality"} <= set(frame.metrics)
    assert math.isfinite(frame.loss) and frame.loss == trained.history.last("loss")
    for name, value in vars(frame).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert value.dtype == np.float32, name
    assert frame.log_density.max() > -50 and np.isfinite(frame.log_density).all()


def test_the_time_moves_samples_from_the_source_to_the_data(trained):
    trained.config.update({"flow_time": 0.0, "flow_heatmap": "none"})
    start = trained.frame(with_metrics=False)
    np.testing.assert_array_equal(start.samples, start.source)
    np.testing.assert_allclose(start.grid.reshape(-1, 2), manifold_grid(2), atol=1e-6)  # the square's grid
    np.testing.assert_allclose(start.grid_stretch, 1, rtol=1e-4)
    assert start.log_density is None and start.speed is None and start.metrics == {}
    trained.config.flow_time = 1.0
    end = trained.frame(with_metrics=False)
    np.testing.assert_array_equal(end.trajectories[:, -1], end.samples[:PATHS])
    np.testing.assert_array_equal(end.trajectories, start.trajectories)  # the same paths, whatever the time
    assert not np.allclose(end.samples, start.samples)
    trained.config.flow_time = 0.5


def test_the_heatmap_is_only_what_is_asked(trained):
    trained.config.update({"flow_time": 0.7, "flow_heatmap": "speed"})
    frame = trained.frame(with_metrics=False)
    assert frame.log_density is None
    cells = cell_centres(trained.config.heatmap_resolution)
    speed = np.linalg.norm(trained.engine.velocity(to_network(cells), 0.7), axis=1) * 0.25
    np.testing.assert_allclose(frame.speed.ravel(), speed, rtol=1e-6)
    bare = trained.frame(with_metrics=False, with_heatmap=False)
    assert bare.speed is None and bare.log_density is None
    trained.config.update({"flow_time": 0.5, "flow_heatmap": "density"})


def test_the_density_at_time_zero_is_the_sources(trained):
    trained.config.update({"flow_time": 0.0, "flow_heatmap": "density"})
    frame = trained.frame(with_metrics=False)
    cells = cell_centres(trained.config.heatmap_resolution)
    z = to_network(cells)
    expected = -math.log(2 * math.pi) - 0.5 * (z**2).sum(axis=1) + 2 * math.log(4)  # N(0.5, 0.25^2) per unit area
    np.testing.assert_allclose(frame.log_density.ravel(), expected, rtol=1e-5)
    trained.config.flow_time = 0.5


def test_same_seed_same_run_and_frames():
    frames = []
    for _ in range(2):
        trainer = Trainer(distribution="grid25", seed=5, **SMALL)
        trainer.train(15)
        frames.append(trainer.frame())
    for name, value in vars(frames[0]).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(frames[1], name), err_msg=name)
    assert frames[0].metrics == frames[1].metrics and frames[0].loss == frames[1].loss


def test_switching_the_model_rebuilds_and_the_other_models_settings_do_nothing():
    trainer = Trainer(distribution="ring8", seed=1)
    rebuilt = []
    trainer.rebuilt.append(lambda: rebuilt.append(trainer.config.model))
    trainer.train(3)
    trainer.config.model = "flow"
    assert rebuilt == ["flow"] and trainer.iteration == 0 and isinstance(trainer.frame(), FlowFrame)
    trainer.train(3)
    before = _weights(trainer)
    trainer.config.update({"generator_layers": 3, "batch_size": 40, "loss": "hinge"})  # a GAN's: nothing happens
    assert rebuilt == ["flow"] and trainer.iteration == 3
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(trainer), strict=True))
    trainer.config.flow_neurons = 20  # a flow's rebuilding setting
    assert rebuilt == ["flow", "flow"] and trainer.engine.architecture.neurons == 20
    trainer.config.model = "gan"
    assert rebuilt[-1] == "gan" and isinstance(trainer.frame(), Frame) and trainer.flow is None
    assert trainer.config.generator_layers == 3 and len(trainer.engine.get_weights()["generator"]) == 5
    trainer.config.flow_layers = 4  # a flow's, while a GAN trains
    assert len(rebuilt) == 3
    with pytest.raises(RuntimeError, match="set model to 'flow'"):
        trainer.flow_step()


def test_live_flow_settings_apply_without_a_rebuild():
    trainer = Trainer(distribution="ring8", seed=1, **SMALL)
    trainer.train(5)
    trainer.config.update({"flow_learning_rate": 0.01, "flow_batch_size": 32, "flow_source": "uniform"})
    assert trainer.iteration == 5 and trainer.engine.optimizer_state()["velocity_step"] == 5  # Adam's moments kept
    parts = trainer.flow_step()
    assert parts.x0.shape == (32, 2) and parts.learning_rate < 0.01
    assert parts.x0.min() >= 0 and parts.x0.max() <= 1  # the uniform source covers the square
    frame = trainer.frame(with_metrics=False)
    assert frame.source.min() >= 0 and frame.source.max() <= 1
    with pytest.raises(RuntimeError, match="a flow has no discriminator"):
        trainer.step_discriminator()


def test_a_step_in_detail_is_a_step():
    plain, detailed = (Trainer(distribution="ring8", seed=4, **SMALL) for _ in range(2))
    plain.train(3)
    parts = [detailed.flow_step() for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(_weights(plain), _weights(detailed), strict=True))
    last = parts[-1]
    assert last.iteration == 3 == detailed.iteration and last.loss == detailed.flow_loss
    np.testing.assert_allclose(last.x_t, (1 - last.t[:, None]) * last.x0 + last.t[:, None] * last.x1, atol=1e-6)
    np.testing.assert_allclose(last.target, last.x1 - last.x0, atol=1e-6)
    # the loss is the mean squared error in the network's units: the square's divided by its scale 0.25
    assert np.mean(((last.prediction - last.target) / 0.25) ** 2) == pytest.approx(last.loss, rel=1e-4)


def test_a_sampling_run_step_by_step_ends_at_the_frames_samples(trained):
    trained.config.flow_time = 1.0
    run, frame = trained.sampling_run(), trained.frame(with_metrics=False)
    steps = trained.config.flow_steps
    assert run.positions.shape == (steps + 1, SHOWN_SAMPLES, 2) and run.velocities.shape == (steps, SHOWN_SAMPLES, 2)
    np.testing.assert_allclose(run.positions[0], frame.source, atol=1e-7)
    np.testing.assert_allclose(run.positions[-1], frame.samples, atol=1e-6)
    moved = run.positions[0] + np.cumsum(run.velocities * np.diff(run.times)[:, None, None], axis=0)[-1]
    np.testing.assert_allclose(moved, run.positions[-1], atol=1e-5)
    trained.config.flow_time = 0.5


def test_resuming_a_state_repeats_the_run_and_the_timeline_keeps_flow_frames():
    trainer = Trainer(distribution="grid25", seed=6, **SMALL)
    timeline = Timeline(checkpoint_every=10)
    for _ in range(6):
        trainer.train(5)
        timeline.record(trainer.frame(with_metrics=False), trainer.state)
    index, state = timeline.state_at_or_before(3)
    assert timeline.frame(index).iteration == state.iteration < 30
    trainer.train(7)
    later = (trainer.flow_loss, _weights(trainer))
    trainer.restore(state)
    assert trainer.iteration == state.iteration and trainer.history.series("loss")[0][-1] == state.iteration
    trainer.train(37 - state.iteration)
    assert trainer.flow_loss == later[0]
    assert all(np.array_equal(a, b) for a, b in zip(later[1], _weights(trainer), strict=True))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_diverging_flow_stops_with_a_message_and_keeps_its_last_frame():
    trainer = Trainer(distribution="ring8", seed=0, flow_learning_rate=1e9, flow_optimizer="sgd", **SMALL)
    good = trainer.frame(with_metrics=False)
    trainer.train(50)
    assert trainer.diverged and "learning rate is too high" in trainer.diverged and "1e+09" in trainer.diverged
    frame = trainer.frame(with_metrics=False)
    assert frame.diverged == trainer.diverged and frame.iteration == good.iteration
    assert trainer.train(5) == 0


def test_a_short_run_finds_every_ring_mode():
    experiment = Experiment(model="flow", distribution="ring8", seed=1, flow_decay_iterations=1500)
    untrained = experiment.score(samples=10_000)
    metrics = experiment.train(1500).metrics
    assert metrics["modes"] == 8 and metrics["high_quality"] > 0.02
    assert experiment.score(samples=10_000) < untrained - 0.1  # grid JS: the modes are far finer than its cells
