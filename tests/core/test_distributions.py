"""Real-data distributions: sample statistics against GAN Lab's formulas (shared/reference/ganlab.md),
seeding, drawn points, the registry and input errors.

Tolerances are about 5 standard errors of the estimate at the sample size used, so a correct sampler
passes for any seed and a wrong constant (a centre off by 0.01, a spread off by 10 %) fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlab_panel.core import distributions
from ganlab_panel.core.distributions import REGISTRY, make_sampler, sample, titles, validate_points

N = 40_000


def _se_mean(std: float, n: int = N) -> float:
    return std / math.sqrt(n)


def _se_var(var: float, n: int = N) -> float:
    # var of the sample variance of a roughly gaussian variable: 2 var^2 / n (heavier tails get 5 SE of slack)
    return var * math.sqrt(2 / n)


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_line_lies_on_gan_labs_segment_with_uniform_position():
    # x = 0.8 - 0.75 r + 0.01 n1, y = 0.6 + 0.3 r + 0.01 n2
    x, y = sample("line", N, seed=1).T
    direction = np.array([-0.75, 0.3])
    offset = np.column_stack([x - 0.8, y - 0.6])
    position = offset @ direction / (direction @ direction)  # recovers r plus a little noise
    distance = offset @ np.array([0.3, 0.75]) / np.hypot(0.3, 0.75)  # signed distance from the line
    # distance = (0.003 n1 + 0.0075 n2) / |(0.3, 0.75)|: exactly N(0, 0.01)
    assert abs(distance.mean()) < 5 * _se_mean(0.01)
    assert abs(distance.std() - 0.01) < 5 * 0.01 / math.sqrt(2 * N)
    # r is U(0, 1): mean 1/2, variance 1/12 (+ the projected noise's 0.0124^2, negligible at this tolerance)
    assert abs(position.mean() - 0.5) < 5 * _se_mean(math.sqrt(1 / 12))
    assert abs(position.var() - 1 / 12 - (0.01 * math.hypot(0.75, 0.3) / 0.6525) ** 2) < 5 * 0.0745 / math.sqrt(N)
    # endpoints (0.8, 0.6) at r = 0 and (0.05, 0.9) at r = 1: the extreme positions sit within the noise
    assert -0.06 < position.min() < 0.01 and 0.99 < position.max() < 1.06
    assert np.quantile(position, [0.1, 0.5, 0.9]) == pytest.approx([0.1, 0.5, 0.9], abs=0.01)


def test_gaussians_is_an_equal_mixture_of_gan_labs_two_gaussians():
    # r < 0.5: (0.3 + 0.1 n1, 0.7 + 0.1 n2); else (0.7 + 0.05 n1, 0.4 + 0.2 n2)
    x, y = sample("gaussians", N, seed=2).T
    var_x = 0.5 * 0.1**2 + 0.5 * 0.05**2 + 0.25 * 0.4**2
    var_y = 0.5 * 0.1**2 + 0.5 * 0.2**2 + 0.25 * 0.3**2
    assert abs(x.mean() - 0.5) < 5 * _se_mean(math.sqrt(var_x))
    assert abs(y.mean() - 0.55) < 5 * _se_mean(math.sqrt(var_y))
    assert abs(x.var() - var_x) < 5 * _se_var(var_x)
    assert abs(y.var() - var_y) < 5 * _se_var(var_y)
    # the components' centres differ by (0.4, -0.3), so the covariance is -0.25 * 0.4 * 0.3
    assert abs(np.cov(x, y)[0, 1] + 0.03) < 5 * math.sqrt((var_x * var_y + 0.03**2) / N)
    # halves: left of x = 0.5 lie 97.7 % of the first component and almost none of the narrow second one
    left = 0.5 * _phi(2) + 0.5 * _phi(-4)
    assert abs(np.mean(x < 0.5) - left) < 5 * math.sqrt(left * (1 - left) / N)
    # the second component is tall and narrow: far right of x = 0.5 the vertical spread is 0.2
    right = (x > 0.65) & (x < 0.75)
    assert abs(y[right].std() - 0.2) < 0.01


def test_ring_has_gan_labs_centre_radii_and_uniform_angle():
    # (0.5 + 0.3 cos 2 pi r + 0.025 n1, 0.45 + 0.25 sin 2 pi r + 0.025 n2)
    x, y = sample("ring", N, seed=3).T
    var_x, var_y = 0.3**2 / 2 + 0.025**2, 0.25**2 / 2 + 0.025**2
    assert abs(x.mean() - 0.5) < 5 * _se_mean(math.sqrt(var_x))
    assert abs(y.mean() - 0.45) < 5 * _se_mean(math.sqrt(var_y))
    assert abs(x.var() - var_x) < 5 * _se_var(var_x)
    assert abs(y.var() - var_y) < 5 * _se_var(var_y)
    u, v = (x - 0.5) / 0.3, (y - 0.45) / 0.25
    squared_radius = u**2 + v**2  # 1 on the ellipse, plus the noise's contribution
    expected = 1 + (0.025 / 0.3) ** 2 + (0.025 / 0.25) ** 2
    assert abs(squared_radius.mean() - expected) < 5 * squared_radius.std() / math.sqrt(N)
    assert np.all(np.abs(np.sqrt(squared_radius) - 1) < 0.7)  # a ring: nothing near the centre
    quadrant_counts = np.bincount(((np.arctan2(v, u) + np.pi) // (np.pi / 2)).astype(int) % 4, minlength=4)
    assert np.allclose(quadrant_counts / N, 0.25, atol=5 * math.sqrt(0.25 * 0.75 / N))


def test_disjoint_has_three_equal_clusters_at_gan_labs_centres():
    centres = np.array([[0.35, 0.75], [0.75, 0.6], [0.45, 0.35]])
    points = sample("disjoint", N, seed=4)
    # centres are >= 0.39 apart, 7.8 noise stds to the midpoint: the nearest centre is the true one
    nearest = np.argmin(np.linalg.norm(points[:, None] - centres[None], axis=2), axis=1)
    share = np.bincount(nearest, minlength=3) / N
    assert np.allclose(share, 1 / 3, atol=5 * math.sqrt(2 / 9 / N))
    for k, centre in enumerate(centres):
        cluster = points[nearest == k]
        n = len(cluster)
        assert np.allclose(cluster.mean(axis=0), centre, atol=5 * 0.025 / math.sqrt(n))
        assert np.allclose(cluster.std(axis=0), 0.025, atol=5 * 0.025 / math.sqrt(2 * n))


def test_drawing_picks_drawn_points_uniformly_with_002_jitter():
    drawn = [[0.2, 0.2], [0.8, 0.3], [0.5, 0.9]]
    points = sample("drawing", N, seed=5, points=drawn)
    offsets = points[:, None] - np.array(drawn)[None]
    nearest = np.argmin(np.linalg.norm(offsets, axis=2), axis=1)
    assert np.allclose(np.bincount(nearest, minlength=3) / N, 1 / 3, atol=5 * math.sqrt(2 / 9 / N))
    for k in range(3):
        jitter = offsets[nearest == k, k]
        n = len(jitter)
        assert np.allclose(jitter.mean(axis=0), 0, atol=5 * 0.02 / math.sqrt(n))
        assert np.allclose(jitter.std(axis=0), distributions.DRAWING_JITTER, atol=5 * 0.02 / math.sqrt(2 * n))
    assert distributions.DRAWING_JITTER == 0.02


def test_single_drawn_point_gives_a_gaussian_blob_of_std_002():
    points = sample("drawing", 10_000, seed=6, points=[[0.4, 0.6]])
    assert np.allclose(points.mean(axis=0), [0.4, 0.6], atol=5 * 0.02 / 100)
    assert np.allclose(points.std(axis=0), 0.02, atol=5 * 0.02 / math.sqrt(20_000))


def test_points_distribution_returns_the_given_points_exactly_and_uniformly():
    given = np.array([[0.1, 0.2], [0.3, 0.4], [0.9, 0.5], [0.6, 0.7]])
    points = sample("points", N, seed=7, points=given)
    matches = np.all(points[:, None] == given[None], axis=2)
    assert matches.any(axis=1).all()  # no jitter: every sample is one of the points
    assert np.allclose(matches.mean(axis=0), 0.25, atol=5 * math.sqrt(0.25 * 0.75 / N))


@pytest.mark.parametrize("name", ["line", "gaussians", "ring", "disjoint", "drawing", "points"])
def test_same_seed_same_samples_different_seed_different(name):
    drawn = [[0.2, 0.3], [0.7, 0.6]]
    first = sample(name, 500, seed=11, points=drawn)
    assert first.shape == (500, 2) and np.isfinite(first).all()
    np.testing.assert_array_equal(first, sample(name, 500, seed=11, points=drawn))
    np.testing.assert_array_equal(first, sample(name, 500, seed=np.random.default_rng(11), points=drawn))
    assert not np.array_equal(first, sample(name, 500, seed=12, points=drawn))


def test_registry_names_and_gan_lab_titles():
    assert titles() == {
        "line": "Simple line",
        "gaussians": "Mixture of Gaussians",
        "ring": "Ring",
        "disjoint": "3 disjoint regions",
        "ring8": "Ring of 8 (benchmark)",
        "grid25": "Grid of 25 (benchmark)",
        "moons": "Two moons",
        "spiral": "Spiral",
        "checkerboard": "Checkerboard",
        "drawing": "Draw one by yourself",
        "points": "Points from an array or file",
    }
    assert {name for name, info in REGISTRY.items() if info.needs_points} == {"drawing", "points"}
    for name, info in REGISTRY.items():
        assert info.name == name


@pytest.mark.parametrize("name", ["drawing", "points"])
@pytest.mark.parametrize("points", [None, [], np.empty((0, 2))])
def test_point_distributions_refuse_an_empty_drawing(name, points):
    with pytest.raises(ValueError, match=rf"{name}.*at least 1 point"):
        make_sampler(name, points)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([], "empty"),
        ([[0.1, float("nan")]], "non-finite"),
        ([[0.1, 0.2], [float("inf"), 0.3]], "non-finite"),
        ([[0.1, 0.2, 0.3]], r"shape \(N, 2\).*\(1, 3\)"),
        ([0.1, 0.2], r"shape \(N, 2\)"),
        ([["a", "b"]], "pairs of numbers"),
    ],
)
def test_bad_points_are_rejected_with_a_clear_message(points, message):
    with pytest.raises(ValueError, match=message):
        validate_points(points)
    with pytest.raises(ValueError, match=message):
        sample("drawing", 10, points=points if len(points) else [[]])


def test_unknown_distribution_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown distribution 'swiss_roll'.*line.*gaussians.*ring.*disjoint"):
        sample("swiss_roll", 10)


@pytest.mark.parametrize(("name", "radius_or_spacing", "std"), [("ring8", 0.4, 0.004), ("grid25", 0.2, 0.005)])
def test_benchmark_mixtures_are_the_papers_scaled_into_the_view(name, radius_or_spacing, std):
    info = REGISTRY[name]
    modes = info.modes
    assert len(modes) == {"ring8": 8, "grid25": 25}[name] and info.mode_std == pytest.approx(std)
    assert modes.min() == pytest.approx(0.1) and modes.max() == pytest.approx(0.9)
    if name == "ring8":  # angles 2 pi k / 8 on a circle around the centre
        offset = modes - 0.5
        np.testing.assert_allclose(np.hypot(*offset.T), radius_or_spacing)
        np.testing.assert_allclose(np.arctan2(offset[:, 1], offset[:, 0]) % (2 * np.pi), 2 * np.pi * np.arange(8) / 8)
    else:
        assert sorted(set(np.round(modes[:, 0], 6))) == pytest.approx(0.1 + radius_or_spacing * np.arange(5))
    points = sample(name, 40_000, seed=1)
    nearest = np.argmin(np.linalg.norm(points[:, None] - modes[None], axis=2), axis=1)
    counts = np.bincount(nearest, minlength=len(modes))
    assert counts.min() > 0.8 * len(points) / len(modes)  # equal weights
    np.testing.assert_allclose((points - modes[nearest]).std(axis=0), std, rtol=0.05)


@pytest.mark.parametrize("name", ["moons", "spiral", "checkerboard"])
def test_new_shapes_fit_the_view_and_are_seeded(name):
    points = sample(name, 5_000, seed=2)
    assert points.shape == (5_000, 2) and np.all((points > 0) & (points < 1))
    np.testing.assert_array_equal(points, sample(name, 5_000, seed=2))


def test_checkerboard_fills_only_the_dark_squares():
    cells = np.floor((sample("checkerboard", 20_000, seed=3) - 0.1) / 0.2).astype(int)
    assert set(map(tuple, cells)) == {(i, j) for i in range(4) for j in range(4) if (i + j) % 2 == 0}


def test_moons_are_two_interleaved_arcs():
    points = sample("moons", 20_000, seed=4)
    upper = points[:, 1] > 0.5
    # each half holds about half the points, and the arcs interleave: both span the middle of the x range
    assert 0.4 < upper.mean() < 0.6
    for half in (points[upper], points[~upper]):
        assert np.any(np.abs(half[:, 0] - 0.5) < 0.02)
