"""Compare mode without a browser: two experiments on the same data and seed, trained in step, their
differing settings listed and highlighted."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab_panel.core.config import GanConfig
from ganlab_panel.pages.comparison import Comparison


def run_loop(comparison: Comparison, ticks: int) -> None:
    """What the periodic callback does: call tick while it is scheduled."""
    for _ in range(ticks):
        if comparison.running:
            comparison.tick()


def iterations(comparison: Comparison) -> list[int]:
    return [side.trainer.iteration for side in comparison.sides]


def highlighted(comparison: Comparison) -> dict[str, set[str]]:
    return {
        side.label: {name for name, widget in side.widgets.items() if "differs" in widget.css_classes and widget.styles}
        for side in comparison.sides
    }


@pytest.fixture
def comparison():
    compared = Comparison()
    yield compared
    compared.pause()


def test_both_sides_train_the_same_iterations_and_show_them_in_step(comparison):
    comparison.play()
    run_loop(comparison, 4)
    comparison.pause()
    a, b = comparison.sides
    assert a.trainer.iteration == b.trainer.iteration > 0
    assert a.trainer.generator_steps == b.trainer.generator_steps
    assert a.frame.iteration == b.frame.iteration == a.trainer.iteration, "both views show the same iteration"
    for side in comparison.sides:
        assert side.counter.text.startswith(f"Iteration {side.trainer.iteration} ")
        # paused, the models hold what the browser was shown
        assert np.allclose(side.layered.sources["fake"].data["x"], side.frame.fake[:, 0])
        assert side.charts.metric_source.data["iteration"][-1] <= side.trainer.iteration

    before = iterations(comparison)
    comparison.step()
    assert iterations(comparison) == [before[0] + 1, before[1] + 1]
    assert not comparison.playing and not comparison.running


def test_both_sides_learn_the_same_real_samples_from_the_same_seed(comparison):
    a, b = comparison.sides
    assert np.array_equal(a.trainer.real_pool, b.trainer.real_pool)
    assert np.array_equal(a.frame.real, b.frame.real)
    assert np.array_equal(a.trainer.shown_noise, b.trainer.shown_noise)
    # the default difference (B's generator learning rate) leaves the networks alike until they train
    assert np.array_equal(a.frame.fake, b.frame.fake)
    comparison.step()
    assert not np.array_equal(a.frame.fake, b.frame.fake), "different settings, different learning"


def test_with_nothing_given_b_differs_by_its_generator_learning_rate(comparison):
    rate = GanConfig().generator_learning_rate
    assert comparison.differences == [("Generator: Learning rate", f"{rate:g}", f"{rate / 10:g}")]
    assert highlighted(comparison) == {"A": {"generator_learning_rate"}, "B": {"generator_learning_rate"}}
    assert "Generator: Learning rate" in comparison.differences_pane.object


def test_a_setting_changed_on_one_side_is_listed_and_highlighted_until_it_matches_again():
    comparison = Comparison(a={}, b={})
    assert comparison.differences == [] and highlighted(comparison) == {"A": set(), "B": set()}

    comparison.b.widgets["loss"].value = "least_squares"
    assert comparison.b.config.loss == "least_squares" and comparison.a.config.loss == "log"
    assert comparison.differences == [("Loss function", "Log loss (non-saturating)", "Least squares")]
    assert highlighted(comparison) == {"A": {"loss"}, "B": {"loss"}}
    assert "Least squares" in comparison.differences_pane.object

    comparison.a.widgets["loss"].value = "least_squares"
    assert comparison.differences == [] and highlighted(comparison) == {"A": set(), "B": set()}


def test_settings_given_to_each_side_and_to_both():
    comparison = Comparison(a={"loss": "minimax"}, b={"loss": "hinge", "k_discriminator": 1}, distribution="ring")
    a, b = comparison.a.config, comparison.b.config
    assert (a.loss, b.loss, a.k_discriminator, b.k_discriminator) == ("minimax", "hinge", 2, 1)
    assert a.distribution == b.distribution == "ring"
    assert [title for title, _, _ in comparison.differences] == [
        "Loss function",
        "kD: discriminator steps per iteration",
    ]
    assert comparison.b.widgets["k_discriminator"].value == 1


def test_a_shared_setting_applies_to_both_sides(comparison):
    comparison.step()
    pool = comparison.a.trainer.real_pool.copy()
    comparison.shared_widgets["seed"].value = 7
    assert comparison.a.config.seed == comparison.b.config.seed == 7
    assert iterations(comparison) == [0, 0]
    assert np.array_equal(comparison.a.trainer.real_pool, comparison.b.trainer.real_pool)
    assert not np.array_equal(comparison.a.trainer.real_pool, pool), "a new seed draws new real samples"

    comparison.update(distribution="ring")
    assert comparison.a.config.distribution == comparison.b.config.distribution == "ring"
    assert comparison.shared_widgets["distribution"].value == "ring"
    assert np.array_equal(comparison.a.frame.real, comparison.b.frame.real)
    assert comparison.differences == [("Generator: Learning rate", "0.1", "0.01")], "each side keeps its own settings"


def test_rebuilding_one_side_restarts_both_so_they_stay_in_step(comparison):
    comparison.play()
    run_loop(comparison, 2)
    comparison.pause()
    assert iterations(comparison)[0] > 0
    comparison.b.widgets["generator_layers"].value = 2
    assert iterations(comparison) == [0, 0]
    assert comparison.a.frame.iteration == comparison.b.frame.iteration == 0
    assert "restarted at iteration 0" in comparison.notice.object


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"b": {"loss": "bogus"}}, "loss"),
        ({"a": {"generator_neurons": 0}}, "generator_neurons"),
        ({"a": {"seed": 1}}, "seed"),  # shared: the two sides would learn different data
        ({"distribution": "swiss_roll"}, "distribution"),
        ({"b": {"no_such_setting": 1}}, "no_such_setting"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings, named):
    with pytest.raises(ValueError, match=named):
        Comparison(**settings)


def test_a_bad_update_changes_nothing_on_either_side(comparison):
    comparison.step()
    before = [side.config.to_dict() for side in comparison.sides]
    with pytest.raises(ValueError, match="generator_learning_rate"):
        comparison.update(a={"loss": "hinge"}, b={"generator_learning_rate": -1.0}, seed=4)
    assert [side.config.to_dict() for side in comparison.sides] == before
    assert iterations(comparison) == [1, 1]

    comparison.b.widgets["k_generator"].value = 0
    comparison.b.widgets["k_discriminator"].value = 0  # an iteration with no step at all
    assert comparison.b.config.k_discriminator == 2 and comparison.b.widgets["k_discriminator"].value == 2
    assert comparison.notice.visible and comparison.notice.alert_type == "warning"
    assert "k_discriminator" in comparison.notice.object


def test_one_side_diverging_pauses_both_and_says_which():
    comparison = Comparison(b={"generator_learning_rate": 1e4, "discriminator_learning_rate": 1e4})
    comparison.play()
    run_loop(comparison, 20)
    assert not comparison.playing and not comparison.running
    assert comparison.b.trainer.diverged and not comparison.a.trainer.diverged
    assert comparison.divergence.visible
    assert "B diverged" in comparison.divergence.object and "A diverged" not in comparison.divergence.object

    comparison.play()  # refused until reset
    assert not comparison.playing
    comparison.reset()
    assert iterations(comparison) == [0, 0] and not comparison.divergence.visible
    assert comparison.b.trainer.diverged is None


def test_gan_lab_opens_a_comparison_for_a_notebook():
    from ganlab_panel.pages.gan_lab import GanLab

    comparison = GanLab.compare(b={"loss": "hinge"}, seed=3)
    assert isinstance(comparison, Comparison)
    assert comparison.a.config.seed == comparison.b.config.seed == 3
    assert comparison.differences == [("Loss function", "Log loss (non-saturating)", "Hinge")]


def test_pause_shows_where_both_sides_are_even_when_the_browser_was_behind(comparison):
    comparison.play()
    comparison.tick()
    shown = comparison.a.frame.iteration
    comparison._browser_behind = lambda: True  # frames not yet painted: ticks train without drawing
    comparison.tick()
    assert comparison.a.trainer.iteration > shown and comparison.a.frame.iteration == shown
    comparison.pause()
    for side in comparison.sides:
        assert side.frame.iteration == side.trainer.iteration
        assert side.counter.text.startswith(f"Iteration {side.trainer.iteration} ")
