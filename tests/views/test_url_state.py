"""The experiment in the page URL, without a browser: reading a link, writing one, and the app opening one."""

from __future__ import annotations

import numpy as np
import pytest
from panel.io.location import Location

from ganlab_panel.core.config import MAX_POINTS_TEXT, GanConfig
from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.serving import url_state
from ganlab_panel.serving.url_state import UrlState, ignored_message, link_query, read_link
from ganlab_panel.views.layered import LAYERS, LayeredView


def layers_of(view: LayeredView) -> dict[str, bool]:
    return {toggle: getattr(view, toggle) for toggle in LAYERS}


def test_a_link_reads_back_as_exactly_the_experiment_it_was_made_from():
    config = GanConfig(
        distribution="drawing",
        points=[[0.1234, 0.9], [0.5, 1 / 3], [0.0001, 0.0]],  # 1/3: not rounded, still exact
        generator_learning_rate=0.01,
        noise_dim=1,
        loss="hinge",
        k_discriminator=0,
        seed=5,
    )
    layers = {**{t: True for t in LAYERS}, "show_manifold": True, "show_heatmap": False}
    link = read_link(link_query(config, layers))
    assert link.ignored == [] and link.restores
    restored = GanConfig.from_dict(link.settings)
    assert restored.to_dict() == config.to_dict()
    assert link.layers == {"show_manifold": True, "show_heatmap": False}, "only layers off their defaults"


def test_settings_at_their_defaults_stay_out_of_the_link_and_server_choices_never_enter_it():
    assert link_query(GanConfig(), layers_of(LayeredView())) == ""
    config = GanConfig(seed=3, heatmap_resolution=50, engine="numpy")
    assert link_query(config, layers_of(LayeredView())) == "seed=3"


def test_each_bad_value_is_ignored_alone_with_a_message_naming_it():
    link = read_link(
        "?distribution=ring&generator_learning_rate=abc&seed=5&batch_size=99999&show_fake=maybe&colour=red&noise_dim=1"
    )
    assert link.settings == {"distribution": "ring", "seed": 5, "noise_dim": 1}
    assert link.layers == {}
    text = "\n".join(link.ignored)
    assert "generator_learning_rate: got 'abc', expected a finite number > 0" in text
    assert "batch_size: got 99999, expected an integer from 1 to 2000" in text
    assert "show_fake: got 'maybe', expected true or false" in text
    assert "'colour': not a setting of this page" in text
    assert len(link.ignored) == 4


def test_a_drawn_distribution_without_usable_points_falls_back_with_its_points():
    link = read_link("?distribution=drawing&points=0.1,0.2;oops&seed=2")
    assert link.settings == {"seed": 2}
    assert any(m.startswith("points:") for m in link.ignored)
    assert any("'drawing' needs its points" in m for m in link.ignored)


def test_kd_and_kg_cannot_both_come_as_zero_the_second_is_ignored():
    link = read_link("?k_discriminator=0&k_generator=0")
    assert link.settings == {"k_discriminator": 0}
    assert "cannot both be 0" in link.ignored[0]


def test_too_many_points_for_a_link_are_left_out_and_opening_it_says_so():
    many = np.random.default_rng(0).random((2000, 2)).tolist()
    query = link_query(GanConfig(distribution="points", points=many, seed=1), {})
    assert len(query) < MAX_POINTS_TEXT and "points=" not in query
    link = read_link(query)
    assert link.settings == {"seed": 1}
    assert "'points' needs its points" in link.ignored[0]


def test_the_message_shows_a_links_text_literally_never_as_html_or_markdown():
    message = ignored_message(read_link("?seed=<img src=x onerror=alert(1)>&loss=**[x](javascript:alert(1))**").ignored)
    assert "<img" not in message.replace("\\<img", "") and "\\<img" in message
    assert "\\[x\\]\\(javascript" in message and "\\*\\*" in message
    ten = "&".join(f"bad{i}=1" for i in range(10))
    assert "and 2 more" in ignored_message(read_link(ten).ignored)


def test_the_binding_applies_a_link_once_and_then_writes_every_change_to_the_url():
    location = Location(search="?seed=7&show_manifold=true&generator_learning_rate=nope")
    config, view, said = GanConfig(), LayeredView(), []
    state = UrlState(config, view, notify=said.append, warn=said.append, location=location)
    assert state.restored and config.seed == 7 and view.show_manifold
    assert config.generator_learning_rate == 0.1
    assert "generator\\_learning\\_rate" in said[0]
    config.update({"batch_size": 40})
    view.show_fake = False
    assert read_link(location.search).settings == {"seed": 7, "batch_size": 40}
    assert read_link(location.search).layers == {"show_manifold": True, "show_fake": False}
    config.update({"seed": 0, "batch_size": 150})
    view.param.update(show_fake=True, show_manifold=False)
    assert location.search == ""


def test_without_a_served_session_there_is_no_url_and_no_copy_button():
    config = GanConfig()
    state = UrlState(config, LayeredView())
    assert state.location is None and not state.restored and not state.copy_button.visible
    config.update({"seed": 3})  # nothing to write to, and no error


@pytest.fixture
def linked(monkeypatch):
    """A GanLab opened as from a URL with the given query."""

    def open_with(query: str) -> tuple[GanLab, Location]:
        location = Location(search=query)
        monkeypatch.setattr(url_state, "served_location", lambda: location)
        return GanLab(), location

    return open_with


def test_the_app_opens_a_link_at_iteration_zero_with_exactly_its_settings(linked):
    app, _ = linked("?distribution=ring&generator_learning_rate=0.01&seed=5&show_manifold=true")
    assert app.trainer.iteration == 0, "a link opens a fresh experiment, not the pretrained model"
    assert (app.config.distribution, app.config.generator_learning_rate, app.config.seed) == ("ring", 0.01, 5)
    others = {
        k: v for k, v in app.config.to_dict().items() if k not in ("distribution", "generator_learning_rate", "seed")
    }
    assert others == {k: v for k, v in GanConfig.defaults().items() if k in others}, "no preset applied over a link"
    assert app.picker.value == "ring" and app._setting_widgets["seed"].value == 5
    assert app.layered.show_manifold
    assert app.notice.visible and "from the link" in app.notice.object
    fresh = GanLab(config=GanConfig(distribution="ring", generator_learning_rate=0.01, seed=5), pretrained=False)
    np.testing.assert_array_equal(app.frame.real, fresh.frame.real)
    np.testing.assert_array_equal(app.frame.fake, fresh.frame.fake)


def test_the_app_without_a_query_still_opens_on_the_pretrained_model(linked):
    app, location = linked("")
    assert app.trainer.iteration > 0 and not app.url_state.restored
    app.reset()
    app.picker.value = "ring"  # GAN Lab's ring preset, all of it in the link
    restored, _ = linked("?" + app.url_state.query())
    assert restored.config.to_dict() == app.config.to_dict()
    assert location.search == "?" + app.url_state.query()
