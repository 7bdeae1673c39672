"""The flow's views on real FlowFrames: the layered view at time t (every layer filled, toggled, moved by t, slow
motion drawn over it), the flow's overview graph, and the charts of a flow's loss."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ganlab_panel.core.flow_slow_motion import FLOW_EDGES, FlowWalk, training_substep
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.render.layers import DENSITY_RANGE, FLOW_DEFAULT_LAYERS, FLOW_LAYER_NAMES, MAX_FIELD_ARROW
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.explanations import EXPLANATIONS, FLOW_COMPONENT_TOPICS
from ganlab_panel.views.flow_layered import FLOW_LAYERS, LEGENDS, PALETTES, FlowLayeredView, heatmap_shade, polylines
from ganlab_panel.views.flow_overview import FlowOverviewView
from ganlab_panel.views.flow_overview_graph import EDGE_POINTS, NODES, PHASE_COLORS, inner

LAYER_RENDERERS = {
    "show_heatmap": ["flow-heatmap"],
    "show_real": ["flow-real"],
    "show_field": ["flow-field", "flow-field-heads"],
    "show_trajectories": ["flow-paths", "flow-paths-ahead", "flow-now"],
    "show_samples": ["flow-samples"],
    "show_grid": ["flow-grid", "flow-grid-lines"],
}


@pytest.fixture(scope="module")
def trainer():
    trainer = Trainer(model="flow", distribution="ring8", flow_neurons=16, flow_steps=8, heatmap_resolution=12)
    trainer.train(30)
    return trainer


@pytest.fixture(scope="module")
def frames(trainer):
    """The same network's frames at t = 0, 0.5 and 1."""
    shown = {}
    for t in (0.0, 0.5, 1.0):
        trainer.config.flow_time = t
        shown[t] = trainer.frame()
    return shown


@pytest.fixture(scope="module")
def frame(frames):
    return frames[1.0]


def renderer(view, name):
    (found,) = view.figure.select({"name": name})
    return found


def data(view, name):
    return renderer(view, name).data_source.data


def xy(columns) -> np.ndarray:
    return np.column_stack([np.asarray(columns["x"], dtype=float), np.asarray(columns["y"], dtype=float)])


def test_every_layer_has_its_renderers_and_a_checkbox():
    view = FlowLayeredView()
    assert set(LAYER_RENDERERS) == set(FLOW_LAYERS)
    for names in LAYER_RENDERERS.values():
        for name in names:
            renderer(view, name)
    assert view.figure.name == "flow-layered"
    assert list(view.checkboxes.options) == list(FLOW_LAYERS.values())
    assert tuple(FLOW_LAYERS) == FLOW_LAYER_NAMES, "bottom to top, as pictures stack them"
    assert set(view.checkboxes.value) == FLOW_DEFAULT_LAYERS, "it opens as pictures are drawn by default"
    order = [r.name for r in view.figure.renderers]
    firsts = [order.index(names[0]) for names in (LAYER_RENDERERS[toggle] for toggle in FLOW_LAYER_NAMES)]
    assert firsts == sorted(firsts)


def test_update_fills_each_shown_layer_from_the_frame(frame):
    view = FlowLayeredView(show_field=True)
    view.update(frame)
    np.testing.assert_allclose(xy(data(view, "flow-real")), frame.real)
    np.testing.assert_allclose(xy(data(view, "flow-samples")), frame.samples)
    field = data(view, "flow-field")
    np.testing.assert_allclose(np.column_stack([field["x0"], field["y0"]]), frame.field_points)
    arrows = np.column_stack([field["x1"] - field["x0"], field["y1"] - field["y0"]])
    assert np.all(np.hypot(*arrows.T) <= MAX_FIELD_ARROW + 1e-6)
    # arrows point along the velocity
    cosine = np.sum(arrows * frame.field, axis=1) / (np.hypot(*arrows.T) * np.hypot(*frame.field.T) + 1e-12)
    assert np.all(cosine > 0.999)
    np.testing.assert_allclose(xy(data(view, "flow-now")), frame.trajectories[:, frame.time_index])
    paths = xy(data(view, "flow-paths"))
    assert len(paths) == len(frame.trajectories) * (frame.time_index + 2)  # each path then a NaN break
    (image,) = data(view, "flow-heatmap")["image"]
    assert image.shape == frame.log_density.shape and image.max() == pytest.approx(1.0) and image.min() >= 0
    assert len(data(view, "flow-grid")["alpha"]) == 0, "the carried grid is off by default: not drawn"


def test_each_toggle_hides_its_renderers_and_a_shown_layer_catches_up(frame):
    view = FlowLayeredView(show_field=True)
    view.update(frame)
    for toggle, names in LAYER_RENDERERS.items():
        shown = getattr(view, toggle)
        setattr(view, toggle, not shown)
        assert all(renderer(view, name).visible is not shown for name in names), toggle
        assert (toggle in view.checkboxes.value) is not shown
        setattr(view, toggle, shown)
        assert all(renderer(view, name).visible is shown for name in names), toggle
    view.checkboxes.value = [*view.checkboxes.value, "show_grid"]  # as a click on its label does
    assert view.show_grid and renderer(view, "flow-grid").visible
    assert len(data(view, "flow-grid")["alpha"]) == 20 * 20, "shown, the grid draws the frame it missed"
    assert len(xy(data(view, "flow-grid-lines"))) == 2 * 21 * 22


def test_a_hidden_layer_is_not_drawn(frames):
    view = FlowLayeredView(show_samples=False)
    view.update(frames[0.0])
    assert len(data(view, "flow-samples")["x"]) == 0


def test_the_time_moves_the_samples_from_the_source_to_the_learned_data(frames):
    view = FlowLayeredView()
    view.update(frames[0.0])
    at_start = xy(data(view, "flow-samples"))
    np.testing.assert_allclose(at_start, frames[0.0].source, atol=1e-5)  # t = 0: the source itself
    view.update(frames[0.5])
    halfway = xy(data(view, "flow-samples"))
    view.update(frames[1.0])
    at_end = xy(data(view, "flow-samples"))
    assert not np.allclose(at_start, at_end) and not np.allclose(halfway, at_end)
    moved = np.hypot(*(at_end - at_start).T).mean()
    assert moved > 0.05, "the samples travel between t = 0 and t = 1"
    ahead = xy(data(view, "flow-paths-ahead"))
    assert np.isfinite(ahead).sum(axis=1).astype(bool).sum() == len(frames[1.0].trajectories), "at t = 1: none ahead"


def test_heatmap_shades_density_relative_to_its_peak_and_speed_to_its_largest(frame):
    kind, shades = heatmap_shade(frame)
    assert kind == "density" and shades.max() == pytest.approx(1.0)
    low = frame.log_density < frame.log_density.max() - DENSITY_RANGE
    assert np.all(shades[low] == 0)
    speed = np.arange(4, dtype=np.float32).reshape(2, 2)
    kind, shades = heatmap_shade(replace(frame, log_density=None, speed=speed))
    assert kind == "speed"
    np.testing.assert_allclose(shades, speed / 3)
    assert heatmap_shade(replace(frame, log_density=None))[0] == "none"


def test_the_legend_and_palette_follow_the_heatmap_kind(frame):
    view = FlowLayeredView()
    view.update(frame)
    assert view.legend.title == LEGENDS["density"][0]
    view.update(replace(frame, log_density=None, speed=np.ones((3, 3), np.float32)))
    assert view.legend.title == LEGENDS["speed"][0] and list(view.color_mapper.palette) == list(PALETTES["speed"])
    view.update(replace(frame, log_density=None))
    assert view.legend.title == LEGENDS["none"][0]
    (image,) = data(view, "flow-heatmap")["image"]
    assert np.all(image == 0), "no heatmap: a white square"


def test_slow_motion_draws_a_training_step_stage_by_stage_then_a_sampling_run(trainer):
    view = FlowLayeredView()
    step = trainer.flow_step()
    counts = []
    for number in range(1, 6):
        view.show_substep(training_substep(step, number))
        counts.append(
            {
                name: len(data(view, f"flow-step-{name}")["x0" if name in ("pairs", "target", "prediction") else "x"])
                for name in ("x0", "x1", "pairs", "xt", "target", "prediction")
            }  # fmt: skip
        )
    assert counts[0] == {"x0": 64, "x1": 0, "pairs": 0, "xt": 0, "target": 0, "prediction": 0}
    assert counts[1]["x1"] == 64 and counts[1]["xt"] == 0
    assert counts[2]["pairs"] == counts[2]["xt"] == 64 and counts[2]["target"] == 0
    assert counts[3]["target"] == counts[3]["prediction"] == 64 == counts[4]["target"]
    target = data(view, "flow-step-target")
    direction = np.column_stack([np.subtract(target["x1"], target["x0"]), np.subtract(target["y1"], target["y0"])])
    np.testing.assert_allclose(direction, 0.15 * step.target[:64], atol=1e-5)

    walk, run = FlowWalk(), trainer.sampling_run()
    walk.advance(step=step)
    for _ in range(4):
        walk.advance()
    substep = walk.advance(run=run)
    view.show_substep(substep)
    np.testing.assert_allclose(xy(data(view, "flow-run")), run.positions[substep.index])
    assert len(data(view, "flow-step-x0")["x"]) == 0, "a sampling sub-step clears the training batch"
    view.show_substep(None)
    assert len(data(view, "flow-run")["x"]) == 0


def test_polylines():
    path = polylines(np.ones((2, 3, 2)))
    assert path.shape == (8, 2) and np.isnan(path[3]).all() and np.isnan(path[7]).all()


# -- the flow's overview graph ---------------------------------------------------------------------------
def test_the_flow_graph_has_every_node_edge_and_explanation():
    view = FlowOverviewView()
    assert list(view.nodes.data["name"]) == list(NODES)
    assert list(view.edges.data["name"]) == list(EDGE_POINTS) and set(EDGE_POINTS) == set(FLOW_EDGES)
    assert view.figure.name == "flow-overview" and (view.figure.width, view.figure.height) == (900, 260)
    assert set(FLOW_COMPONENT_TOPICS) == set(NODES)
    assert all(topic in EXPLANATIONS for topic in FLOW_COMPONENT_TOPICS.values())


def test_the_flow_graph_draws_a_frame_inside_each_node(frame):
    view = FlowOverviewView()
    view.update(frame)
    for node, source in (("data", "data"), ("source", "source"), ("samples", "samples"), ("ode", "ode")):
        x, y = (np.asarray(view.sources[source].data[c], dtype=float) for c in ("x", "y"))
        left, bottom, width, height = inner(node)
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        assert len(x) and np.all((x >= left) & (x <= left + width) & (y >= bottom) & (y <= bottom + height)), node
    assert len(view.sources["network"].data["x0"]) == 100
    assert view.sources["loss-values"].data["text"] == [f"{frame.loss:.3f}"]
    titles = dict(zip(view.titles.data["name"], view.titles.data["text"], strict=True))
    assert titles["samples"] == "Samples at t = 1.00"
    view.update(replace(frame, time=0.25))
    assert dict(zip(view.titles.data["name"], view.titles.data["text"], strict=True))["samples"].endswith("0.25")


@pytest.mark.parametrize("phase", ["training", "sampling"])
def test_a_phase_colours_its_paths(phase):
    view = FlowOverviewView()
    view.set_phase(phase)
    styles = dict(zip(view.edges.data["name"], view.edges.data["color"], strict=True))
    for edge, phases in FLOW_EDGES.items():
        assert (styles[edge] == PHASE_COLORS[phase]) is (phase in phases), edge
    with pytest.raises(ValueError, match="training, sampling"):
        view.set_phase("discriminator")


def test_a_sub_step_highlights_its_components(trainer):
    view = FlowOverviewView()
    substep = training_substep(trainer.flow_step(), 3)
    view.set_phase(substep.phase, substep)
    veils = dict(zip(view.nodes.data["name"], view.nodes.data["veil"], strict=True))
    assert all((veils[name] == 0) is (name in substep.components) for name in NODES)


# -- charts -------------------------------------------------------------------------------------------------
def test_a_flows_charts_plot_its_loss_series(trainer, frame):
    view = ChartsView(model="flow")
    assert view.loss_figure.select_one({"name": "flow-loss-line"}) is not None
    assert "samples" in view.metric_figure.title.text
    view.update(frame)
    assert list(view.loss_source.data) == ["iteration", "loss"]
    assert view.loss_source.data["loss"] == [pytest.approx(frame.loss)]
    view.reload(trainer.history)
    xs, ys = trainer.history.series("loss")
    assert len(view.loss_source.data["loss"]) == len(ys) > 1


def test_a_flows_loss_chart_takes_points_between_its_rarer_kl_and_js(frame, monkeypatch):
    view = ChartsView(model="flow")
    now = [100.0]
    monkeypatch.setattr("ganlab_panel.views.charts.time.monotonic", lambda: now[0])
    view.update(replace(frame, iteration=10, metrics={}))
    view.update(replace(frame, iteration=11, metrics={}))  # too soon: no point
    now[0] += 0.3
    view.update(replace(frame, iteration=12, metrics={}))
    assert view.loss_source.data["iteration"] == [10.0, 12.0]
    assert view.metric_source.data["iteration"] == [], "KL and JS only with the frames that carry them"
    view.update(replace(frame, iteration=13))  # one with metrics: both charts, however soon
    assert view.loss_source.data["iteration"][-1] == view.metric_source.data["iteration"][-1] == 13.0
