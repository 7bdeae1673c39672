"""The model overview graph: built once, filled from real Frames, highlighted per phase and sub-step."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from ganlab_panel.core.slow_motion import COMPONENTS, EDGES, SUBSTEPS
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.views.overview import OverviewView
from ganlab_panel.views.overview_graph import EDGE_COLOR, EDGE_POINTS, NODES, PHASE_COLORS, inner


@pytest.fixture(scope="module")
def trainer():
    trainer = Trainer()
    trainer.train(3)
    return trainer


@pytest.fixture(scope="module")
def frame(trainer):
    return trainer.frame()


def renderer(view, name):
    (found,) = [r for r in view.figure.renderers if r.name == name]
    return found


def inside(view, node, x, y):
    left, bottom, width, height = inner(node)
    x, y = np.asarray(x), np.asarray(y)
    return bool(np.all((x >= left) & (x <= left + width) & (y >= bottom) & (y <= bottom + height)))


def edge_style(view):
    data = view.edges.data
    return {n: (c, w, a) for n, c, w, a in zip(data["name"], data["color"], data["width"], data["alpha"], strict=True)}


def test_graph_has_every_component_and_edge_with_stable_names():
    view = OverviewView()
    assert set(NODES) == set(COMPONENTS) and set(EDGE_POINTS) == set(EDGES)
    assert list(view.nodes.data["name"]) == list(NODES)
    assert list(view.edges.data["name"]) == list(EDGE_POINTS)
    for name in ("edges", "nodes", "noise", "generator", "fake", "real", "discriminator", "real-predictions",
                 "fake-predictions", "discriminator-loss", "generator-loss"):  # fmt: skip
        renderer(view, f"overview-{name}")
    assert view.figure.toolbar_location is None
    assert view.__panel__().object is view.figure
    assert (view.figure.width, view.figure.height) == (900, 260)


def test_update_draws_a_frame_inside_each_node(frame):
    view = OverviewView()
    renderers = list(view.figure.renderers)
    view.update(frame)
    assert view.figure.renderers == renderers  # nothing is rebuilt per frame
    sources = view.sources
    assert len(sources["noise"].data["x"]) == len(frame.noise) == 150
    assert len(sources["real"].data["x"]) == 450 and len(sources["fake"].data["x"]) == 150
    for node in ("noise", "real", "fake", "real-predictions", "fake-predictions"):
        assert inside(view, node, sources[node].data["x"], sources[node].data["y"]), node
    # unit-square coordinates are mapped linearly into the box
    left, bottom, width, height = inner("fake")
    unit = np.clip(frame.fake, 0, 1)
    np.testing.assert_allclose(sources["fake"].data["x"], left + unit[:, 0] * width)
    np.testing.assert_allclose(sources["fake"].data["y"], bottom + unit[:, 1] * height)

    np.testing.assert_array_equal(sources["discriminator"].data["image"][0], frame.heatmap)
    image = renderer(view, "overview-discriminator").glyph
    assert (image.x, image.y, image.dw, image.dh) == inner("discriminator")
    np.testing.assert_array_equal(sources["real-predictions"].data["p"], frame.real_predictions)
    np.testing.assert_array_equal(sources["fake-predictions"].data["p"], frame.fake_predictions)


def test_manifold_is_one_nan_separated_path_of_grid_lines(frame):
    view = OverviewView()
    view.update(frame)
    x = np.asarray(view.sources["generator"].data["x"])
    rows, cols = frame.manifold.shape[:2]
    assert len(x) == rows * (cols + 1) + cols * (rows + 1)
    assert np.isnan(x).sum() == rows + cols
    finite = ~np.isnan(x)
    assert inside(view, "generator", x[finite], np.asarray(view.sources["generator"].data["y"])[finite])


def test_losses_show_as_bars_with_values(trainer, frame):
    view = OverviewView()
    view.update(frame)
    assert view.sources["loss-values"].data["text"] == [
        f"{trainer.discriminator_loss:.3f}",
        f"{trainer.generator_loss:.3f}",
    ]
    bars = [view.sources[n].data for n in ("discriminator-loss", "generator-loss")]
    assert all(bar["right"][0] > bar["left"][0] for bar in bars)
    bigger = replace(frame, discriminator_loss=frame.discriminator_loss * 3)
    before = bars[0]["right"][0]
    view.update(bigger)
    assert view.sources["discriminator-loss"].data["right"][0] > before
    assert view.sources["discriminator-loss"].data["right"][0] < NODES["discriminator-loss"][0] + 178


def test_losses_before_the_first_step_show_a_dash():
    view = OverviewView()
    view.update(Trainer().frame())
    assert view.sources["loss-values"].data["text"] == ["-", "-"]
    assert all(view.sources[n].data["right"] == view.sources[n].data["left"] for n in ("generator-loss",))


def test_one_dimensional_noise_lies_on_a_line_and_the_manifold_is_a_curve():
    frame = Trainer(noise_dim=1).frame()
    view = OverviewView()
    view.update(frame)
    left, bottom, width, height = inner("noise")
    np.testing.assert_allclose(view.sources["noise"].data["y"], bottom + height / 2)
    np.testing.assert_allclose(view.sources["noise"].data["x"], left + frame.noise[:, 0] * width)
    x = np.asarray(view.sources["generator"].data["x"])
    assert len(x) == len(frame.manifold) == 101 and not np.isnan(x).any()


def test_new_real_samples_after_a_reset_are_redrawn_everywhere(frame):
    view = OverviewView()
    view.update(frame)
    view.update(frame)  # same real samples: only the colours are refreshed
    other = Trainer(seed=7).frame()
    view.update(other)
    left, _, width, _ = inner("real-predictions")
    np.testing.assert_allclose(
        view.sources["real-predictions"].data["x"], left + np.clip(other.real[:, 0], 0, 1) * width
    )
    np.testing.assert_array_equal(view.sources["real-predictions"].data["p"], other.real_predictions)
    left, _, width, _ = inner("real")
    np.testing.assert_allclose(view.sources["real"].data["x"], left + np.clip(other.real[:, 0], 0, 1) * width)


def test_update_makes_the_edges_march(frame):
    view = OverviewView()
    view.update(frame)
    first = list(view.edges.data["dash_offset"])
    view.update(frame)
    assert list(view.edges.data["dash_offset"]) != first


def test_idle_graph_has_grey_edges():
    view = OverviewView()
    assert view.phase is None
    assert {c for c, _, _ in edge_style(view).values()} == {EDGE_COLOR}


@pytest.mark.parametrize("phase", ["discriminator", "generator"])
def test_a_phase_colours_its_data_flow_and_dims_the_rest(phase):
    view = OverviewView()
    view.set_phase(phase)
    assert view.phase == phase
    for name, (color, _, alpha) in edge_style(view).items():
        if phase in EDGES[name]:
            assert (color, alpha) == (PHASE_COLORS[phase], 1.0), name
        else:
            assert color == EDGE_COLOR and alpha < 1, name
    assert edge_style(view)["real-discriminator"][0] == (
        PHASE_COLORS[phase] if phase == "discriminator" else EDGE_COLOR
    )
    view.set_phase(None)
    assert {c for c, _, _ in edge_style(view).values()} == {EDGE_COLOR}


@pytest.mark.parametrize("step", SUBSTEPS, ids=lambda s: f"{s.phase}-{s.number}")
def test_a_substep_highlights_exactly_its_components_and_edges(step):
    view = OverviewView()
    view.set_phase(step.phase, step)
    styles = edge_style(view)
    widest = max(w for _, w, _ in styles.values())
    assert {n for n, (_, w, a) in styles.items() if w == widest and a == 1.0} == set(step.edges)
    assert all(styles[n][0] == PHASE_COLORS[step.phase] for n in step.edges)
    data = view.nodes.data
    for name, color, alpha, veil in zip(
        data["name"], data["line_color"], data["line_alpha"], data["veil"], strict=True
    ):
        assert (color == PHASE_COLORS[step.phase] and alpha == 1) == (name in step.components), name
        assert (veil == 0) == (name in step.components), name


def test_a_substep_of_the_other_phase_is_refused():
    view = OverviewView()
    with pytest.raises(ValueError, match="not in the generator phase"):
        view.set_phase("generator", SUBSTEPS[0])
    with pytest.raises(ValueError, match="phase must be"):
        view.set_phase("both")


def test_arrow_heads_point_along_the_edges():
    view = OverviewView()
    data = view.arrows.data
    for name, x, y, angle in zip(view.edges.data["name"], data["x"], data["y"], data["angle"], strict=True):
        (x0, y0), (x1, y1) = EDGE_POINTS[name][-2:]
        direction = math.atan2(y1 - y0, x1 - x0)
        assert math.isclose(angle, direction - math.pi / 2)
        assert math.hypot(x1 - x, y1 - y) < 5  # the head sits at the end of its edge


def test_predictions_are_named_as_scores_for_critic_losses(frames):
    from ganlab_panel.core.frame import HeatmapScale

    view = OverviewView()
    titles = dict(zip(view.titles.data["name"], view.titles.data["text"], strict=True))
    assert (titles["real-predictions"], titles["fake-predictions"]) == ("D(real)", "D(fake)")
    view.update(replace(frames[1], heatmap_scale=HeatmapScale(kind="critic", scale=2.0)))
    titles = dict(zip(view.titles.data["name"], view.titles.data["text"], strict=True))
    assert (titles["real-predictions"], titles["fake-predictions"]) == ("f(real)", "f(fake)")
    view.update(frames[2])
    assert dict(zip(view.titles.data["name"], view.titles.data["text"], strict=True))["real-predictions"] == "D(real)"
