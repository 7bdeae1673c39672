"""TrainingState, Trainer.state() and Trainer.restore(): going back to a state and training on gives
exactly what the uninterrupted run gave, whatever changed in between."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab_panel.core.history import History
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.engines.base import Hyper


def _rates(optimizer):
    rate = 0.001 if optimizer == "adam" else 0.01  # rates WGAN-GP trains with (see the app's limits)
    return {"generator_learning_rate": rate, "discriminator_learning_rate": rate}


def _settings(engine="numpy", optimizer="sgd", loss="log", **more):
    return {
        "engine": engine,
        "generator_optimizer": optimizer,
        "discriminator_optimizer": optimizer,
        "loss": loss,
        **_rates(optimizer),
        **more,
    }


def _assert_same_weights(a, b, engine="numpy"):
    wa, wb = a.engine.get_weights(), b.engine.get_weights()
    for net in ("generator", "discriminator"):
        for layer_a, layer_b in zip(wa[net], wb[net], strict=True):
            for x, y in zip(layer_a, layer_b, strict=True):
                if engine == "numpy":
                    np.testing.assert_array_equal(x, y)
                else:  # float32 on one thread is deterministic too; a tight margin all the same
                    np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def _assert_same_moment(a, b):
    assert (a.iteration, a.discriminator_steps, a.generator_steps) == (
        b.iteration,
        b.discriminator_steps,
        b.generator_steps,
    )


@pytest.mark.parametrize("engine", ["numpy", "torch"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("loss", ["log", "wgan_gp"])
def test_resuming_from_a_state_repeats_the_uninterrupted_run(engine, optimizer, loss):
    if engine == "torch":
        pytest.importorskip("torch")
    settings = _settings(engine, optimizer, loss, pack=2)
    run = Trainer(**settings)
    run.train(120)  # 360 batches of noise: the state falls inside a 64-batch buffer
    state = run.state()
    run.train(180)
    uninterrupted = Trainer(**settings)
    uninterrupted.train(300)
    _assert_same_weights(run, uninterrupted, engine)

    fresh = Trainer(**settings)
    fresh.restore(state)
    _assert_same_moment(fresh, state)
    assert fresh.train(180) == 180
    _assert_same_weights(fresh, uninterrupted, engine)
    _assert_same_moment(fresh, uninterrupted)
    assert fresh.discriminator_loss == pytest.approx(uninterrupted.discriminator_loss, rel=1e-5)

    run.restore(state)  # the same trainer, 180 iterations later: the state was a copy
    run.train(180)
    _assert_same_weights(run, uninterrupted, engine)
    np.testing.assert_allclose(run.frame().fake, uninterrupted.frame().fake, rtol=1e-5, atol=1e-6)


def test_a_state_between_steps_and_one_before_any_noise_resume_exactly():
    start = Trainer().state()  # nothing drawn yet
    resumed = Trainer(seed=7)
    resumed.restore(start)
    resumed.train(40)
    reference = Trainer()
    reference.train(40)
    _assert_same_weights(resumed, reference)

    reference.step_discriminator()  # slow motion: halfway through an iteration
    middle = reference.state()
    reference.step_discriminator()
    reference.step_generator()
    reference.finish_iteration()
    resumed.restore(middle)
    _assert_same_moment(resumed, middle)
    resumed.step_discriminator()
    resumed.step_generator()
    resumed.finish_iteration()
    _assert_same_weights(resumed, reference)
    _assert_same_moment(resumed, reference)


def test_restoring_brings_back_live_settings_and_their_optimizer_state():
    reference = Trainer(**_settings(optimizer="adam"))
    reference.train(130)
    trainer = Trainer(**_settings(optimizer="adam"))
    trainer.train(50)
    state = trainer.state()
    # new rates, another optimizer, another batch size: the noise buffer is then used in other slices
    trainer.config.update({"discriminator_learning_rate": 0.05, "generator_optimizer": "sgd", "batch_size": 64})
    trainer.train(30)

    trainer.restore(state)
    c = trainer.config
    assert (c.discriminator_learning_rate, c.generator_optimizer, c.batch_size) == (0.001, "adam", 150)
    assert trainer.engine.hyper == Hyper.from_config(c)
    trainer.train(80)
    _assert_same_weights(trainer, reference)


def test_a_state_taken_after_a_batch_size_change_resumes_exactly():
    def run(trainer):
        trainer.train(30)
        trainer.config.update({"batch_size": 64})  # the rest of a buffer drawn for batches of 150
        trainer.train(7)

    reference = Trainer()
    run(reference)
    state = reference.state()
    reference.train(60)
    resumed = Trainer()
    resumed.restore(state)
    resumed.train(60)
    _assert_same_weights(resumed, reference)


def test_restoring_another_architecture_rebuilds_once_and_watchers_see_the_restored_trainer():
    settings = _settings(generator_neurons=6, discriminator_layers=2)
    reference = Trainer(**settings)
    reference.train(60)
    state = reference.state()
    reference.train(40)

    trainer = Trainer(**_settings(distribution="ring", seed=3))
    trainer.train(25)
    rebuilds = []
    reset = trainer.reset
    trainer.reset = lambda **kw: (rebuilds.append(kw), reset(**kw))
    seen = []
    trainer.config.param.watch(lambda *_: seen.append((trainer.iteration, trainer.architecture)), ["generator_neurons"])

    trainer.restore(state)
    assert len(rebuilds) == 1
    assert seen == [(60, trainer.architecture)]
    assert trainer.architecture.generator_neurons == 6 and trainer.config.distribution == "gaussians"
    assert trainer.config.to_dict() == state.settings
    trainer.train(40)
    _assert_same_weights(trainer, reference)


@pytest.mark.parametrize("checkpoint", [False, True], ids=["state", "checkpoint"])
def test_watchers_registered_before_the_trainer_see_the_restored_trainer_too(checkpoint):
    """Restoring does not depend on the order of the configuration's watchers: one registered before the
    trainer existed sees the restored networks and iteration, not the old ones."""
    from ganlab_panel.core.config import GanConfig
    from ganlab_panel.core.training_state import TrainingState

    reference = Trainer(**_settings(generator_neurons=6, discriminator_layers=2))
    reference.train(60)
    state = reference.state()
    if checkpoint:
        state = TrainingState.from_checkpoint(state.settings, state.weights, state.iteration)
    config = GanConfig(**_settings(distribution="ring", seed=3))
    seen = []
    config.param.watch(lambda *_: seen.append((trainer.iteration, trainer.architecture)), ["generator_neurons"])
    trainer = Trainer(config)
    rebuilt = []
    trainer.rebuilt.append(lambda: rebuilt.append(trainer.iteration))
    trainer.train(25)
    trainer.restore(state)
    assert seen == [(60, trainer.architecture)] and trainer.architecture.generator_neurons == 6
    assert rebuilt == []  # the caller of restore() knows: listeners hear only rebuilds by a change of settings
    if not checkpoint:
        trainer.train(40)
        reference.train(40)
        _assert_same_weights(trainer, reference)
    config.generator_neurons = 7
    assert rebuilt == [0] and trainer.architecture.generator_neurons == 7


def test_restoring_settings_that_are_not_valid_changes_nothing():
    trainer = Trainer(**_settings())
    trainer.train(10)
    state = trainer.state()
    bad = type(state)(**{**state.__dict__, "settings": {**state.settings, "generator_neurons": 0}})
    with pytest.raises(ValueError, match="generator_neurons"):
        trainer.restore(bad)
    assert trainer.iteration == 10 and trainer.config.generator_neurons == 8


def test_restoring_clears_a_divergence():
    trainer = Trainer()
    trainer.train(20)
    state = trainer.state()
    trainer.config.update({"discriminator_learning_rate": 1e30, "generator_learning_rate": 1e30})
    trainer.train(50)
    assert trainer.diverged

    trainer.restore(state)
    assert trainer.diverged is None and trainer.frame().diverged is None
    assert trainer.config.discriminator_learning_rate == 0.1
    assert trainer.train(30) == 30
    reference = Trainer()
    reference.train(50)
    _assert_same_weights(trainer, reference)


def test_restoring_cuts_the_history_back_to_the_state():
    trainer = Trainer()
    trainer.train(120)
    trainer.frame()  # a KL / JS point at 120
    state = trainer.state()
    trainer.train(80)
    trainer.frame()
    trainer.restore(state)
    for name in ("discriminator_loss", "kl"):
        x, _ = trainer.history.series(name)
        assert x[-1] <= 120 < x[-1] + 2
    trainer.train(30)
    x, _ = trainer.history.series("discriminator_loss")
    assert x[-1] == 150 and np.all(np.diff(x) > 0)


def test_history_truncate_forgets_later_points_however_merged():
    history = History(capacity=8)
    for i in range(1, 41):  # merged into blocks of 4 or 8
        history.append(i, loss=float(i))
    history.append(40, kl=1.0)
    history.truncate(21)
    x, y = history.series("loss")
    assert x[-1] <= 21 and np.all(np.diff(x) > 0)
    np.testing.assert_allclose(x, y)  # each point still averages its own iterations
    assert history.last("loss") == y[-1]
    assert history.names() == ["loss"]  # the KL series had nothing before 21
    history.append(22, loss=22.0)
    assert history.series("loss")[0][-1] > 21


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_optimizer_state_is_a_copy_and_must_match_the_optimizers(engine):
    if engine == "torch":
        pytest.importorskip("torch")
    trainer = Trainer(**_settings(engine, "adam"))
    trainer.train(10)
    state = trainer.engine.optimizer_state()
    assert state["generator_optimizer"] == "adam" and state["generator_step"] == 10
    moments = [a.copy() for a in state["discriminator_m"]]
    trainer.train(10)
    for kept, before in zip(state["discriminator_m"], moments, strict=True):
        np.testing.assert_array_equal(kept, before)

    trainer.config.update({"discriminator_optimizer": "sgd"})  # SGD keeps no state; Adam's goes on
    now = trainer.engine.optimizer_state()
    assert now["discriminator_optimizer"] == "sgd" and "discriminator_m" not in now and now["generator_step"] == 20
    with pytest.raises(ValueError, match="optimizer"):
        trainer.engine.load_optimizer_state(state)


def test_a_state_counts_its_arrays_and_not_the_noise_buffer():
    sgd = Trainer()
    sgd.train(10)
    adam = Trainer(**_settings(optimizer="adam"))
    adam.train(10)
    weights = sum(a.nbytes for layers in sgd.engine.get_weights().values() for layer in layers for a in layer)
    assert weights < sgd.state().nbytes < weights + 10_000  # a 64-batch noise buffer alone is 77 KB
    assert adam.state().nbytes - sgd.state().nbytes == 2 * weights  # Adam's two moments
