"""The GanLab app shell without a browser: controls, the training loop, settings, slow motion, recovery."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import panel as pn
import pytest

from ganlab_panel.core import presets
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.slow_motion import SUBSTEPS
from ganlab_panel.files import checkpoints
from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.serving.pacing import SessionWatch
from ganlab_panel.views.drawing import EMPTY_MESSAGE
from ganlab_panel.views.explanations import explain
from ganlab_panel.views.text import BOLD

ROOT = Path(__file__).resolve().parents[2]


def counts(app: GanLab) -> tuple[int, int, int]:
    return app.trainer.iteration, app.trainer.discriminator_steps, app.trainer.generator_steps


def weights(app: GanLab, network: str) -> list[np.ndarray]:
    return [np.array(a) for layer in app.trainer.engine.get_weights()[network] for a in layer]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def click(button) -> None:
    button.clicks += 1


@pytest.fixture
def app():
    lab = GanLab(pretrained=False)
    yield lab
    lab.pause()


def test_app_and_views_never_import_torch():
    code = "import ganlab_panel.pages.gan_lab, sys; assert 'torch' not in sys.modules, 'torch was imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for path in [ROOT / "ganlab_panel" / "app.py", *(ROOT / "ganlab_panel" / "views").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "torch" for n in names), f"{path.name} imports torch"


def test_opens_on_the_pretrained_gaussians_model_as_gan_lab_does():
    lab = GanLab()
    checkpoint = checkpoints.load(checkpoints.pretrained_path("gaussians"))
    assert lab.config.distribution == "gaussians" and lab.trainer.iteration == checkpoint.iteration == 1931
    assert lab.counter.text == "Iteration 1931 (discriminator steps 0, generator steps 0)"
    assert "Pretrained model loaded" in lab.notice.object and lab.notice.visible
    for net in ("generator", "discriminator"):
        for (w, b), (w0, b0) in zip(lab.trainer.engine.get_weights()[net], checkpoint.weights[net], strict=True):
            np.testing.assert_allclose(w, w0, rtol=1e-6)
            np.testing.assert_allclose(b, b0, rtol=1e-6, atol=1e-7)
    # settings of one's own, or no pretrained model asked for: a fresh experiment
    assert GanLab(GanConfig(distribution="ring")).trainer.iteration == 0
    assert GanLab(pretrained=False).trainer.iteration == 0


def test_opens_paused_at_iteration_zero_and_a_tick_trains_and_draws(app):
    assert not app.playing and not app.running
    assert app.play_button.label == "Play"
    assert app.counter.text.startswith("Iteration 0 ")
    app.iterations_per_frame = 3
    app.tick()
    assert app.trainer.iteration == 3
    assert app.frame.iteration == 3
    assert app.counter.text == "Iteration 3 (discriminator steps 6, generator steps 3)"
    np.testing.assert_allclose(app.layered.sources["fake"].data["x"], app.frame.fake[:, 0])


def test_play_and_pause_start_and_stop_the_one_periodic_callback(app):
    click(app.play_button)
    assert app.playing and app.running and app.play_button.label == "Pause"
    callback = app._loop.callback
    click(app.play_button)
    assert not app.playing and not app.running and app.play_button.label == "Play"
    app.space_key.presses += 1  # the space bar
    assert app.running and app._loop.callback is callback
    app.space_key.presses += 1
    assert not app.running


def test_each_step_button_trains_only_its_network(app):
    generator, discriminator = weights(app, "generator"), weights(app, "discriminator")
    click(app.step_buttons["Discriminator"])
    assert counts(app) == (0, 1, 0)
    assert same(weights(app, "generator"), generator)
    assert not same(weights(app, "discriminator"), discriminator)
    assert app.frame.discriminator_steps == 1, "a step draws a frame"

    discriminator = weights(app, "discriminator")
    click(app.step_buttons["Generator"])
    assert (app.trainer.discriminator_steps, app.trainer.generator_steps) == (1, 1)
    assert same(weights(app, "discriminator"), discriminator)
    assert not same(weights(app, "generator"), generator)

    click(app.step_buttons["Both"])
    k_d, k_g = app.config.k_discriminator, app.config.k_generator
    assert counts(app) == (1, 1 + k_d, 1 + k_g)
    assert app.counter.text.startswith("Iteration 1 ")
    assert not app.running, "a step does not start training"


def test_a_step_while_playing_pauses_first(app):
    app.play()
    click(app.step_buttons["Generator"])
    assert not app.running and app.trainer.generator_steps == 1


def test_a_live_setting_applies_without_a_reset(app):
    app.tick()
    iteration = app.trainer.iteration
    app._setting_widgets["generator_learning_rate"].value = 0.03
    app._setting_widgets["discriminator_optimizer"].value = "adam"
    assert app.config.generator_learning_rate == 0.03 and app.config.discriminator_optimizer == "adam"
    assert app.trainer.iteration == iteration
    assert not app.notice.visible
    app.tick()
    assert app.trainer.iteration > iteration


def test_a_structural_setting_rebuilds_with_a_visible_cue(app):
    app.tick()
    app._setting_widgets["generator_layers"].value = 2
    assert app.config.generator_layers == 2
    assert app.trainer.iteration == 0 and app.frame.iteration == 0
    assert app.counter.text.startswith("Iteration 0 ")
    assert app.notice.visible and "rebuilt" in app.notice.object
    assert len(app.trainer.engine.get_weights()["generator"]) == 4  # noise -> N -> N -> N -> 2


def test_an_invalid_setting_is_refused_with_a_message_and_nothing_changes(app):
    app._setting_widgets["k_generator"].value = 0
    before = app.config.to_dict()
    app._setting_widgets["k_discriminator"].value = 0
    assert app.config.to_dict() == before
    assert app._setting_widgets["k_discriminator"].value == before["k_discriminator"], "the widget shows the setting"
    assert app.notice.visible and "cannot both be 0" in app.notice.object

    app._setting_widgets["generator_neurons"].value = 500  # typed in: the input box has no bounds of its own
    assert app.config.generator_neurons == before["generator_neurons"]
    assert app._setting_widgets["generator_neurons"].value == before["generator_neurons"]
    assert "generator_neurons" in app.notice.object and "1 to 100" in app.notice.object


def test_settings_changed_elsewhere_show_in_the_widgets(app):
    app.config.update({"generator_learning_rate": 0.0123, "noise_type": "gaussian"})
    widget = app._setting_widgets["generator_learning_rate"]
    assert widget.value == 0.0123 and 0.0123 in widget.options.values()
    assert app._setting_widgets["noise_type"].value == "gaussian"


def test_the_penalty_weight_is_a_menu_in_the_training_card_and_applies_live(app):
    widget = app._setting_widgets["gp_weight"]
    assert isinstance(widget, pn.widgets.Select) and list(widget.options.values()) == [0.0, 0.1, 1.0, 10.0, 100.0]
    assert widget.value == 10.0 and "penalty" in widget.name.lower()
    app.config.update({"loss": "wgan_gp"})
    app.tick()
    engine = app.trainer.engine
    widget.value = 0.1
    assert app.config.gp_weight == 0.1 and app.trainer.engine is engine and engine.hyper.gp_weight == 0.1
    app.config.update({"gp_weight": 2.5})  # e.g. from a link: off the menu, so the menu gains it
    assert widget.value == 2.5 and 2.5 in widget.options.values()


def test_choosing_a_distribution_loads_its_gan_lab_settings(app):
    app.tick()
    app.picker.value = "ring"
    for name, value in presets.preset("ring").items():
        assert getattr(app.config, name) == value, name
    assert app.trainer.iteration == 0
    assert app._setting_widgets["discriminator_layers"].value == presets.PRESETS["ring"]["discriminator_layers"]
    assert not app._drawing_box.visible


def test_each_app_owns_its_settings_and_class_defaults_stay(app):
    other = GanLab(GanConfig(distribution="ring"))
    app._setting_widgets["seed"].value = 7
    assert other.config.seed == 0 and other.config is not app.config
    assert other.config.distribution == "ring" and app.config.distribution == "gaussians"
    assert GanLab.param.iterations_per_frame.default == 25 and GanLab.param.playing.default is False
    assert GanConfig.param.seed.default == 0


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A pretrained 'ring' model at iteration 812 in a temporary pretrained folder."""
    monkeypatch.setattr(checkpoints, "PRETRAINED_DIR", tmp_path)
    config = GanConfig(**presets.preset("ring"), seed=5)
    trained = GanLab(config)
    trained.trainer.train(3)
    saved = trained.trainer.engine.get_weights()
    checkpoints.save(tmp_path / "ring.npz", config, saved, 812)
    return config, saved


def test_use_pretrained_loads_settings_weights_and_iteration(app, shipped):
    config, saved = shipped
    app.picker.value = "ring"
    click(app.pretrained_button)
    assert app.trainer.iteration == 812 and app.frame.iteration == 812
    assert app.config.seed == 5 and app.config.discriminator_layers == config.discriminator_layers
    for (w, b), (saved_w, saved_b) in zip(
        app.trainer.engine.get_weights()["generator"], saved["generator"], strict=True
    ):
        np.testing.assert_allclose(w, saved_w, rtol=1e-6)
        np.testing.assert_allclose(b, saved_b, rtol=1e-6)
    assert "iteration 812" in app.notice.object and "rebuilt" not in app.notice.object
    app.tick()
    assert app.trainer.iteration > 812, "training continues from the loaded model"


def test_use_pretrained_without_a_model_says_so_and_changes_nothing(app, shipped):
    app.tick()
    before = (app.config.to_dict(), app.trainer.iteration)
    app.picker.value = "drawing"
    click(app.pretrained_button)
    assert (app.config.to_dict(), app.trainer.iteration) == before
    assert app.notice.visible and "no pretrained model" in app.notice.object


def test_drawing_apply_trains_on_the_drawn_points_and_an_empty_drawing_changes_nothing(app):
    app.picker.value = "drawing"
    assert app._drawing_box.visible
    assert app.config.distribution == "gaussians", "choosing 'drawing' waits for Apply"
    app.tick()
    click(app.drawing.apply_button)
    assert app.drawing.message.visible and app.drawing.message.object == EMPTY_MESSAGE
    assert app.config.distribution == "gaussians" and app.trainer.iteration > 0

    app.drawing.stroke_source.data = {"xs": [[0.2, 0.25, 0.3]], "ys": [[0.8, 0.8, 0.8]]}
    click(app.drawing.apply_button)
    assert app.config.distribution == "drawing"
    assert app.config.points == [[0.2, 0.8], [0.25, 0.8], [0.3, 0.8]]
    assert app.trainer.iteration == 0
    real = app.frame.real
    assert np.all(np.abs(real[:, 1] - 0.8) < 0.15) and np.all(real[:, 0] < 0.45)
    np.testing.assert_allclose(app.layered.sources["real"].data["y"], real[:, 1])


def test_divergence_pauses_shows_the_message_and_reset_recovers(app):
    app.config.update({"discriminator_learning_rate": 1e6, "generator_learning_rate": 1e6})
    app.play()
    last_good = app.frame
    for _ in range(20):
        app.tick()
        if app.trainer.diverged:
            break
        last_good = app.frame
    assert app.trainer.diverged, "learning rates of 1e6 should blow training up"
    assert not app.playing and not app.running
    assert app.divergence.visible and app.trainer.diverged in app.divergence.object
    assert np.isfinite(app.frame.fake).all() and app.frame.iteration <= last_good.iteration + app.iterations_per_frame
    app.play()
    assert not app.running, "a diverged experiment cannot play before a reset"

    app.config.update({"discriminator_learning_rate": 0.1, "generator_learning_rate": 0.1})
    click(app.reset_button)
    assert app.trainer.diverged is None and not app.divergence.visible
    assert app.trainer.iteration == 0
    app.tick()
    assert app.trainer.iteration > 0


def test_slow_motion_walks_the_ten_substeps_and_updates_at_each_fifth(app):
    app.slow_toggle.value = True
    assert app.slow_motion and app.caption.visible
    k_d, k_g = app.config.k_discriminator, app.config.k_generator
    seen = []
    for expected in SUBSTEPS:
        steps = (app.trainer.discriminator_steps, app.trainer.generator_steps)
        substep = app.advance_substep()
        assert substep.caption == expected.caption and expected.caption in app.caption.object
        assert app.overview.phase == expected.phase and app.overview.substep == substep
        gained = (app.trainer.discriminator_steps - steps[0], app.trainer.generator_steps - steps[1])
        seen.append(gained)
        assert app.trainer.iteration == (1 if expected is SUBSTEPS[-1] else 0)
    assert seen[4] == (k_d, 0) and seen[9] == (0, k_g)
    assert all(g == (0, 0) for i, g in enumerate(seen) if i not in (4, 9))
    assert app.counter.text.startswith("Iteration 1 ")

    app.slow_toggle.value = False
    assert not app.caption.visible and app.overview.phase is None


def test_slow_motion_plays_through_the_same_callback_at_its_pace(app):
    app.slow_motion = True
    app.pace = 5
    app.play()
    app.tick()  # the first sub-step is due at once, the next one only after the pace
    app.tick()
    assert app.overview.substep == SUBSTEPS[0]
    app.pause()
    assert not app.running


def test_a_closed_browser_tab_stops_training():
    session = SimpleNamespace(destroyed=False, connection_count=1)
    lab = GanLab(pretrained=False)
    lab._loop.session = SessionWatch(SimpleNamespace(session_context=SimpleNamespace(session=session)))
    lab.play()
    lab.tick()
    assert lab.running and lab.trainer.iteration > 0
    session.connection_count = 0  # the tab closed; the server keeps the session a while longer
    iteration = lab.trainer.iteration
    lab.tick()
    assert not lab.running and lab.trainer.iteration == iteration

    lab.play()
    lab._loop._on_session_destroyed(None)
    assert not lab.running


def test_each_part_has_its_explanation_one_click_away(app):
    layout = app.__panel__()

    def texts() -> str:
        panes = layout.select(lambda o: isinstance(o, (pn.pane.Markdown, pn.pane.HTML)))
        return " ".join(str(pane.object) for pane in panes)

    beside = texts()  # folded under 'About ...' beside the part itself
    for topic in ("generator", "gradients", "discriminator", "heatmap", "manifold"):
        assert BOLD.sub(r"<b>\1</b>", explain(topic)) in beside, topic
    assert "Help" in app.drawers.toggles and len(app.drawers.drawers["Help"]) == 1, "built when first opened"
    app.drawers.open("Help")
    helped = texts()
    assert explain("distribution") in helped  # shown as it is
    for topic in ("noise", "k_steps", "learning_rate", "slow_motion", "step", "loss_charts", "divergences"):
        assert BOLD.sub(r"<b>\1</b>", explain(topic)) in helped, topic


def test_a_csv_file_becomes_the_real_data_and_a_bad_one_changes_nothing(app):
    app.files.load_csv(b"x,y\n0,0\n1,1\n2,0\n", "tri.csv")
    assert app.config.distribution == "points" and len(app.config.points) == 3
    assert app.trainer.iteration == 0 and "Loaded 3 points from tri.csv" in app.notice.object
    real = app.layered.sources["real"].data
    np.testing.assert_allclose(sorted(set(np.round(real["x"], 4))), [0.05, 0.5, 0.95], rtol=1e-5)  # rescaled
    app.step_both()
    before = (app.config.points, app.trainer.iteration)
    app.files.load_csv(b"x,y\n1,2\n3,oops\n", "bad.csv")
    assert "Not loaded bad.csv" in app.notice.object and "line 3" in app.notice.object
    assert (app.config.points, app.trainer.iteration) == before


def test_new_losses_and_the_real_label_apply_live(app):
    app.step_both()
    for loss in ("minimax", "hinge"):
        app._setting_widgets["loss"].value = loss
        assert app.config.loss == loss and app.trainer.engine.hyper.loss == loss
    app._setting_widgets["real_label"].value = 1.0
    assert app.trainer.engine.hyper.real_label == 1.0 and app.trainer.iteration == 1  # no reset


def test_settings_changed_from_code_with_a_distribution_are_kept(app):
    app.config.update({"distribution": "ring", "generator_learning_rate": 1.0, "generator_layers": 4})
    assert (app.config.generator_learning_rate, app.config.generator_layers) == (1.0, 4)  # not the ring's preset
    assert app.picker.value == "ring" and app.trainer.architecture.generator_layers == 4
    app.picker.picked = "ring#1"  # what the page sends on a click of the ring's thumbnail
    assert app.config.generator_layers == presets.PRESETS["ring"]["generator_layers"]  # a click loads the preset


def test_choosing_wgan_gp_lowers_learning_rates_it_cannot_train_with(app):
    app.step_both()
    app._setting_widgets["loss"].value = "wgan_gp"
    assert app.config.loss == "wgan_gp" and app.trainer.iteration == 1  # live: no reset
    assert app.config.generator_learning_rate == app.config.discriminator_learning_rate == 0.01  # SGD
    assert "learning rates lowered" in app.notice.object
    assert app._setting_widgets["generator_learning_rate"].value == 0.01
    app.iterations_per_frame = 20
    app.tick()
    assert app.trainer.diverged is None and app.frame.heatmap_scale.kind == "critic"


def test_every_setting_of_the_page_is_around_the_overview_or_in_more_settings(app):
    from ganlab_panel.core.settings import SETTING_GROUPS
    from ganlab_panel.pages.overview_editors import STRIP_SETTINGS
    from ganlab_panel.pages.page_layout import MORE_SETTINGS

    grouped = [name for names in SETTING_GROUPS.values() for name in names]
    assert sorted(STRIP_SETTINGS + MORE_SETTINGS) == sorted(grouped), "each setting in one place"
    layout = app.__panel__()
    app.drawers.open("More settings")
    shown = {id(w) for w in layout.select(pn.widgets.Widget)}
    assert all(id(app._setting_widgets[name]) in shown for name in grouped), "every setting has its widget"
