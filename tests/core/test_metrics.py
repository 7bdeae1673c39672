"""KL and JS between real and fake samples on GAN Lab's 30 x 30 grid, with an extra 'outside' cell."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab_panel import metrics
from ganlab_panel.distributions import sample
from ganlab_panel.metrics import GRID, divergences, histogram, js_divergence, kl_divergence

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
