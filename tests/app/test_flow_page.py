"""The flow on the GAN Lab page, without a browser: the model's toggle swaps the page's parts, a flow trains and
draws (its density not at every frame), t redraws a paused flow and sweeps, its step and slow motion, the link to
compare it with a GAN, and compare mode with a GAN beside a flow."""

from __future__ import annotations

from urllib.parse import parse_qsl

import numpy as np
import pytest
from panel.io.location import Location

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.pages.comparison import Comparison
from ganlab_panel.pages.flow_page import SWEEP_PERIOD_MS, SWEEP_SECONDS
from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.pages.training_page import DENSITY_PERIOD_S
from ganlab_panel.serving import url_state
from ganlab_panel.serving.url_state import compare_query, read_compare_link
from ganlab_panel.views.flow_layered import FlowLayeredView
from ganlab_panel.views.layered import LayeredView

SMALL = {"flow_neurons": 8, "flow_steps": 6, "heatmap_resolution": 10}
"""A small flow: the page's behaviour, not its speed."""


def click(button) -> None:
    button.clicks += 1


def slot_types(app, slot: str) -> list[str]:
    return [type(o).__name__ for o in app.slots[slot].objects]


@pytest.fixture
def app():
    lab = GanLab(GanConfig(distribution="ring8", **SMALL))
    lab.__panel__()  # its layout: the slots the model's parts go in
    yield lab
    lab.pause()


@pytest.fixture
def flow(app):
    app.model_toggle.value = "flow"
    return app


def test_the_toggle_switches_the_page_to_a_flow_and_back(app):
    assert app.shown_model == "gan" and isinstance(app.layered, LayeredView)
    assert app.pretrained_button.visible
    app.model_toggle.value = "flow"
    assert app.config.model == "flow" and app.trainer.flow is not None
    assert app.shown_model == "flow" and app.layered is app.flow_part.layered
    assert isinstance(app.layered, FlowLayeredView)
    assert isinstance(app.frame, FlowFrame) and app.trainer.iteration == 0
    assert app.counter.text == "Iteration 0 (flow matching, shown at t = 1.00)"
    assert app.slots["steps"].objects[-1] is app.flow_part.step_button
    assert "flow" in str(app.slots["layered"].objects[1].object.name)  # the flow's figure
    assert not app.pretrained_button.visible, "GAN Lab's shipped models are GANs"
    for name in ("flow_layers", "flow_learning_rate", "flow_time", "flow_heatmap", "flow_method"):
        assert name in app._setting_widgets
    app.model_toggle.value = "gan"
    assert app.shown_model == "gan" and isinstance(app.layered, LayeredView) and isinstance(app.frame, Frame)
    assert app.slots["steps"].objects[1] is app.step_buttons["Generator"]


def test_a_model_change_while_playing_pauses(app):
    app.play()
    app.model_toggle.value = "flow"
    assert not app.playing and app.shown_model == "flow"


def test_a_flow_opens_directly_from_its_settings():
    lab = GanLab(GanConfig(model="flow", **SMALL))
    assert lab.shown_model == "flow" and isinstance(lab.frame, FlowFrame)
    lab.__panel__()
    assert lab.slots["steps"].objects[-1] is lab.flow_part.step_button


def test_the_drawers_hold_the_models_settings_and_help(flow):
    flow.drawers.open("More settings")
    shown = flow.drawers.drawers["More settings"].objects[1].objects
    assert flow._setting_widgets["flow_schedule"] in shown and flow._setting_widgets["seed"] in shown
    assert flow._setting_widgets["loss"] not in shown, "a GAN's settings are hidden on a flow"
    flow.drawers.open("Help")
    text = str([pane.object for pane in flow.drawers.drawers["Help"].objects[1].objects])
    assert "change of variables" in text and "x1 - x0" in text
    flow.model_toggle.value = "gan"  # the open drawer is built anew for the GAN
    assert "change of variables" not in str([p.object for p in flow.drawers.drawers["Help"].objects[1].objects])


def test_playing_a_flow_trains_and_draws_with_the_density_only_every_so_often(flow, monkeypatch):
    asked = []
    frame = flow.trainer.frame

    def recording(with_metrics=True, with_heatmap=True):
        asked.append(with_heatmap)
        return frame(with_metrics, with_heatmap)

    monkeypatch.setattr(flow.trainer, "frame", recording)
    flow.iterations_per_frame = 5
    flow.play()
    for _ in range(6):
        flow.tick()
    flow.pause()
    assert flow.trainer.iteration >= 30 and flow.frame.iteration == flow.trainer.iteration
    assert asked[0] and asked.count(True) < len(asked), "the density is made anew every DENSITY_PERIOD_S"
    assert DENSITY_PERIOD_S >= 0.25
    assert all(f is not None for f in (flow.frame.log_density,)), "frames between carry the last density"
    assert len(flow.charts.loss_source.data["loss"]) >= 1
    np.testing.assert_allclose(flow.layered.sources["samples"].data["x"], flow.frame.samples[:, 0])


def test_a_paused_flow_redraws_when_its_time_or_heatmap_changes(flow):
    flow.iterations_per_frame = 5
    flow.tick()
    at_end = np.array(flow.layered.sources["samples"].data["x"])
    flow._setting_widgets["flow_time"].value = 0.0
    assert flow.frame.time == 0.0 and flow.counter.text.endswith("t = 0.00)")
    np.testing.assert_allclose(flow.layered.sources["samples"].data["x"], flow.frame.source[:, 0], atol=1e-5)
    assert not np.allclose(at_end, flow.layered.sources["samples"].data["x"])
    flow._setting_widgets["flow_heatmap"].value = "speed"
    assert flow.frame.speed is not None and flow.frame.log_density is None


def test_one_step_trains_once_and_draws_its_batch(flow):
    click(flow.flow_part.step_button)
    assert flow.trainer.iteration == 1 and flow.frame.iteration == 1
    assert len(flow.layered.sources["target"].data["x0"]) == 64
    flow.tick()  # a live frame clears it
    assert len(flow.layered.sources["target"].data["x0"]) == 0


def test_slow_motion_walks_a_training_step_then_a_sampling_run(flow):
    flow.slow_motion = True
    labels = [flow.advance_substep().label for _ in range(5)]
    assert labels[0].startswith("Training, step 1 of 5") and flow.trainer.iteration == 1
    assert flow.frame.iteration == 1, "the fifth sub-step shows the updated network"
    assert "Loss and update" in flow.caption.object
    assert flow.overview.substep is not None and flow.overview.substep.number == 5
    sampling = flow.advance_substep()
    assert sampling.phase == "sampling" and sampling.pace < 1
    assert len(flow.layered.sources["run"].data["x"]) == 300
    flow.slow_motion = False
    assert len(flow.layered.sources["run"].data["x"]) == 0 and flow.flow_part.walk.current is None


def test_sweep_t_moves_time_from_zero_to_one_and_stops(flow):
    flow.flow_part.sweep_button.value = True
    assert flow.config.flow_time == 0.0, "from t = 1 a sweep starts at 0"
    ticks = 0
    while flow.flow_part.sweeping and ticks < 200:
        flow.flow_part.sweep_tick()
        ticks += 1
    assert flow.config.flow_time == 1.0 and not flow.flow_part.sweeping
    assert ticks == pytest.approx(SWEEP_SECONDS * 1000 / SWEEP_PERIOD_MS, abs=2)
    assert flow.frame.time == 1.0 and flow.frame.log_density is not None, "its end drawn whole"


def test_the_compare_link_puts_a_gan_beside_a_flow_with_the_pages_settings(app):
    app.config.update({"seed": 4, "loss": "hinge", "flow_steps": 12})
    query = dict(parse_qsl(compare_query(app.config)))
    assert query == {
        "distribution": "ring8",
        "seed": "4",
        "a.model": "gan",
        "a.loss": "hinge",
        "b.model": "flow",
        "b.flow_neurons": "8",
        "b.flow_steps": "12",
    }, "the GAN's settings for A, the flow's for B, the data and seed for both (heatmap_resolution: not linked)"
    shared, a, b, ignored = read_compare_link(compare_query(app.config))
    assert shared == {"distribution": "ring8", "seed": 4} and a["loss"] == "hinge" and b["flow_steps"] == 12
    assert not ignored
    assert "Compare with a flow" in app.compare_models.object
    app.model_toggle.value = "flow"
    assert "Compare with a GAN" in app.compare_models.object and "b.flow_steps=12" in app.compare_models.object


def test_compare_mode_trains_a_gan_beside_a_flow():
    comparison = Comparison.from_link("?distribution=ring8&a.model=gan&b.model=flow&b.flow_neurons=8&seed=2")
    assert (comparison.a.model, comparison.b.model) == ("gan", "flow")
    assert isinstance(comparison.b.layered, FlowLayeredView) and "flow_steps" in comparison.b.widgets
    assert comparison.differences == [("Model", "GAN", "Flow matching")]
    comparison.play()
    for _ in range(3):
        comparison.tick()
    comparison.pause()
    assert comparison.a.trainer.iteration == comparison.b.trainer.iteration > 0
    assert isinstance(comparison.b.frame, FlowFrame) and comparison.b.counter.text.startswith("Iteration ")
    comparison.b.widgets["flow_time"].value = 0.5
    assert comparison.b.frame.time == 0.5, "a paused flow side redraws at its new t"
    with pytest.raises(ValueError, match="model"):
        comparison.update(b={"model": "gan"})


def test_a_bad_compare_link_says_what_it_left_out():
    comparison = Comparison.from_link("?b.model=flow&b.flow_steps=0&a.nonsense=1")
    assert comparison.b.model == "flow" and comparison.b.config.flow_steps == 20
    notice = comparison.notice.object.replace("\\", "")  # shown literally: Markdown's escapes
    assert "b.flow_steps: got 0" in notice and "a.'nonsense': not a setting" in notice


def test_a_flows_timeline_scrubs_back_and_resumes_and_its_picture_downloads(flow):
    flow.iterations_per_frame = 5
    flow.play()
    for _ in range(4):
        flow.tick()
    flow.pause()
    latest = flow.trainer.iteration
    flow.rewind.scrub(0)
    assert flow.frame.iteration == 0 and isinstance(flow.frame, FlowFrame) and flow.shown_model == "flow"
    flow.rewind.resume()
    assert flow.trainer.iteration == 0 < latest
    data, name = flow.export("png")
    assert name.endswith(".png") and data[:4] == b"\x89PNG"


def test_a_flows_link_opens_its_layers_and_holds_its_toggles(monkeypatch):
    location = Location(search="?model=flow&flow_neurons=8&show_field=true&show_trajectories=false&flow_time=0.5")
    monkeypatch.setattr(url_state, "served_location", lambda: location)
    lab = GanLab()
    assert lab.shown_model == "flow" and lab.trainer.iteration == 0 and lab.frame.time == 0.5
    assert lab.layered.show_field and not lab.layered.show_trajectories and lab.layered.show_samples
    lab.layered.show_grid = True
    written = dict(parse_qsl(location.search.lstrip("?")))
    assert written["show_grid"] == "true" and written["show_field"] == "true" and written["model"] == "flow"
    lab.flow_part.sweep_button.value = True
    lab.flow_part.sweep_tick()
    assert dict(parse_qsl(location.search.lstrip("?")))["flow_time"] == "0.5", "a sweep's moments stay out"
    lab.flow_part.sweep_button.value = False
    assert dict(parse_qsl(location.search.lstrip("?")))["flow_time"] == str(lab.config.flow_time)
