"""Draw your own: a stroke drawn with the mouse becomes the real data; an empty drawing changes nothing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

DRAW = "Draw one by yourself"


def draw_stroke(app, points) -> None:
    """Press, drag through `points` (unit-square coordinates) and release over the drawing surface."""
    app.button("Apply").wait_for(state="visible")
    boxes = [None]  # the surface has just been shown: wait until its layout has settled

    def settled():
        boxes.append(app.plot_box("strokes"))
        return boxes[-1] == boxes[-2] and boxes[-1]["right"] - boxes[-1]["left"] > 100 and boxes[-1]

    box = wait_until(settled, "the drawing surface to be laid out", interval=0.2)

    def screen(x, y):
        return box["left"] + x * (box["right"] - box["left"]), box["bottom"] + y * (box["top"] - box["bottom"])

    mouse = app.page.mouse
    mouse.move(*screen(*points[0]))
    mouse.down()
    for point in points[1:]:
        mouse.move(*screen(*point), steps=3)
    mouse.up()


def test_a_drawn_stroke_becomes_the_real_samples(app):
    real_before = app.samples("real-samples")
    app.button(DRAW).click()
    # a diagonal from (0.2, 0.2) to (0.8, 0.8): the new real samples must lie along it
    draw_stroke(app, [(0.2 + 0.03 * i, 0.2 + 0.03 * i) for i in range(21)])
    wait_until(lambda: len(app.columns("strokes", "xs")["xs"]) == 1, "the stroke to show on the drawing surface")

    app.button("Apply").click()
    wait_until(lambda: app.samples("real-samples") != real_before, "the real samples to change")
    real = app.samples("real-samples")
    assert len(real) > 100
    # jitter is gaussian, sd 0.02 per coordinate: x - y has sd 0.028, so 0.15 is over 5 sd
    off_stroke = [(x, y) for x, y in real if abs(x - y) > 0.15 or not 0.05 < x < 0.95]
    assert not off_stroke, f"{len(off_stroke)} real samples are away from the drawn diagonal, e.g. {off_stroke[:3]}"
    assert app.counter() == (0, 0, 0), "new real data starts a new experiment"
    assert app.page.get_by_text("Applied").is_visible()

    # and the generator now trains on it
    app.play()
    app.wait_for_iteration(5)
    app.pause()
    assert app.samples("real-samples") == real


def test_applying_an_empty_drawing_says_so_and_changes_nothing(app):
    app.step("Both").click()
    app.wait_for_iteration(1)
    before = app.counter(), app.samples("real-samples"), app.samples("fake-samples")
    app.button(DRAW).click()
    app.button("Apply").click()
    app.page.get_by_text("Draw at least one stroke first").wait_for()
    assert (app.counter(), app.samples("real-samples"), app.samples("fake-samples")) == before


def test_the_drawing_surface_shows_only_for_draw_your_own(app):
    surface = app.page.get_by_role("button", name="Apply", exact=True)
    assert not surface.is_visible(), "the drawing surface shows before 'Draw your own' is chosen"
    app.button(DRAW).click()
    surface.wait_for(state="visible")
    app.button("Ring").click()
    surface.wait_for(state="hidden")
