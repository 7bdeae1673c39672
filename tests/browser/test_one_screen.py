"""One screen, as GAN Lab: on a classroom laptop (1366 x 768) and a desktop (1920 x 1080) the controls, the
model overview graph, the layered view and the charts are all in sight without scrolling, nothing overflows
sideways, and what else there is opens from the top bar over the overview, never pushing the page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ROOT, Server, Tabs, wait_until

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]

_BOXES_JS = """(names) => {
  // each named Bokeh model's box on the screen, and how far the page scrolls
  const doc = Bokeh.documents[0];
  const boxes = {};
  for (const name of names) {
    const model = doc.get_model_by_name(name);
    const view = model && Bokeh.index.find_one(model);
    if (!view) { boxes[name] = null; continue; }
    const b = view.el.getBoundingClientRect();
    boxes[name] = {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height};
  }
  const root = document.documentElement;
  return {boxes, scroll_width: root.scrollWidth, client_width: root.clientWidth};
}"""


FOCUSED_NAME_JS = """() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e && e.getAttribute('aria-label');
}"""


def boxes(page, names):
    return page.evaluate(_BOXES_JS, list(names))


def inside(box, width, height) -> bool:
    return (
        box is not None and box["left"] >= 0 and box["top"] >= 0 and box["right"] <= width and box["bottom"] <= height
    )


def assert_in_sight(page, names, width, height):
    seen = boxes(page, names)
    assert seen["scroll_width"] <= seen["client_width"], f"the page scrolls sideways: {seen}"
    for name in names:
        assert inside(seen["boxes"][name], width, height), f"{name} is not in sight at {width}x{height}: {seen}"
    return seen["boxes"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_main_view_is_in_sight_without_scrolling(open_tab, size):
    width, height = size
    app = open_tab(viewport=size)
    play = app.button("Play").bounding_box()
    assert play and play["y"] + play["height"] <= height and play["x"] + play["width"] <= width
    least = 360 if width < 1900 else 600
    # the window's size reaches the server, which resizes the view: wait for that, not for the first paint
    wait_until(lambda: boxes(app.page, ["layered"])["boxes"]["layered"]["width"] >= least, "the layered view's size")
    seen = assert_in_sight(app.page, ["overview", "layered", "loss", "divergences"], width, height)
    assert seen["layered"]["width"] >= least, seen["layered"]
    for control in ("Reset", "Slow motion", "Ring", "More settings", "Save and load", "Timeline", "Help"):
        box = app.button(control).bounding_box()
        assert box and box["y"] + box["height"] <= height and box["x"] >= 0, control
    counter = app.page.locator(".iteration-counter").bounding_box()
    assert counter and counter["x"] + 100 <= width and counter["y"] + counter["height"] <= height


def test_drawers_open_over_the_overview_and_notices_never_push_the_page(app):
    page = app.page
    layered = boxes(page, ["layered"])["boxes"]["layered"]
    app.open("More settings")
    seed = page.locator(".setting-seed input")
    assert seed.is_visible()
    drawer = page.locator(".drawer-more-settings").bounding_box()
    assert drawer["x"] + drawer["width"] <= layered["left"] + 1, "a drawer never covers the layered view"
    app.open("Timeline")  # one at a time
    assert not page.locator(".drawer-more-settings").is_visible()
    assert page.locator(".timeline").is_visible()
    before = boxes(page, ["layered"])["boxes"]["layered"]
    app.button("Reset").click()  # says "Networks reset" in a toast
    wait_until(lambda: "reset" in app.notice(), "the reset notice")
    assert boxes(page, ["layered"])["boxes"]["layered"] == before, "a notice moved the page"


def test_every_control_has_a_name(app):
    """Buttons, inputs and selects on the page: each has a visible label or an accessible name (Playwright's
    role query finds it by that name), and Tab reaches the thumbnails."""
    unnamed = app.page.evaluate(
        """() => {
      const found = [];
      const walk = (root) => {
        for (const el of root.querySelectorAll('button, input, select')) {
          if (el.type === 'hidden' || el.type === 'file' || el.closest('[hidden]')) continue;
          const name = (el.getAttribute('aria-label') || el.title || el.innerText || '').trim();
          const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
          const host = el.getRootNode().host;
          const titled = host && host.shadowRoot.querySelector('label, .bk-slider-title');
          const title = titled ? titled.innerText : '';
          if (!name && !label && !(title || '').trim()) found.push(el.outerHTML.slice(0, 120));
        }
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
      };
      walk(document);
      return found;
    }"""
    )
    assert not unnamed, f"controls without a name: {unnamed}"
    app.page.get_by_role("button", name="Ring", exact=True).focus()
    app.page.keyboard.press("Tab")
    assert app.page.evaluate(FOCUSED_NAME_JS) == "3 disjoint regions", "Tab moves along the thumbnails"


@pytest.fixture(scope="module")
def compare_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("compare-server"), ["--liveness"], app=ROOT / "ganlab_panel" / "compare.py")
    yield srv
    srv.stop()


def test_compare_mode_uses_the_width_at_1920x1080(browser, compare_server):
    tabs = Tabs(browser, compare_server)
    try:
        tab = tabs(viewport=(1920, 1080))
        names = ["layered-a", "layered-b", "loss-a", "loss-b", "divergences-a", "divergences-b"]
        seen = assert_in_sight(tab.page, names, 1920, 1080)
        assert seen["layered-a"]["width"] >= 320 and seen["layered-b"]["width"] >= 320
        assert seen["layered-a"]["right"] <= seen["layered-b"]["left"], "A beside B"
        differences = tab.page.locator(".differences-table").bounding_box()
        assert differences and differences["y"] < seen["layered-a"]["top"], "the differences at the top"
        for side in ("a", "b"):
            loss = tab.page.locator(f".side-{side} .setting-loss select").bounding_box()
            assert loss and loss["y"] + loss["height"] <= 1080, f"side {side}'s settings in sight"
    finally:
        tabs.close()
