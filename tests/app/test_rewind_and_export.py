"""Rewind, downloads and upload in the app without a browser: what the timeline keeps, what scrubbing shows,
that resuming retrains exactly the same course, and that each download loads back."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PIL import Image

from ganlab_panel.core.config import GanConfig
from ganlab_panel.files import checkpoints
from ganlab_panel.pages.gan_lab import GanLab


@pytest.fixture
def app():
    lab = GanLab(pretrained=False)
    lab.iterations_per_frame = 20
    yield lab
    lab.pause()


def weights(app: GanLab) -> list[np.ndarray]:
    return [np.array(a) for net in app.trainer.engine.get_weights().values() for layer in net for a in layer]


def train_to(app: GanLab, iteration: int) -> None:
    """Play-loop ticks until `iteration` (each trains and records one frame)."""
    while app.trainer.iteration < iteration:
        app.tick()


def test_the_timeline_records_each_drawn_frame_and_follows_when_paused(app):
    train_to(app, 300)
    assert len(app.timeline) >= 300 // 20
    assert app.timeline.iterations()[0] == 0 and app.timeline.iterations()[-1] == app.trainer.iteration
    app.play()
    assert app.timeline_bar.slider.disabled, "no scrubbing while training runs"
    app.pause()
    slider = app.timeline_bar.slider
    assert not slider.disabled and slider.end == len(app.timeline) - 1 and slider.value == slider.end
    assert app.timeline_bar.resume_button.disabled, "the latest frame is where training already is"


def test_scrubbing_shows_an_earlier_frame_without_touching_training_or_the_charts(app):
    train_to(app, 200)
    iteration, trained = app.trainer.iteration, weights(app)
    points = len(app.charts.loss_source.data["iteration"])
    app.timeline_bar.slider.value = 2
    shown = app.timeline.frame(2)
    assert app.frame is shown and app.counter.text.startswith(f"Iteration {shown.iteration} ")
    np.testing.assert_array_equal(app.layered.sources["fake"].data["x"], shown.fake[:, 0])
    assert app.trainer.iteration == iteration
    assert all(np.array_equal(a, b) for a, b in zip(weights(app), trained, strict=True))
    assert len(app.charts.loss_source.data["iteration"]) == points, "the charts keep the whole run"
    assert app.charts.markers[0].location == shown.iteration
    assert not app.timeline_bar.resume_button.disabled

    app.timeline_bar.slider.value = app.timeline_bar.slider.end  # back to the latest
    assert app.frame.iteration == iteration and np.isnan(app.charts.markers[0].location)


def test_resume_from_an_earlier_frame_retrains_exactly_the_same_course(app):
    app.config.update({"generator_optimizer": "adam", "discriminator_optimizer": "adam"})
    app.config.update({"generator_learning_rate": 0.01, "discriminator_learning_rate": 0.01})
    train_to(app, 400)
    target, course = app.trainer.iteration, weights(app)
    app.pause()
    app.timeline_bar.slider.value = len(app.timeline) // 2
    index, state = app.timeline.state_at_or_before(app.timeline_bar.slider.value)
    app.rewind.resume()
    resumed = app.trainer.iteration
    assert 0 < resumed < target and resumed == app.timeline.iterations()[index]
    assert len(app.timeline) == index + 1, "the frames after the resume point are dropped"
    assert "Resumed from iteration" in app.notice.object
    app.trainer.train(target - resumed)
    assert all(np.array_equal(a, b) for a, b in zip(weights(app), course, strict=True))


def test_play_after_scrubbing_goes_on_from_the_latest_frame(app):
    train_to(app, 100)
    latest = app.trainer.iteration
    app.timeline_bar.slider.value = 0
    assert app.frame.iteration == 0
    app.play()
    assert app.frame.iteration == latest and "Back to the latest frame" in app.notice.object
    app.tick()
    assert app.trainer.iteration > latest


def test_a_new_run_clears_the_timeline_and_a_live_change_keeps_it(app):
    train_to(app, 100)
    kept = len(app.timeline)
    app.config.update({"generator_learning_rate": 0.03})  # live: the same run goes on
    assert len(app.timeline) >= kept
    app.config.update({"generator_layers": 2})  # rebuilt: a new run
    assert app.timeline.iterations() == [0]
    train_to(app, 60)
    app.reset()
    assert app.timeline.iterations() == [0]


def test_each_download_loads_back(app):
    train_to(app, 120)
    app.pause()
    data, name = app.export("checkpoint")
    checkpoint = checkpoints.load(data)
    assert name.endswith(".npz") and checkpoint.iteration == app.trainer.iteration

    data, name = app.export("config")
    assert name.endswith(".json") and GanConfig.from_json(data).to_dict() == app.config.to_dict()

    data, name = app.export("history")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert name.endswith(".csv") and rows and float(rows[-1]["iteration"]) <= app.trainer.iteration

    data, name = app.export("png")
    assert name.endswith(".png") and Image.open(io.BytesIO(data)).format == "PNG"

    data, name = app.export("gif")
    animation = Image.open(io.BytesIO(data))
    assert name.endswith(".gif") and animation.n_frames == min(len(app.timeline), 120)


def test_the_script_downloads_hold_the_settings_and_the_latest_weights(app):
    app.config.update({"loss": "hinge", "seed": 9})
    train_to(app, 40)
    app.pause()
    text, name = app.export("script")
    assert name == "ganlab-gaussians.py" and "SEED = 9" in text and "WEIGHTS" not in text
    compile(text, name, "exec")
    text, name = app.export("script_weights")
    assert name == f"ganlab-gaussians-iter{app.trainer.iteration}.py" and "WEIGHTS = (" in text
    assert f"at iteration {app.trainer.iteration}" in text


def test_a_diverged_model_is_not_offered_for_download(app):
    app.trainer.diverged = "The generator's loss became nan at iteration 3"
    assert app.export("checkpoint") is None
    assert app.export("script_weights") is None
    assert "Nothing to download" in app.notice.object and app.notice.alert_type == "warning"


def test_an_uploaded_checkpoint_continues_and_a_bad_one_changes_nothing(app, tmp_path):
    other = GanLab(pretrained=False)
    other.config.update({"distribution": "ring", "seed": 4})
    other.trainer.train(30)
    data, _ = other.export("checkpoint")
    app.load_checkpoint(data, "ring.npz")
    assert app.trainer.iteration == 30 and app.config.distribution == "ring" and app.config.seed == 4
    assert all(np.array_equal(a, b) for a, b in zip(weights(app), weights(other), strict=True))
    assert "Loaded ring.npz" in app.notice.object and app.timeline.iterations() == [30]

    before = weights(app)
    app.load_checkpoint(b"PK\x03\x04 not really a zip", "bad.npz")
    assert "Not loaded bad.npz" in app.notice.object and app.notice.alert_type == "warning"
    assert app.trainer.iteration == 30 and all(np.array_equal(a, b) for a, b in zip(weights(app), before, strict=True))


def test_a_flows_checkpoint_uploaded_to_the_gan_page_is_refused_and_changes_nothing(app):
    from ganlab_panel import Experiment
    from ganlab_panel.files import exports

    flow = Experiment(model="flow", distribution="ring8", flow_neurons=8, flow_steps=3).train(5)
    data = exports.checkpoint_bytes(flow.config, flow.trainer.engine.get_weights(), flow.iteration)
    train_to(app, 20)
    before, settings = weights(app), app.config.to_dict()
    app.load_checkpoint(data, "flow.npz")
    assert "Not loaded flow.npz: this is a flow-matching model's checkpoint" in app.notice.object
    assert app.notice.alert_type == "warning" and app.config.to_dict() == settings
    assert app.trainer.iteration == 20 and all(np.array_equal(a, b) for a, b in zip(weights(app), before, strict=True))


def test_pause_shows_where_training_is_even_when_the_browser_was_behind(app):
    app.play()
    app.tick()
    shown = app.frame.iteration
    app._browser_behind = lambda: True  # the page has not painted the frames sent: ticks train without drawing
    app.tick()
    assert app.trainer.iteration > shown and app.frame.iteration == shown
    app.pause()
    assert app.frame.iteration == app.trainer.iteration
    assert app.counter.text.startswith(f"Iteration {app.trainer.iteration} ")
    assert app.timeline.iterations()[-1] == app.trainer.iteration, "the latest frame kept is where training is"
