"""The layered distributions view: every layer shows the frame's data and can be toggled."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from bokeh.models import ColorBar

from ganlab_panel.core.frame import HeatmapScale
from ganlab_panel.render.layers import MAX_ARROW, cell_alpha
from ganlab_panel.views.layered import LAYERS, LayeredView

NAMES = ["heatmap", "real-samples", "gradients", "fake-samples", "manifold", "manifold-grid"]


def renderer(view, name):
    found = view.figure.select({"name": name})
    assert len(found) == 1, f"expected one renderer named {name!r}, found {len(found)}"
    return found[0]


def data(view, name):
    return renderer(view, name).data_source.data


def test_every_layer_has_a_named_renderer_in_gan_lab_order():
    view = LayeredView()
    order = [r.name for r in view.figure.renderers]
    assert all(name in order for name in NAMES)
    # Bottom to top: heatmap, real, gradients, fake, manifold.
    positions = [order.index(name) for name in ["heatmap", "real-samples", "gradients", "fake-samples", "manifold"]]
    assert positions == sorted(positions)


def test_update_shows_the_frames_samples_and_heatmap(frame):
    view = LayeredView()
    view.update(frame)
    np.testing.assert_allclose(data(view, "fake-samples")["x"], frame.fake[:, 0])
    np.testing.assert_allclose(data(view, "fake-samples")["y"], frame.fake[:, 1])
    np.testing.assert_allclose(data(view, "real-samples")["x"], frame.real[:, 0])
    np.testing.assert_allclose(data(view, "real-samples")["y"], frame.real[:, 1])
    (image,) = data(view, "heatmap")["image"]
    np.testing.assert_allclose(image, frame.heatmap)  # row = y index, as Bokeh's image draws from the bottom


def test_heatmap_colours_are_fixed_from_purple_fake_to_green_real():
    view = LayeredView()
    mapper = renderer(view, "heatmap").glyph.color_mapper
    assert (mapper.low, mapper.high) == (0, 1)
    first, last = mapper.palette[0], mapper.palette[-1]
    red, green, blue = (int(first[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green and blue > green  # purple at D = 0
    red, green, blue = (int(last[i : i + 2], 16) for i in (1, 3, 5))
    assert green > red and green > blue  # green at D = 1
    legend = view.figure.select_one({"name": "heatmap-legend"})
    assert isinstance(legend, ColorBar) and legend.color_mapper is mapper
    assert set(legend.major_label_overrides.values()) >= {"fake", "real"}


def test_gradient_arrows_start_at_fake_samples_and_follow_the_gradient(frame):
    view = LayeredView()
    view.update(frame)
    arrows = data(view, "gradients")
    np.testing.assert_allclose(arrows["x0"], frame.fake[:, 0])
    np.testing.assert_allclose(arrows["y0"], frame.fake[:, 1])
    vectors = np.column_stack([arrows["x1"] - arrows["x0"], arrows["y1"] - arrows["y0"]])
    short = np.hypot(*frame.gradients.T) * view.arrow_scale < MAX_ARROW
    assert short.any()
    np.testing.assert_allclose(vectors[short], view.arrow_scale * frame.gradients[short], rtol=1e-5, atol=1e-6)


def test_a_huge_gradient_is_drawn_capped_but_in_its_direction(frame):
    gradients = frame.gradients.copy()
    gradients[0] = [300.0, -400.0]
    view = LayeredView()
    view.update(replace(frame, gradients=gradients))
    arrows = data(view, "gradients")
    vector = np.array([arrows["x1"][0] - arrows["x0"][0], arrows["y1"][0] - arrows["y0"][0]])
    assert np.hypot(*vector) == pytest.approx(MAX_ARROW)
    np.testing.assert_allclose(vector / np.hypot(*vector), [0.6, -0.8])


def test_changing_the_arrow_scale_redraws_the_arrows(frame):
    view = LayeredView()
    view.update(frame)
    before = np.asarray(data(view, "gradients")["x1"]) - frame.fake[:, 0]
    view.arrow_scale = view.arrow_scale / 2
    after = np.asarray(data(view, "gradients")["x1"]) - frame.fake[:, 0]
    np.testing.assert_allclose(after, before / 2, rtol=1e-5, atol=1e-6)  # float32 arrays


def test_defaults_show_every_layer_but_the_manifold_as_gan_lab():
    view = LayeredView()
    assert {name: renderer(view, name).visible for name in NAMES} == {
        "heatmap": True, "real-samples": True, "gradients": True, "fake-samples": True,
        "manifold": False, "manifold-grid": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("toggle", "names"),
    [
        ("show_heatmap", ["heatmap", "heatmap-legend"]),
        ("show_real", ["real-samples"]),
        ("show_gradients", ["gradients"]),
        ("show_fake", ["fake-samples"]),
        ("show_manifold", ["manifold", "manifold-grid"]),
    ],
)
def test_each_checkbox_toggles_its_layer(toggle, names):
    view = LayeredView()
    initially = getattr(view, toggle)
    for shown in (not initially, initially):
        others = [t for t in view.checkboxes.value if t != toggle]
        view.checkboxes.value = [*others, toggle] if shown else others
        assert getattr(view, toggle) is shown
        for name in names:
            assert view.figure.select_one({"name": name}).visible is shown


def test_setting_a_toggle_ticks_its_checkbox():
    view = LayeredView()
    view.show_manifold = True
    view.show_real = False
    assert "show_manifold" in view.checkboxes.value and "show_real" not in view.checkboxes.value


def test_checkboxes_have_visible_labels():
    view = LayeredView()
    assert list(view.checkboxes.options) == list(LAYERS.values())
    assert all(label.strip() for label in LAYERS.values())


def test_a_hidden_layer_catches_up_when_shown(frame):
    view = LayeredView()
    view.update(frame)
    assert len(data(view, "manifold")["alpha"]) == 0  # hidden by default: not sent
    view.show_manifold = True
    assert len(data(view, "manifold")["alpha"]) == 20 * 20
    view.show_fake = False
    moved = replace(frame, fake=frame.fake[::-1].copy())
    view.update(moved)
    np.testing.assert_allclose(data(view, "fake-samples")["x"], frame.fake[:, 0])  # stale while hidden
    view.show_fake = True
    np.testing.assert_allclose(data(view, "fake-samples")["x"], moved.fake[:, 0])


def test_2d_manifold_cells_are_the_deformed_grid(frame):
    view = LayeredView(show_manifold=True)
    view.update(frame)
    cells = data(view, "manifold")
    grid = frame.manifold
    assert cells["cell_x"].shape == (400, 4)
    # Cell (row 2, column 3) has corners (2,3), (2,4), (3,4), (3,3) of the grid.
    index = 2 * 20 + 3
    np.testing.assert_allclose(cells["cell_x"][index], [grid[2, 3, 0], grid[2, 4, 0], grid[3, 4, 0], grid[3, 3, 0]])
    np.testing.assert_allclose(cells["cell_y"][index], [grid[2, 3, 1], grid[2, 4, 1], grid[3, 4, 1], grid[3, 3, 1]])
    np.testing.assert_allclose(cells["alpha"], cell_alpha(frame.manifold_stretch.ravel()), rtol=1e-5)
    lines = data(view, "manifold-grid")
    x = np.asarray(lines["x"])
    assert np.isnan(x).sum() == 42  # 21 rows + 21 columns, each ended by a NaN gap: one line glyph
    np.testing.assert_allclose(x[:21], grid[0, :, 0])  # the first row
    np.testing.assert_allclose(x[21 * 22 : 21 * 22 + 21], grid[:, 0, 0])  # the first column


def test_manifold_switches_between_grid_and_curve_in_one_figure(frame, frame_1d):
    view = LayeredView(show_manifold=True)
    renderers = list(view.figure.renderers)
    view.update(frame)
    view.update(frame_1d)
    assert len(data(view, "manifold")["alpha"]) == 0  # no cells for a curve
    np.testing.assert_allclose(data(view, "manifold-grid")["x"], frame_1d.manifold[:, 0])
    np.testing.assert_allclose(data(view, "manifold-grid")["y"], frame_1d.manifold[:, 1])
    view.update(frame)
    assert len(data(view, "manifold")["alpha"]) == 400
    assert view.figure.renderers == renderers  # no renderer created per frame


def test_less_stretched_cells_are_darker():
    stretch = np.array([0.1, 0.5, 1.0, 2.0, 4.0])
    alpha = cell_alpha(stretch)
    assert np.all(np.diff(alpha) <= 0) and alpha[0] > alpha[-1]
    assert alpha.min() >= 0.1 and alpha.max() <= 0.9
    assert np.all(cell_alpha(np.zeros(4)) == 0.9)  # a collapsed generator: all mass in no area


def test_real_samples_are_resent_only_when_they_change(frame):
    view = LayeredView()
    view.update(frame)
    source = renderer(view, "real-samples").data_source
    changes = []
    source.on_change("data", lambda attr, old, new: changes.append(new))
    view.update(replace(frame, fake=frame.fake + 0.01))
    assert changes == []
    view.update(replace(frame, real=frame.real[::-1].copy()))
    assert len(changes) == 1


def test_the_legend_reads_critic_scores_when_a_frame_shows_them(frame):
    view = LayeredView()
    legend = view.figure.select_one({"name": "heatmap-legend"})
    changes = []
    legend.on_change("major_label_overrides", lambda attr, old, new: changes.append(new))
    view.update(frame)
    assert changes == [] and legend.title == "Discriminator output D(x)"  # a probability, as the legend says
    critic = replace(frame, heatmap_scale=HeatmapScale("critic", 2.0, 0.7, centred=True))
    view.update(critic)
    assert legend.major_label_overrides == {0: "-2", 0.5: "0", 1: "+2"} and "median" in legend.title
    view.update(replace(critic, heatmap_scale=HeatmapScale("critic", 2.0, -0.3, centred=True)))
    assert len(changes) == 1  # only the centre moved: the labels stand, nothing is sent
    view.update(replace(frame, heatmap_scale=HeatmapScale("critic", 0.5)))  # hinge: f itself, zero fixed
    assert legend.major_label_overrides == {0: "-0.5", 0.5: "0", 1: "+0.5"} and "logit" in legend.title
    view.update(frame)
    assert legend.major_label_overrides == {0: "fake", 0.5: "0.5", 1: "real"}
    assert legend.title == "Discriminator output D(x)"
