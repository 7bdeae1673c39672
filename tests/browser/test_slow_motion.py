"""Slow motion walks through GAN Lab's ten sub-steps of an iteration, each with its caption, in order."""

from __future__ import annotations

import pytest

from ganlab_panel.core.slow_motion import SUBSTEPS
from tests.browser.conftest import TIMEOUT, wait_until

pytestmark = pytest.mark.browser

# Every text the caption pane shows, as the browser has it after each change (it may change faster than
# a test can poll, so the page records it).
_RECORD_CAPTIONS_JS = """(host) => {
  const root = host.shadowRoot || host;
  const text = () => [...root.children].filter((e) => e.tagName === 'DIV').map((e) => e.innerText).join(' ').trim();
  window.captions = [text()];
  new MutationObserver(() => {
    const now = text();
    if (now !== window.captions[window.captions.length - 1]) window.captions.push(now);
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""


def test_slow_motion_shows_the_ten_captions_in_order_and_completes_an_iteration(app):
    page = app.page
    app.button("Slow motion").click()
    caption = page.locator(".slow-motion-caption")
    caption.wait_for(state="visible")
    # the shortest pace keeps the test short: the slider's lowest value
    pace = page.locator(".bk-Slider").filter(has_text="Pace")
    pace.locator(".noUi-handle").focus()
    pace.locator(".noUi-handle").press("Home")
    wait_until(lambda: pace.locator(".bk-slider-title").inner_text().endswith(": 0.25"), "the pace to be 0.25 s")
    caption.element_handle().evaluate(_RECORD_CAPTIONS_JS)

    app.play()
    expected = [f"{s.label}: {s.caption}" for s in SUBSTEPS]
    shown = wait_until(
        lambda: (c := page.evaluate("window.captions"))[-1] == expected[-1] and c,
        "the tenth sub-step's caption",
        timeout=TIMEOUT + 10 * 0.25,
    )
    app.pause()
    steps = [c for c in shown if "phase, step" in c]
    assert steps == expected, "captions out of order or missing:\n" + "\n".join(shown)
    wait_until(lambda: app.iteration() >= 1, "a full walk through to count one iteration")
    _, discriminator_steps, generator_steps = app.counter()
    assert discriminator_steps >= 1 and generator_steps >= 1
