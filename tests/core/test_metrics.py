"""KL and JS between real and fake samples on GAN Lab's 30 x 30 grid, with an extra 'outside' cell."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel.core import distributions, metrics
from ganlab_panel.core.distributions import sample
from ganlab_panel.core.metrics import GRID, divergences, grid_js, histogram, js_divergence, kl_divergence

OUTSIDE = GRID * GRID  # index of the outside cell


def test_histogram_sums_to_one_including_the_outside_cell():
    points = np.random.default_rng(0).uniform(-0.5, 1.5, (5000, 2))
    h = histogram(points)
    assert h.shape == (GRID * GRID + 1,)
    assert h.sum() == pytest.approx(1.0, abs=1e-12)
    inside = np.all((points >= 0) & (points < 1), axis=1).mean()
    assert h[OUTSIDE] == pytest.approx(1 - inside, abs=1e-12)
    assert 0.7 < h[OUTSIDE] < 0.8  # three quarters of [-0.5, 1.5]^2 lies outside the unit square


def test_points_outside_the_unit_square_are_counted_in_the_outside_cell():
    points = np.array(
        [
            [0.5, 0.5],  # inside
            [0.05, 0.95],  # inside, top-left
            [1.5, 0.5],
            [-0.1, 0.2],
            [0.3, -1e-9],
            [0.3, 1.2],
            [np.nan, 0.5],  # a diverged generator's output still counts, as outside
            [np.inf, 0.5],
            [1e300, -1e300],
        ]
    )
    h = histogram(points)
    assert h[OUTSIDE] == pytest.approx(7 / 9)
    # cells are indexed row = y, column = x
    assert h[15 * GRID + 15] == pytest.approx(1 / 9)
    assert h[28 * GRID + 1] == pytest.approx(1 / 9)
    assert h.sum() == pytest.approx(1.0)


def test_identical_samples_score_zero():
    points = sample("ring", 10_000, seed=1)
    assert divergences(points, points) == {"kl": pytest.approx(0, abs=1e-12), "js": pytest.approx(0, abs=1e-12)}


@pytest.mark.parametrize("name", ["line", "gaussians", "ring", "disjoint"])
def test_two_draws_of_the_same_distribution_score_small(name):
    # Measured over 30 seed pairs of 10,000 samples (metrics.METRIC_SAMPLES): the widest, gaussians, gives
    # KL 0.068 +- 0.003 and JS 0.017 +- 0.001 bits (others less), so 0.1 / 0.025 sit 10 SD above the worst
    # mean; a mixture shifted by only 0.05 already scores JS ~ 0.14 (test below).
    n = metrics.METRIC_SAMPLES
    scores = divergences(sample(name, n, seed=2), sample(name, n, seed=3))
    assert 0 <= scores["kl"] < 0.1
    assert 0 <= scores["js"] < 0.025


@pytest.mark.parametrize("name", ["line", "gaussians", "ring", "disjoint"])
def test_grid_js_of_two_large_draws_of_the_same_distribution_is_below_its_noise_floor(name):
    real, fake = sample(name, metrics.SCORE_SAMPLES, 0), sample(name, metrics.SCORE_SAMPLES, 1)
    assert grid_js(real, fake) == js_divergence(histogram(real), histogram(fake))
    assert grid_js(real, fake) < 0.005


def test_divergence_grows_as_samples_move_away():
    real = sample("gaussians", 10_000, seed=5)
    scores = [divergences(real, sample("gaussians", 10_000, seed=6) + [shift, 0]) for shift in (0, 0.05, 0.15, 0.4)]
    js = [s["js"] for s in scores]
    kl = [s["kl"] for s in scores]
    assert js == sorted(js) and kl == sorted(kl)
    assert js[1] > 0.05 and js[0] < 0.025


def test_disjoint_supports_score_js_near_its_upper_bound_of_one_bit():
    rng = np.random.default_rng(7)
    # point masses in two different cells: as disjoint as histograms get
    one, other = np.tile([0.1, 0.1], (1000, 1)), np.tile([0.9, 0.9], (1000, 1))
    scores = divergences(one, other)
    assert 0.99 < scores["js"] <= 1
    assert scores["kl"] > 10
    # broad disjoint supports: the epsilon of 1e-4 per cell is then ~2 % of each occupied cell's mass
    left, right = rng.random((10_000, 2)) * 0.5, 0.5 + rng.random((10_000, 2)) * 0.5
    broad = divergences(left, right)
    assert 0.85 < broad["js"] <= 1 and broad["kl"] > 5
    # and every overlapping pair scores less
    assert divergences(left, np.concatenate([left[:5000], right[:5000]]))["js"] < broad["js"]


def test_kl_and_js_are_nonnegative_and_js_is_symmetric_and_at_most_one():
    rng = np.random.default_rng(8)
    for _ in range(200):
        p, q = (rng.random(GRID * GRID + 1) ** rng.uniform(1, 40) for _ in range(2))  # from flat to spiky
        for h in (p, q):
            h[rng.random(h.size) < rng.random()] = 0  # and sparse
            h[rng.integers(h.size)] += 1e-3
        p, q = p / p.sum(), q / q.sum()
        assert kl_divergence(p, q) >= 0 and kl_divergence(q, p) >= 0
        js = js_divergence(p, q)
        assert 0 <= js <= 1
        assert js == pytest.approx(js_divergence(q, p), abs=1e-12)


def test_divergences_use_the_given_real_histogram():
    real, fake = sample("disjoint", 5000, seed=9), sample("ring", 5000, seed=10)
    expected = divergences(real, fake)
    assert divergences(None, fake, real_histogram=histogram(real)) == expected
    assert expected["kl"] == pytest.approx(kl_divergence(histogram(real), histogram(fake)))


# -- mode-collapse metrics (VEEGAN / PacGAN definitions) ------------------------------------------------
def _at_modes(modes, counts, std, rng):
    return np.concatenate([m + std * rng.standard_normal((c, 2)) for m, c in zip(modes, counts, strict=True)])


def test_samples_on_every_mode_score_all_modes_full_quality_and_no_kl():
    modes, std = distributions.RING8_MODES, distributions.RING8_STD
    samples = _at_modes(modes, [100] * 8, 0.5 * std, np.random.default_rng(0))
    result = metrics.mode_metrics(samples, modes, std)
    assert result == {"modes": 8, "modes_total": 8, "high_quality": 1.0, "mode_kl": pytest.approx(0.0, abs=1e-12)}


def test_a_collapsed_generator_scores_one_mode_and_kl_log_k():
    modes, std = distributions.GRID25_MODES, distributions.GRID25_STD
    samples = _at_modes(modes[:1], [400], 0.5 * std, np.random.default_rng(1))
    result = metrics.mode_metrics(samples, modes, std)
    assert result["modes"] == 1 and result["high_quality"] == 1.0
    assert result["mode_kl"] == pytest.approx(math.log(25))


def test_samples_between_modes_are_low_quality_and_capture_nothing():
    modes, std = distributions.RING8_MODES, distributions.RING8_STD
    samples = np.full((50, 2), 0.5)  # the ring's centre: far from every mode
    assert metrics.mode_metrics(samples, modes, std) == {
        "modes": 0,
        "modes_total": 8,
        "high_quality": 0.0,
        "mode_kl": pytest.approx(math.log(8)),
    }


def test_quality_is_within_three_standard_deviations_and_kl_counts_only_good_samples():
    modes = np.array([[0.0, 0.0], [1.0, 0.0]])
    samples = np.array([[0.029, 0.0], [0.031, 0.0], [1.0, 0.0], [1.0, 0.0], [np.nan, 0.0]])
    result = metrics.mode_metrics(samples, modes, std=0.01)
    assert result["modes"] == 2 and result["high_quality"] == pytest.approx(3 / 5)
    p = np.array([1 / 3, 2 / 3])  # one good sample at the first mode, two at the second
    assert result["mode_kl"] == pytest.approx(float(np.sum(p * np.log(2 * p))))


def test_trainer_reports_mode_metrics_only_for_known_mixtures():
    from ganlab_panel.core.trainer import Trainer

    ring8 = Trainer(distribution="ring8").metrics()
    assert set(ring8) == {"kl", "js", "modes", "modes_total", "high_quality", "mode_kl"} and 0 <= ring8["modes"] <= 8
    assert set(Trainer(distribution="ring").metrics()) == {"kl", "js"}
