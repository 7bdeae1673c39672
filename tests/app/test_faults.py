"""Faults inside the app: an exception in the training loop, a damaged model file. The user is told, the
experiment is left as it was, and other sessions never notice."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ganlab_panel.files import checkpoints
from ganlab_panel.pages.gan_lab import GanLab


def run_loop(app: GanLab, ticks: int) -> None:
    """What the periodic callback does: call tick while it is scheduled."""
    for _ in range(ticks):
        if app.running:
            app.tick()


def weights(app: GanLab) -> list[np.ndarray]:
    return [np.array(a) for layers in app.trainer.engine.get_weights().values() for layer in layers for a in layer]


@pytest.fixture
def apps():
    """Two experiments side by side, as two browser sessions of one server have."""
    labs = [GanLab(pretrained=False), GanLab(pretrained=False)]
    yield labs
    for lab in labs:
        lab.pause()


def test_an_error_in_the_loop_stops_only_that_session_and_tells_its_user(apps, monkeypatch, caplog):
    broken, other = apps
    real_train = broken.trainer.train

    def train_then_fail(iterations):
        if broken.trainer.iteration > 0:
            raise RuntimeError("the engine lost its weights")
        return real_train(iterations)

    monkeypatch.setattr(broken.trainer, "train", train_then_fail)
    for lab in apps:
        lab.play()
    with caplog.at_level(logging.ERROR, logger="ganlab_panel.pages.gan_lab"):
        for _ in range(6):
            run_loop(broken, 1)
            run_loop(other, 1)

    assert not broken.playing and not broken.running, "the failing session must stop, not fail every 40 ms"
    assert broken.notice.visible and broken.notice.alert_type == "warning"
    assert "the engine lost its weights" in broken.notice.object and "Training stopped" in broken.notice.object
    assert broken.play_button.label == "Play", "the toolbar shows it stopped"
    logged = [r for r in caplog.records if r.name == "ganlab_panel.pages.gan_lab"]
    assert len(logged) == 1 and logged[0].exc_info, "one traceback in the server log"
    assert broken.frame.iteration == broken.trainer.iteration > 0, "the last frame stays on screen"

    assert other.running and other.trainer.iteration > broken.trainer.iteration, "the other session trains on"
    assert not other.notice.visible

    monkeypatch.undo()  # the fault is gone: Play starts the loop again
    stopped_at = broken.trainer.iteration
    broken.play()
    run_loop(broken, 2)
    assert broken.running and broken.trainer.iteration > stopped_at


def test_an_error_while_drawing_is_caught_the_same_way(apps, monkeypatch, caplog):
    lab = apps[0]

    def fail(frame):
        raise ValueError("a view could not draw")

    lab.play()
    run_loop(lab, 1)
    monkeypatch.setattr(lab.layered, "update", fail)
    with caplog.at_level(logging.ERROR, logger="ganlab_panel.pages.gan_lab"):
        run_loop(lab, 5)
    assert not lab.running and "a view could not draw" in lab.notice.object
    assert len([r for r in caplog.records if r.name == "ganlab_panel.pages.gan_lab"]) == 1


def test_a_damaged_model_file_is_refused_and_the_running_experiment_is_untouched(apps, tmp_path, monkeypatch):
    lab = apps[0]
    lab.play()
    run_loop(lab, 2)
    before = (lab.config.to_dict(), lab.trainer.iteration, weights(lab))
    good = (checkpoints.PRETRAINED_DIR / "gaussians.npz").read_bytes()
    bad_files = {
        "truncated": good[: len(good) // 2],
        "not a zip": b"<html>404 not found</html>",
        "oversized": b"PK" + bytes(checkpoints.MAX_FILE_BYTES),
    }
    monkeypatch.setattr(checkpoints, "PRETRAINED_DIR", tmp_path)
    for problem, data in bad_files.items():
        (tmp_path / "gaussians.npz").write_bytes(data)
        lab.load_pretrained()
        assert lab.notice.visible and "could not be loaded" in lab.notice.object, problem
        after = (lab.config.to_dict(), lab.trainer.iteration, weights(lab))
        assert after[:2] == before[:2] and all(np.array_equal(a, b) for a, b in zip(after[2], before[2], strict=True))
    assert lab.running, "a refused file does not stop training"
    run_loop(lab, 1)
    assert lab.trainer.iteration > before[1]
