"""The served app in a real browser: loading, training controls, step buttons, settings and layer toggles."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import TIMEOUT, wait_until

pytestmark = pytest.mark.browser

LAYER_TOGGLES = {  # checkbox label -> the layered view's renderer it shows
    "Discriminator heatmap": "heatmap",
    "Real samples": "real-samples",
    "Generator gradients": "gradients",
    "Fake samples": "fake-samples",
    "Generator manifold": "manifold",
}


def test_opens_paused_on_the_pretrained_gaussians_model_with_every_view_drawn(open_tab):
    # console errors and server tracebacks fail the test in the fixture's teardown
    app = open_tab()
    assert app.counter() == (1931, 0, 0), "GAN Lab opens on its gaussians model at iteration 1931"
    assert app.button("Play").is_visible()
    assert app.rate() == "paused"
    assert len(app.samples("real-samples")) > 100
    assert len(app.samples("fake-samples")) > 100
    heatmap = app.heatmap()
    assert len(heatmap) > 100 and all(0 <= v <= 1 for v in heatmap)
    for name in ("overview-noise", "overview-real", "overview-fake"):
        assert app.samples(name), f"the overview's {name} plot is empty"


def test_play_trains_and_moves_the_fake_samples_and_pause_stops_both(app):
    fake_at_start = app.samples("fake-samples")
    app.play()
    first = app.wait_for_iteration(1)
    wait_until(lambda: app.samples("fake-samples") != fake_at_start, "the fake samples to move")
    moving = app.samples("fake-samples")
    # it keeps going: later frames bring more iterations and fake samples that moved again
    app.wait_for_iteration(first + 20)
    wait_until(lambda: app.samples("fake-samples") != moving, "the fake samples to keep moving")
    wait_until(lambda: app.rate().endswith("iterations/s"), "a training rate")

    app.pause()
    paused_at, fake_paused = app.counter(), app.samples("fake-samples")
    time.sleep(1.0)  # nothing may change while paused
    assert app.counter() == paused_at
    assert app.samples("fake-samples") == fake_paused
    assert app.rate() == "paused"


def test_step_buttons_train_only_their_network(app):
    heatmap, fake = app.heatmap(), app.samples("fake-samples")

    app.step("Discriminator").click()
    wait_until(lambda: app.counter()[1] == 1, "one discriminator step on the counter")
    assert app.counter() == (0, 1, 0)
    wait_until(lambda: app.heatmap() != heatmap, "the discriminator heatmap to change")
    assert app.samples("fake-samples") == fake, "a discriminator step moved the fake samples"
    heatmap = app.heatmap()

    app.step("Generator").click()
    wait_until(lambda: app.counter()[2] == 1, "one generator step on the counter")
    assert app.counter() == (0, 1, 1)
    wait_until(lambda: app.samples("fake-samples") != fake, "the fake samples to move")
    assert app.heatmap() == heatmap, "a generator step changed the discriminator"
    fake = app.samples("fake-samples")

    app.step("Both").click()
    wait_until(lambda: app.iteration() == 1, "one iteration on the counter")
    _, discriminator_steps, generator_steps = app.counter()
    assert discriminator_steps > 1 and generator_steps > 1, "an iteration trains both networks"
    wait_until(lambda: app.heatmap() != heatmap, "the heatmap to change")
    wait_until(lambda: app.samples("fake-samples") != fake, "the fake samples to move")
    assert app.button("Play").is_visible(), "a step must not start training"


def test_learning_rate_applies_live_and_a_layer_change_resets(app):
    page = app.page
    app.play()
    before = app.wait_for_iteration(50)

    rate = page.locator(".setting-generator-learning-rate select")
    rate.select_option("0.03")
    seen = [before]
    wait_until(lambda: seen.append(app.iteration()) or seen[-1] > before + 50, "training to go on after the change")
    assert seen == sorted(seen), f"the counter went back after a learning-rate change: {seen}"
    assert rate.input_value() == "0.03"
    assert "rebuilt" not in app.notice() and "Not changed" not in app.notice()

    app.pause()
    assert app.iteration() > 0
    layers = page.locator(".setting-generator-layers .bk-slider-title")
    hidden_layers = int(layers.inner_text().rsplit(":", 1)[1])
    handle = page.locator(".setting-generator-layers .noUi-handle")
    handle.focus()
    handle.press("ArrowLeft" if hidden_layers > 0 else "ArrowRight")
    wait_until(lambda: int(layers.inner_text().rsplit(":", 1)[1]) != hidden_layers, "the layer count to change")
    wait_until(lambda: app.counter() == (0, 0, 0), "a layer change to reset the counter")
    assert "rebuilt" in app.notice(), "a reset needs a visible cue"
    assert rate.input_value() == "0.03", "a rebuild must keep the other settings"

    app.play()  # the new networks train
    app.wait_for_iteration(5)
    app.pause()


def test_each_layer_toggle_hides_and_shows_its_layer(app):
    for label, renderer in LAYER_TOGGLES.items():
        checkbox = app.page.get_by_role("checkbox", name=label, exact=True)
        shown = checkbox.is_checked()
        assert app.visible(renderer) == shown, f"{label!r} is {'on' if shown else 'off'} but {renderer} is not"
        checkbox.click()
        hidden_or_shown = "hide" if shown else "show"
        wait_until(lambda r=renderer, s=shown: app.visible(r) != s, f"{label!r} to {hidden_or_shown} {renderer}")
        assert checkbox.is_checked() != shown
        checkbox.click()
        wait_until(lambda r=renderer, s=shown: app.visible(r) == s, f"{label!r} to bring {renderer} back")


def test_a_hidden_layer_catches_up_when_shown_again(app):
    checkbox = app.page.get_by_role("checkbox", name="Fake samples", exact=True)
    checkbox.click()
    wait_until(lambda: not app.visible("fake-samples"), "the fake samples to hide")
    hidden = app.samples("fake-samples")
    app.step("Generator").click()
    wait_until(lambda: app.counter()[2] == 1, "one generator step")
    checkbox.click()
    wait_until(lambda: app.visible("fake-samples"), "the fake samples to show")
    wait_until(lambda: app.samples("fake-samples") != hidden, "the shown layer to draw the latest step")


def test_space_toggles_play_and_pause(app):
    page = app.page
    page.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a widget
    page.keyboard.press("Space")
    app.button("Pause").wait_for(timeout=TIMEOUT * 1000)
    app.wait_for_iteration(10)
    page.keyboard.press("Space")
    app.button("Play").wait_for(timeout=TIMEOUT * 1000)
    stopped = app.counter()
    time.sleep(0.5)
    assert app.counter() == stopped


def test_choosing_wgan_gp_while_training_switches_live_and_relabels_the_heatmap(app):
    legend_title = "() => Bokeh.documents[0].get_model_by_name('heatmap-legend').title"
    assert "D(x)" in app.page.evaluate(legend_title)
    app.play()
    before = app.wait_for_iteration(30)
    app.page.locator(".setting-loss select").select_option(label="WGAN-GP")
    wait_until(lambda: "Critic" in app.page.evaluate(legend_title), "the heatmap legend to read critic scores")
    app.open("More settings")
    app.page.locator(".setting-gp-weight select").select_option("0.1")  # the authors' weight for 2-D data
    wait_until(lambda: "gp_weight=0.1" in app.page.evaluate("window.location.search"), "the link to hold the weight")
    seen = [before]
    wait_until(lambda: seen.append(app.iteration()) or seen[-1] > before + 30, "training to go on with WGAN-GP")
    app.pause()
    assert seen == sorted(seen), f"the counter went back when the loss changed: {seen}"
    assert "rebuilt" not in app.notice() and "Not changed" not in app.notice()
    labels = app.page.evaluate(
        "() => Array.from(Bokeh.documents[0].get_model_by_name('heatmap-legend').major_label_overrides.values())"
    )
    assert any(str(label).startswith("+") for label in labels), f"no critic scale among the labels {labels}"
