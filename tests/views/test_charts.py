"""Loss and divergence charts: one point per frame, bounded, cleared on a reset, NaN-safe."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ganlab_panel.views.charts import ChartsView


def column(source, name):
    return np.asarray(source.data[name], dtype=float)


def test_renderers_are_named_and_in_legends():
    view = ChartsView()
    for fig, names in [
        (view.loss_figure, ["discriminator-loss", "generator-loss"]),
        (view.metric_figure, ["kl", "js"]),
    ]:
        for name in names:
            assert fig.select_one({"name": name}) is not None
        labels = [item.label.value for item in fig.legend[0].items]
        assert len(labels) == len(names) and all(labels)


def test_each_frame_appends_one_point(frames):
    view = ChartsView()
    for frame in frames:
        view.update(frame)
    assert list(column(view.loss_source, "iteration")) == [f.iteration for f in frames]
    np.testing.assert_allclose(column(view.loss_source, "generator_loss")[1:], [f.generator_loss for f in frames[1:]])
    np.testing.assert_allclose(column(view.metric_source, "kl"), [f.metrics["kl"] for f in frames])
    np.testing.assert_allclose(column(view.metric_source, "js"), [f.metrics["js"] for f in frames])


def test_nan_losses_before_the_first_step_are_kept_as_gaps(frames):
    first = frames[0]
    assert math.isnan(first.discriminator_loss)  # the trainer's own first frame
    view = ChartsView()
    view.update(first)
    view.update(frames[1])
    losses = column(view.loss_source, "discriminator_loss")
    assert math.isnan(losses[0]) and np.isfinite(losses[1])


def test_missing_metric_values_become_nan(frames):
    view = ChartsView()
    view.update(replace(frames[1], metrics={"kl": None, "js": "n/a"}))
    assert math.isnan(column(view.metric_source, "kl")[0]) and math.isnan(column(view.metric_source, "js")[0])


def test_a_frame_without_metrics_adds_no_point_but_a_reset_still_clears(frames):
    view = ChartsView()
    view.update(frames[1])
    view.update(replace(frames[2], metrics={}))
    assert list(column(view.loss_source, "iteration")) == [frames[1].iteration]
    assert list(column(view.metric_source, "iteration")) == [frames[1].iteration]
    view.update(replace(frames[0], metrics={}))
    assert list(column(view.loss_source, "iteration")) == []


def test_the_same_frame_twice_adds_no_point(frames):
    view = ChartsView()
    view.update(frames[1])
    view.update(frames[1])
    assert len(view.loss_source.data["iteration"]) == 1


def test_a_reset_clears_the_charts(frames):
    view = ChartsView()
    for frame in frames:
        view.update(frame)
    view.update(frames[0])  # iteration went back to 0: a new experiment
    assert list(column(view.loss_source, "iteration")) == [0]
    assert list(column(view.metric_source, "iteration")) == [0]


def test_loading_a_model_clears_the_charts_even_when_the_iteration_jumps_ahead(frames):
    view = ChartsView()
    for frame in frames:
        view.update(frame)
    # Loading pretrained weights: iteration 1931, but the step counters start again from 0.
    view.update(replace(frames[0], iteration=1931, discriminator_steps=0, generator_steps=0))
    assert list(column(view.loss_source, "iteration")) == [1931]


def test_points_are_bounded_by_the_capacity(frames):
    view = ChartsView(capacity=3)
    last = frames[-1]
    for i in range(1, 7):
        view.update(replace(last, iteration=i, discriminator_steps=2 * i, generator_steps=i))
    assert list(column(view.loss_source, "iteration")) == [4, 5, 6]
    assert list(column(view.metric_source, "iteration")) == [4, 5, 6]


def test_a_single_discriminator_step_adds_a_point_at_the_same_iteration(frames):
    view = ChartsView()
    frame = frames[1]
    view.update(frame)
    view.update(replace(frame, discriminator_steps=frame.discriminator_steps + 1))
    assert list(column(view.loss_source, "iteration")) == [frame.iteration, frame.iteration]


def test_mode_collapse_figures_show_under_the_charts_for_known_mixtures(frames):
    view = ChartsView()
    mixture = {"kl": 0.3, "js": 0.1, "modes": 6, "modes_total": 8, "high_quality": 0.931, "mode_kl": 0.214}
    view.update(replace(frames[1], metrics=mixture))
    assert view.mode_text.text == "Modes captured 6 of 8 · high-quality samples 93.1% · mode KL 0.21"
    view.update(frames[2])  # a distribution without known modes
    assert view.mode_text.text == ""
