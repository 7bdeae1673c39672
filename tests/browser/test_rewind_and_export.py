"""Rewind, downloads and upload in a real browser: scrubbing shows earlier frames and resumes from them, every
download is a valid file (loaded back with the parsers a user would use), and an uploaded model continues."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from ganlab_panel.core.config import GanConfig
from ganlab_panel.experiment import Experiment
from ganlab_panel.files import checkpoints
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def timeline_label(app) -> str:
    app.open("Timeline")
    return app.page.locator(".timeline-label div").first.inner_text()


def shown_iteration(app) -> int | None:
    """The iteration the timeline's label says is shown (None while it says something else)."""
    match = re.search(r"Iteration ([\d,]+) of", timeline_label(app))
    return int(match.group(1).replace(",", "")) if match else None


def scrub(app, *keys: str) -> None:
    """Move the timeline's handle with the keyboard, as a user can (Home, arrows)."""
    app.open("Timeline")
    handle = app.page.locator(".timeline .noUi-handle")
    handle.focus()
    for key in keys:
        handle.press(key)


def download(app, kind: str) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and content."""
    app.open("Save and load")
    with app.page.expect_download() as info:
        app.page.locator(f".download-{kind} button, .download-{kind} a").first.click()
    path = info.value.path()
    return info.value.suggested_filename, open(path, "rb").read()


def test_scrubbing_shows_earlier_frames_and_resume_continues_from_a_kept_state(app):
    app.play()
    app.wait_for_iteration(450)
    app.pause()  # which shows where training is: the page may have been a few frames behind
    wait_until(lambda: shown_iteration(app) == app.iteration(), "the timeline to stand at the latest frame")
    latest, latest_fake = app.iteration(), app.samples("fake-samples")
    assert app.page.locator(".resume-here button").is_disabled(), "nothing to resume at the latest frame"

    scrub(app, "Home")
    wait_until(lambda: app.iteration() == 0, "the first frame to be shown")
    assert app.samples("fake-samples") != latest_fake
    assert shown_iteration(app) == 0

    for _ in range(6):  # a few frames in, one key at a time: each move shows its frame before the next
        before = app.iteration()
        scrub(app, "ArrowRight")
        wait_until(lambda before=before: app.iteration() > before, "the next frame to be shown")
    shown = app.iteration()
    assert 0 < shown < latest
    wait_until(lambda: shown_iteration(app) == shown, "the timeline's label to name the frame shown")
    resume_at = int(re.search(r"restarts training at iteration ([\d,]+)", timeline_label(app)).group(1))
    assert resume_at <= shown
    app.button("Resume from here").click()
    app.page.get_by_text(f"Resumed from iteration {resume_at:,}").wait_for()
    assert app.iteration() == resume_at
    wait_until(lambda: shown_iteration(app) == resume_at, "the timeline to end at the resume point")
    assert f"of {resume_at:,} " in timeline_label(app), "the frames after the resume point are dropped"

    app.play()
    app.wait_for_iteration(resume_at + 100)
    app.pause()


def test_play_after_scrubbing_goes_on_from_the_latest_frame(app):
    app.play()
    app.wait_for_iteration(150)
    app.pause()
    latest = app.iteration()
    scrub(app, "Home")
    wait_until(lambda: app.iteration() == 0, "the first frame to be shown")
    app.play()
    assert app.wait_for_iteration(latest + 1) > latest, "Play trains on from the latest iteration, not from 0"
    app.pause()
    assert "Back to the latest frame" in app.notice() or app.iteration() > latest


def test_every_download_is_a_valid_file(app):
    app.play()
    app.wait_for_iteration(120)
    app.pause()

    name, data = download(app, "checkpoint")
    iteration = app.iteration()  # read after the download: the frame shown on pausing has arrived by then
    assert name.endswith(".npz")
    checkpoint = checkpoints.load(data)
    assert checkpoint.iteration == iteration, "the model saved is the one the page shows"
    assert checkpoint.config["distribution"] == "gaussians"

    name, data = download(app, "config")
    assert name.endswith(".json")
    config = GanConfig.from_json(data.decode())
    assert config.distribution == "gaussians" and json.loads(data)["seed"] == config.seed

    name, data = download(app, "history")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert {"iteration", "discriminator_loss", "generator_loss", "kl", "js"} <= set(rows[0])
    iterations = [float(r["iteration"]) for r in rows]
    assert iterations == sorted(iterations) and 0 < iterations[-1] <= iteration
    assert all(np.isfinite(float(r["discriminator_loss"])) for r in rows if r["discriminator_loss"])

    name, data = download(app, "png")
    assert name.endswith(".png")
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG" and min(picture.size) >= 200

    name, data = download(app, "gif")
    assert name.endswith(".gif")
    animation = Image.open(io.BytesIO(data))
    assert animation.format == "GIF" and animation.n_frames > 1


def test_an_uploaded_model_continues_and_a_bad_file_changes_nothing(app, tmp_path):
    saved = Experiment(distribution="ring", seed=3)
    saved.train(40)
    path = tmp_path / "ring.npz"
    saved.save(path)

    app.open("Save and load")
    upload = app.page.locator(".upload-checkpoint input[type=file]")
    upload.set_input_files(str(path))
    app.page.get_by_text("Loaded ring.npz").wait_for()
    assert app.iteration() == 40
    expected = saved.frame().fake
    shown = np.array(app.samples("fake-samples"))
    np.testing.assert_allclose(shown, expected, atol=1e-5)  # the same networks: the same fake samples
    app.step("Both").click()
    wait_until(lambda: app.iteration() == 41, "a step to go on from the uploaded model")

    before = app.samples("fake-samples")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a checkpoint")
    upload.set_input_files(str(bad))
    app.page.get_by_text("Not loaded bad.npz").wait_for()
    assert app.iteration() == 41 and app.samples("fake-samples") == before
