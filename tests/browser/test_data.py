"""Data beyond GAN Lab's four: a benchmark mixture with its mode-collapse figures, and points from a CSV file."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab_panel.core.distributions import RING8_MODES, RING8_STD
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser


def test_the_ring_of_8_shows_its_modes_and_the_mode_collapse_figures(app):
    app.button("Ring of 8 (benchmark)").click()
    wait_until(lambda: app.counter() == (0, 0, 0) and _near_ring8(app.samples("real-samples")), "the ring of 8")
    app.step("Both").click()
    app.wait_for_iteration(1)
    figures = app.page.locator(".mode-metrics").get_by_text("Modes captured").first
    figures.wait_for()
    assert "of 8" in figures.inner_text() and "high-quality samples" in figures.inner_text()


def _near_ring8(points) -> bool:
    points = np.asarray(points)
    distance = np.linalg.norm(points[:, None] - RING8_MODES[None], axis=2).min(axis=1)
    return len(points) > 100 and bool(np.all(distance < 6 * RING8_STD))


def test_a_csv_file_becomes_the_real_samples_and_a_bad_one_is_refused(app, tmp_path):
    good = tmp_path / "square.csv"
    good.write_text("x,y\n" + "".join(f"{x},{y}\n" for x in (0, 10) for y in (0, 10)))
    app.button("Draw one by yourself").click()  # the drawing panel opens from the chooser, with a CSV upload
    app.page.locator(".load-csv input[type=file]").set_input_files(str(good))
    app.page.get_by_text("Loaded 4 points from square.csv").wait_for()
    corners = {(round(x, 2), round(y, 2)) for x, y in app.samples("real-samples")}
    assert corners == {(0.05, 0.05), (0.05, 0.95), (0.95, 0.05), (0.95, 0.95)}

    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\nthree,4\n")
    app.button("Draw one by yourself").click()  # the panel closed when the file's points became the data
    app.page.locator(".load-csv input[type=file]").set_input_files(str(bad))
    app.page.get_by_text("Not loaded bad.csv").wait_for()
    assert "line 3" in app.page.get_by_text("Not loaded bad.csv").inner_text()
    assert {(round(x, 2), round(y, 2)) for x, y in app.samples("real-samples")} == corners
