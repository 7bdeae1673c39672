"""Compare mode in Chromium: the compare page served, both sides training in step, the differing settings
listed and highlighted."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import COUNTER, ROOT, Server, Tabs, wait_until

pytestmark = pytest.mark.browser

_SIDES_JS = """() => {
  // each side's counter text (the frame channel writes it into the model silently) and fake samples
  const doc = Bokeh.documents[0];
  const models = [...doc.all_models];
  const read = (side) => {
    const counter = models.find((m) => m.css_classes && m.css_classes.includes(`counter-${side}`));
    const plot = doc.get_model_by_name(`layered-${side}`);
    const fake = plot.renderers.find((r) => r.name === 'fake-samples').data_source.data;
    return {counter: counter.text, fake: Array.from(fake.x).concat(Array.from(fake.y))};
  };
  return {a: read('a'), b: read('b')};
}"""

_OUTLINE_JS = "(el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).backgroundColor"


@pytest.fixture(scope="module")
def compare_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("compare-server"), ["--liveness"], app=ROOT / "ganlab_panel" / "compare.py")
    yield srv
    srv.stop()
    assert not srv.problems(), f"server log has errors:\n{srv.log()}"


@pytest.fixture
def compare_tab(browser, compare_server):
    tabs = Tabs(browser, compare_server)
    yield tabs()
    tabs.close()
    # the closed tab's session ends within seconds, and its hooks run cleanly (checked in the log just below)
    wait_until(lambda: compare_server.destroyed_sessions(tabs.log_start) >= 1, "the compare session to be destroyed")
    time.sleep(0.3)
    problems = compare_server.problems(tabs.log_start)
    assert not problems, f"server log errors during the test: {problems}"


def sides(tab) -> dict[str, dict]:
    """Both sides as the browser shows them, read at one instant: (iteration, D steps, G steps) and fake samples."""
    shown = tab.page.evaluate(_SIDES_JS)
    for side in shown.values():
        match = COUNTER.search(side["counter"])
        assert match, f"unexpected counter text {side['counter']!r}"
        side["counts"] = tuple(int(g) for g in match.groups())
    return shown


def highlighted(tab, side: str, setting: str) -> bool:
    widget = tab.page.locator(f".side-{side} .setting-{setting}").first
    return widget.evaluate(_OUTLINE_JS).startswith("solid")


def test_compare_mode_trains_two_experiments(compare_tab):
    tab, page = compare_tab, compare_tab.page
    start = sides(tab)
    assert start["a"]["counts"] == start["b"]["counts"] == (0, 0, 0)
    assert start["a"]["fake"] == start["b"]["fake"], "same seed, same networks before training"

    differences = page.locator(".differences-table")
    assert "Generator: Learning rate" in differences.inner_text()
    assert highlighted(tab, "a", "generator-learning-rate") and highlighted(tab, "b", "generator-learning-rate")
    assert not highlighted(tab, "b", "loss")

    tab.play()
    wait_until(lambda: sides(tab)["b"]["counts"][0] >= 200, "side B to train 200 iterations")
    for _ in range(3):  # read while playing: both sides' frames arrive in one message
        shown = sides(tab)
        assert shown["a"]["counts"] == shown["b"]["counts"], "both sides stay at the same iteration"
    tab.pause()
    end = sides(tab)
    assert end["a"]["counts"] == end["b"]["counts"] and end["a"]["counts"][0] >= 200
    assert end["a"]["fake"] != start["a"]["fake"] and end["b"]["fake"] != start["b"]["fake"], "both learned"
    assert end["a"]["fake"] != end["b"]["fake"], "with different settings they learned differently"

    page.locator(".side-b .setting-loss select").select_option(label="Least squares")
    wait_until(lambda: "Least squares" in differences.inner_text(), "the differences to list B's new loss")
    assert "Loss function" in differences.inner_text()
    wait_until(lambda: highlighted(tab, "a", "loss") and highlighted(tab, "b", "loss"), "both loss widgets marked")
    assert sides(tab)["a"]["counts"] == end["a"]["counts"], "a loss changes live: no restart"
