"""Links to an experiment in a real browser: a URL with settings restores them, bad values fall back one by one,
and Copy link gives a URL that restores what the page shows."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ganlab_panel.serving.url_state import read_link
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

DRAWN = "0.2,0.3;0.25,0.35;0.3,0.4;0.7,0.8"
LINK = f"?distribution=drawing&points={DRAWN}&generator_learning_rate=0.01&seed=5&show_manifold=true"


def chosen_distribution(app) -> list[str]:
    """The names of the distribution thumbnails the picker marks as chosen."""
    return app.page.locator("button.thumb[aria-pressed=true]").evaluate_all(
        "(buttons) => buttons.map((b) => b.getAttribute('aria-label'))"
    )


def seed(app):
    """The seed's field, in the drawer of the settings the overview does not show."""
    app.open("More settings")
    return app.page.locator(".setting-seed input")


def layer_checked(app, label: str) -> bool:
    return app.page.get_by_role("checkbox", name=label, exact=True).is_checked()


def test_a_url_with_settings_opens_that_experiment_at_iteration_zero_and_twice_the_same(open_tab):
    app = open_tab(LINK)
    assert app.counter() == (0, 0, 0), "a link opens a fresh experiment, not the pretrained model"
    assert app.page.locator(".setting-generator-learning-rate select").input_value() == "0.01"
    assert seed(app).input_value() == "5"
    assert "Draw" in " ".join(chosen_distribution(app))
    assert layer_checked(app, "Generator manifold") and app.visible("manifold")
    assert "from the link" in app.notice()
    real = app.samples("real-samples")
    drawn = [tuple(map(float, p.split(","))) for p in DRAWN.split(";")]
    assert all(min(abs(x - px) + abs(y - py) for px, py in drawn) < 0.2 for x, y in real), "real data off the drawing"

    again = open_tab(LINK)  # same seed, same first frames
    assert again.samples("real-samples") == real
    assert again.samples("fake-samples") == app.samples("fake-samples")
    assert again.heatmap() == app.heatmap()


def test_bad_values_in_a_url_fall_back_one_by_one_with_a_message(open_tab):
    app = open_tab("?distribution=ring&generator_learning_rate=abc&seed=<b>9</b>&batch_size=40&show_fake=maybe")
    assert app.counter() == (0, 0, 0)
    notice = app.notice()
    assert "Ignored from the link" in notice
    assert "generator_learning_rate: got 'abc', expected a finite number > 0" in notice
    assert "seed: got '<b>9</b>'" in notice, "a link's text is shown as it is, never as HTML"
    assert "show_fake: got 'maybe'" in notice
    # the good values are kept, the bad ones are at their defaults
    assert "Ring" in chosen_distribution(app)
    app.open("More settings")
    assert app.page.locator(".setting-batch-size input").input_value() == "40"
    assert app.page.locator(".setting-generator-learning-rate select").input_value() == "0.1"
    assert seed(app).input_value() == "0"
    assert layer_checked(app, "Fake samples")


def test_copy_link_gives_a_url_that_restores_what_the_page_shows(open_tab):
    app = open_tab(clipboard=True)
    page = app.page
    page.locator(".setting-generator-learning-rate select").select_option("0.03")
    field = seed(app)
    field.fill("11")
    field.press("Enter")
    wait_until(lambda: app.counter() == (0, 0, 0), "a new seed to rebuild the networks")
    page.get_by_role("checkbox", name="Fake samples", exact=True).click()
    wait_until(lambda: not app.visible("fake-samples"), "the fake samples to hide")
    wait_until(lambda: "show_fake=false" in page.evaluate("window.location.search"), "the URL to follow the page")

    app.open("Save and load")
    app.button("Copy link").click()
    app.button("Link copied").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.evaluate("window.location.href")
    query = urlsplit(link).query
    # the page opened on the pretrained model, whose other settings (its noise) the link holds too
    assert {"generator_learning_rate": 0.03, "seed": 11}.items() <= read_link(query).settings.items()

    copy = open_tab("?" + query)
    assert copy.counter() == (0, 0, 0)
    assert copy.page.locator(".setting-generator-learning-rate select").input_value() == "0.03"
    assert seed(copy).input_value() == "11"
    assert not layer_checked(copy, "Fake samples") and not copy.visible("fake-samples")
    assert copy.samples("real-samples") == app.samples("real-samples"), "same seed, same real samples"
    assert copy.heatmap() == app.heatmap(), "same seed, same first discriminator"
    assert copy.samples("fake-samples") == app.samples("fake-samples"), "same settings, same first generator"
