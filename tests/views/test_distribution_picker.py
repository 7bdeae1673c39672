"""The distribution picker: a picture and a titled button per distribution; clicking chooses it."""

from __future__ import annotations

import re

from ganlab_panel.core import distributions
from ganlab_panel.views.distribution_picker import CHOICES, PICTURE_SAMPLES, DistributionPicker, picture


def click(button):
    button.clicks += 1


def test_every_choice_has_a_button_titled_as_gan_lab():
    picker = DistributionPicker()
    titles = distributions.titles()
    assert list(picker.buttons) == list(CHOICES)
    assert [b.label for b in picker.buttons.values()] == [titles[name] for name in CHOICES]


def test_clicking_a_button_sets_the_value_and_moves_the_highlight():
    picker = DistributionPicker()
    assert picker.value == "gaussians"
    assert picker.buttons["gaussians"].color == "primary"
    click(picker.buttons["ring"])
    assert picker.value == "ring"
    assert picker.buttons["ring"].color == "primary"
    assert picker.buttons["gaussians"].color != "primary"
    assert "outline" in picker.pictures["ring"].styles and picker.pictures["ring"].styles["outline"] != "none"
    assert picker.pictures["gaussians"].styles.get("outline") == "none"


def test_setting_the_value_from_outside_moves_the_highlight():
    picker = DistributionPicker()
    picker.value = "line"
    assert [name for name, b in picker.buttons.items() if b.color == "primary"] == ["line"]


def test_clicking_the_current_choice_announces_it_again():
    picker = DistributionPicker(value="drawing")
    seen = []
    picker.param.watch(lambda event: seen.append(event.new), "value")
    click(picker.buttons["drawing"])  # e.g. to reopen the drawing canvas
    assert seen == ["drawing"]


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


def test_points_from_a_file_is_a_valid_value_with_no_button_highlighted():
    picker = DistributionPicker()
    picker.value = "points"
    assert all(b.color != "primary" for b in picker.buttons.values())


def test_the_drawing_picture_can_show_the_applied_drawing():
    picker = DistributionPicker()
    picker.show_drawing([[0.1, 0.9], [0.2, 0.8]])
    svg = picker.pictures["drawing"].object
    assert svg.count("<circle") == PICTURE_SAMPLES
    xs = [float(x) for x in re.findall(r'cx="([-0-9.]+)"', svg)]
    assert min(xs) > 0 and max(xs) < 35  # around x = 0.1 .. 0.2, with the drawing's jitter
