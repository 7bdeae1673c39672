"""The layered view's layers as data: their names, which show by default, and the shapes each draws from a
Frame. Shared by the page's view (Bokeh) and by pictures (Pillow), so both draw the same thing."""

from __future__ import annotations

import numpy as np

LAYER_NAMES = ("show_heatmap", "show_real", "show_gradients", "show_fake", "show_manifold")
"""Bottom to top, as GAN Lab stacks them."""
DEFAULT_LAYERS = frozenset({"show_heatmap", "show_real", "show_gradients", "show_fake"})
"""What the view shows when it opens: all but the manifold."""
ARROW_SCALE = 0.3
"""Arrow length per unit of gradient, in unit-square lengths (GAN Lab: 0.15)."""
MAX_ARROW = 0.2  # longest arrow drawn (unit-square length): a blown-up gradient must not cross the plot


def check_layers(layers) -> frozenset[str]:
    """`layers` as a set of layer names; an unknown name raises ValueError."""
    layers = frozenset([layers] if isinstance(layers, str) else layers)
    unknown = sorted(layers - set(LAYER_NAMES))
    if unknown:
        raise ValueError(f"unknown layers {', '.join(unknown)}; choose from {', '.join(LAYER_NAMES)}")
    return layers


def gradient_arrows(fake: np.ndarray, gradients: np.ndarray, arrow_scale: float = ARROW_SCALE):
    """(start, end) of each fake sample's gradient arrow, (N, 2) float32 each; no longer than MAX_ARROW."""
    start = np.asarray(fake, dtype=np.float32)
    arrow = arrow_scale * np.asarray(gradients, dtype=np.float32)
    length = np.hypot(arrow[:, 0], arrow[:, 1])
    too_long = length > MAX_ARROW
    arrow[too_long] *= (MAX_ARROW / length[too_long])[:, None]
    return start, start + arrow


def manifold_cells(manifold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (cells, 4) corner x and y arrays of a (21, 21, 2) deformed grid, corners in drawing order."""
    corners = np.stack([manifold[:-1, :-1], manifold[:-1, 1:], manifold[1:, 1:], manifold[1:, :-1]], axis=2)
    corners = corners.reshape(-1, 4, 2)
    return corners[..., 0], corners[..., 1]


def manifold_lines(manifold: np.ndarray) -> np.ndarray:
    """All rows and columns of a (21, 21, 2) deformed grid as one NaN-separated (M, 2) polyline."""
    lines = np.concatenate([manifold, manifold.transpose(1, 0, 2)])
    gaps = np.full((len(lines), 1, 2), np.nan)
    return np.concatenate([lines, gaps], axis=1).reshape(-1, 2)


def cell_alpha(stretch: np.ndarray) -> np.ndarray:
    """GAN Lab's shading: a cell stretched less than average is denser, so darker (alpha 0.1 .. 0.9)."""
    mean = float(np.mean(stretch)) if len(stretch) else 0.0
    ratio = stretch / mean if mean > 0 else np.zeros_like(stretch)
    return np.clip(0.9 - 0.4 * ratio, 0.1, 0.9)
