"""The flow on the served page, in Chromium: a link opens it, the model's toggle switches to it, it trains (the
counter rises, the loss chart gets points), t moves its samples, each layer's toggle hides and shows its
renderers, Sweep t plays t from 0 to 1, and its link opens compare mode with a GAN beside the flow, both training."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import COUNTER_TEXT, ROOT, TIMEOUT, AppPage, Server, Tabs, wait_until
from tests.browser.test_one_screen import assert_in_sight, boxes

pytestmark = pytest.mark.browser

FLOW_COUNTER = re.compile(r"Iteration (\d+) \(flow matching, shown at t = ([\d.]+)\)")
SMALL = "model=flow&distribution=ring8&flow_neurons=16&heatmap_resolution=16"
"""A small flow: quick frames on a shared machine (the page's behaviour is the same)."""
LAYERS = {
    "Density / speed heatmap": ["flow-heatmap", "flow-heatmap-legend"],
    "Carried grid": ["flow-grid", "flow-grid-lines"],
    "Real samples": ["flow-real"],
    "Trajectories": ["flow-paths", "flow-paths-ahead", "flow-now"],
    "Velocity field": ["flow-field", "flow-field-heads"],
    "Samples at t": ["flow-samples"],
}

_CELL_LENGTHS_JS = """(name) => {
  // the corners of each cell as the patches glyph draws them (one cell per row of the (cells, 4) columns)
  const doc = Bokeh.documents[0];
  const renderer = doc.get_model_by_name(name);
  const plot = [...doc.all_models].find((m) => m.renderers && m.renderers.includes(renderer));
  const glyph = Bokeh.index.find_one(plot).renderer_views.get(renderer).glyph;
  return Array.from({length: glyph.xs.length}, (_, i) => glyph.xs.get(i).length);
}"""
_RENDERER_NAMES_JS = """(name) => {
  const plot = Bokeh.documents[0].get_model_by_name(name);
  return plot.renderers.map((r) => r.name);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The page with compare mode served beside it: the page's compare link opens there."""
    srv = Server(tmp_path_factory.mktemp("flow-server"), ["--liveness"], also=[ROOT / "ganlab_panel" / "compare.py"])
    yield srv
    srv.stop()
    assert not srv.problems(), f"server log has errors:\n{srv.log()}"


@pytest.fixture
def tabs(browser, server):
    tabs = Tabs(browser, server)
    yield tabs
    tabs.close()
    problems = server.problems(tabs.log_start)
    assert not problems, f"server log errors during the test: {problems}"


def flow_counter(app: AppPage) -> tuple[int, float] | None:
    """(iteration, t) as the flow's counter shows them; None while the counter is a GAN's."""
    text = app.page.locator(".iteration-counter").get_by_text(COUNTER_TEXT).first.inner_text()
    match = FLOW_COUNTER.search(text)
    return (int(match[1]), float(match[2])) if match else None


def flow_page(app: AppPage) -> AppPage:
    """Wait until the page shows a flow (its counter and its layered view)."""
    wait_until(lambda: flow_counter(app) is not None, "the flow's counter")
    wait_until(lambda: app.page.evaluate("() => !!Bokeh.documents[0].get_model_by_name('flow-samples')"), "its view")
    return app


def line_points(app: AppPage, name: str) -> int:
    return len(app.columns(name, "iteration")["iteration"])


def test_a_link_with_model_flow_opens_the_flow_page(tabs):
    app = flow_page(tabs(f"?{SMALL}"))
    assert flow_counter(app) == (0, 1.0), "a link opens a fresh experiment at t = 1"
    pressed = app.page.locator(".setting-model button.bk-active").inner_text()
    assert pressed.strip() == "Flow matching"
    assert len(app.samples("flow-real")) == 450 and len(app.samples("flow-samples")) == 300
    assert app.visible("flow-heatmap") and not app.visible("flow-field")
    assert app.page.get_by_role("button", name="One step", exact=True).is_visible()
    assert not app.page.get_by_role("button", name="Use pretrained model", exact=True).is_visible()
    assert app.page.locator(".setting-flow-learning-rate select").is_visible(), "the flow's strips"
    assert not app.page.locator(".setting-loss select").is_visible(), "no GAN setting on a flow"


def test_the_toggle_switches_to_a_flow_that_trains_and_back(tabs):
    app = tabs()  # the GAN page, on GAN Lab's pretrained model
    app.page.locator(".setting-model").get_by_role("button", name="Flow matching", exact=True).click()
    flow_page(app)
    assert flow_counter(app)[0] == 0
    before = app.samples("flow-samples")
    app.play()
    wait_until(lambda: flow_counter(app)[0] >= 150, "the flow to train")
    wait_until(lambda: line_points(app, "flow-loss-line") >= 2, "the loss chart's points", timeout=2 * TIMEOUT)
    app.pause()
    assert app.samples("flow-samples") != before, "the samples moved as the flow learned"
    app.page.locator(".setting-model").get_by_role("button", name="GAN", exact=True).click()
    wait_until(lambda: flow_counter(app) is None, "the GAN's counter again")
    assert app.counter() == (0, 0, 0)
    wait_until(lambda: app.page.evaluate("() => !!Bokeh.documents[0].get_model_by_name('fake-samples')"), "GAN view")


def test_moving_t_moves_the_samples_between_the_source_and_the_data(tabs):
    app = flow_page(tabs(f"?{SMALL}"))
    step = app.page.get_by_role("button", name="One step", exact=True)
    for _ in range(3):
        step.click()
    wait_until(lambda: flow_counter(app) == (3, 1.0), "three steps")
    at_one = app.samples("flow-samples")
    handle = app.page.locator(".setting-flow-time .noUi-handle")
    handle.focus()
    handle.press("Home")
    wait_until(lambda: flow_counter(app) == (3, 0.0), "t = 0 on the counter")
    at_zero = wait_until(lambda: (s := app.samples("flow-samples")) != at_one and s, "the samples at t = 0")
    handle.press("End")
    wait_until(lambda: flow_counter(app) == (3, 1.0), "t = 1 again")
    wait_until(lambda: app.samples("flow-samples") == at_one, "the samples back at t = 1")
    moved = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(at_zero, at_one, strict=True)) / len(at_one)
    assert moved > 0.02, "the samples travel between t = 0 and t = 1"


def test_each_layer_toggle_hides_and_shows_its_renderers(tabs):
    app = flow_page(tabs(f"?{SMALL}"))
    names = app.page.evaluate(_RENDERER_NAMES_JS, "flow-layered")
    for label, renderers in LAYERS.items():
        shown = app.visible(renderers[0])
        app.page.get_by_role("checkbox", name=label, exact=True).click()
        for name in renderers:
            assert name in names or name.endswith("legend")
            wait_until(lambda name=name, shown=shown: app.visible(name) is not shown, f"{label}: {name} toggled")
        app.page.get_by_role("checkbox", name=label, exact=True).click()
        wait_until(lambda first=renderers[0], shown=shown: app.visible(first) is shown, f"{label}: back")
    app.page.get_by_role("checkbox", name="Carried grid", exact=True).click()
    wait_until(lambda: len(app.columns("flow-grid", "alpha")["alpha"]) == 400, "the grid drawn once shown")
    cells = app.page.evaluate(_CELL_LENGTHS_JS, "flow-grid")
    assert len(cells) == 400 and set(cells) == {4}, "each cell its own four corners, not the whole grid"


def test_sweep_t_plays_the_flow_from_zero_to_one(tabs):
    app = flow_page(tabs(f"?{SMALL}"))
    app.page.get_by_role("button", name="▶ Sweep t", exact=True).click()
    seen = set()

    def finished() -> bool:
        seen.add(flow_counter(app)[1])
        return len(seen) > 3 and flow_counter(app)[1] == 1.0

    wait_until(finished, "t to sweep from 0 to 1", interval=0.02)
    assert 0.0 < min(seen) < 0.6 or 0.0 in seen, f"t went through the way from 0: {sorted(seen)}"


def test_the_compare_link_opens_a_gan_beside_the_flow_and_both_train(tabs):
    app = flow_page(tabs(f"?{SMALL}&seed=3"))
    link = app.page.get_by_role("link", name="Compare with a GAN")
    assert "b.model=flow" in link.get_attribute("href") and "seed=3" in link.get_attribute("href")
    with app.context.expect_page() as opened:
        link.click()
    compare = AppPage(opened.value)
    compare.errors = []
    compare.page.on("pageerror", lambda e: compare.errors.append(str(e)))
    compare.page.set_default_timeout(TIMEOUT * 1000)
    compare.page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=60_000)
    assert "/compare?" in compare.page.url
    wait_until(lambda: compare.page.evaluate("() => !!Bokeh.documents[0].get_model_by_name('layered-b')"), "sides")
    a_names = compare.page.evaluate(_RENDERER_NAMES_JS, "layered-a")
    b_names = compare.page.evaluate(_RENDERER_NAMES_JS, "layered-b")
    assert "fake-samples" in a_names and "flow-samples" in b_names, "a GAN on side A, the flow on side B"
    counters = compare.page.locator(".iteration-counter").get_by_text(COUNTER_TEXT)
    compare.play()
    wait_until(
        lambda: all(int(re.search(r"Iteration (\d+)", counters.nth(i).inner_text())[1]) >= 50 for i in (0, 1)),
        "both sides to train",
    )
    compare.pause()
    assert "flow matching" in counters.nth(1).inner_text() and "discriminator steps" in counters.nth(0).inner_text()
    assert not compare.errors, compare.errors


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_flow_page_fits_one_screen(tabs, size):
    width, height = size
    app = flow_page(tabs(f"?{SMALL}", viewport=size))
    least = 360 if width < 1900 else 600
    wait_until(lambda: boxes(app.page, ["flow-layered"])["boxes"]["flow-layered"]["width"] >= least, "its size")
    assert_in_sight(app.page, ["flow-overview", "flow-layered", "flow-loss", "flow-divergences"], width, height)
    for control in (".setting-flow-time", ".sweep-time", ".setting-flow-heatmap", ".setting-model"):
        box = app.page.locator(control).first.bounding_box()
        assert box and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, control
    last = app.page.get_by_role("checkbox", name="Samples at t", exact=True).bounding_box()
    assert last and last["y"] + last["height"] <= height, "the layer toggles in sight"
