"""The distribution picker: GAN Lab's row of thumbnails, a button named for each distribution; clicking chooses it."""

from __future__ import annotations

import re

from ganlab_panel.core import distributions
from ganlab_panel.views.distribution_picker import (
    CHOICES,
    PICTURE_SAMPLES,
    THUMB_SAMPLES,
    DistributionPicker,
    picture,
)


def buttons(picker) -> list[tuple[str, str]]:
    """(name, accessible name) of each thumbnail button in the component's HTML."""
    return re.findall(r'<button type="button" class="thumb" data-name="(\w+)" aria-label="([^"]+)"', picker._template)


def click(picker, name):
    """What the page sends on a click: the name and a time, so that a second click is a change too."""
    picker.picked = f"{name}#{len(picker.picked) + 1}"


def test_every_choice_has_a_thumbnail_button_named_as_gan_lab():
    titles = distributions.titles()
    assert buttons(DistributionPicker()) == [(name, titles[name]) for name in CHOICES]


def test_a_click_sets_the_value_and_the_page_marks_the_chosen_button():
    picker = DistributionPicker()
    assert picker.value == "gaussians"
    click(picker, "ring")
    assert picker.value == "ring"
    # the page marks the chosen one from `value` (aria-pressed), in the script run when it changes
    assert "setAttribute('aria-pressed', String(b.dataset.name === data.value))" in picker._scripts["value"]


def test_clicking_the_current_choice_announces_it_again():
    picker = DistributionPicker(value="drawing")
    seen = []
    picker.param.watch(lambda event: seen.append(event.new), "value")
    click(picker, "drawing")  # e.g. to reopen the drawing canvas
    click(picker, "drawing")
    assert seen == ["drawing", "drawing"]


def test_pictures_are_inline_svg_scatters_of_the_distribution():
    for name in ["line", "gaussians", "ring", "disjoint"]:
        svg = picture(name)
        assert svg.startswith("<svg") and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert svg.count("<circle") == PICTURE_SAMPLES
        ys = [float(y) for y in re.findall(r'cy="([-0-9.]+)"', svg)]
        assert min(ys) >= 0 and max(ys) <= 100
    # The ring's samples surround its centre (0.5, 0.45): y up means SVG y = 100 - 100 y.
    ring = picture("ring")
    xs = [float(x) for x in re.findall(r'cx="([-0-9.]+)"', ring)]
    ys = [float(y) for y in re.findall(r'cy="([-0-9.]+)"', ring)]
    assert abs(sum(xs) / len(xs) - 50) < 5 and abs(sum(ys) / len(ys) - 55) < 5


def test_the_line_picture_rises_to_the_left_as_the_distribution():
    # GAN Lab's line runs from (0.8, 0.6) to (0.05, 0.9): higher (smaller SVG y) on the left.
    svg = picture("line")
    xs = [float(x) for x in re.findall(r'cx="([-0-9.]+)"', svg)]
    ys = [float(y) for y in re.findall(r'cy="([-0-9.]+)"', svg)]
    points = sorted(zip(xs, ys, strict=True))
    left, right = points[: len(points) // 4], points[-len(points) // 4 :]
    assert sum(y for _, y in left) / len(left) < sum(y for _, y in right) / len(right)


def test_the_drawing_choice_shows_a_stroke():
    svg = picture("drawing")
    assert "<path" in svg and "<circle" not in svg


def test_points_from_a_file_is_a_valid_value_with_no_button_for_it():
    picker = DistributionPicker()
    picker.value = "points"
    assert "points" not in dict(buttons(picker))


def test_the_drawing_picture_can_show_the_applied_drawing():
    picker = DistributionPicker()
    picker.show_drawing([[0.1, 0.9], [0.2, 0.8]])
    svg = picker.drawing
    assert svg.count("<circle") == THUMB_SAMPLES
    xs = [float(x) for x in re.findall(r'cx="([-0-9.]+)"', svg)]
    assert min(xs) > 0 and max(xs) < 35  # around x = 0.1 .. 0.2, with the drawing's jitter
