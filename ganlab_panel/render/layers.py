"""The layered view's layers as data: their names, which show by default, and the shapes each draws from a
Frame (a GAN's) or a FlowFrame (a flow's). Shared by the page's views (Bokeh) and by pictures (Pillow), so both
draw the same thing."""

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


# -- a flow's layers -------------------------------------------------------------------------------------------
FLOW_LAYER_NAMES = ("show_heatmap", "show_grid", "show_real", "show_trajectories", "show_field", "show_samples")
"""A flow's layers, bottom to top: the density or speed heatmap, the carried grid, the real samples, the
trajectories, the velocity arrows, the samples at the chosen time."""
FLOW_DEFAULT_LAYERS = frozenset({"show_heatmap", "show_real", "show_trajectories", "show_samples"})
GAN_ANALOGUES = {"show_fake": "show_samples", "show_gradients": "show_field", "show_manifold": "show_grid"}
"""A GAN layer's name, given for a flow, stands for the flow's analogue: a GAN view's toggles draw a flow too."""
FIELD_ARROW_TIME = 0.1
"""A velocity arrow is the way a point moves in this much time (unit-square lengths: 0.5 a unit time -> 0.05)."""
MAX_FIELD_ARROW = 0.05
"""Longest velocity arrow drawn: the field's grid spacing, so arrows never cross their neighbours' starts."""
DENSITY_RANGE = 8.0
"""The density heatmap's colours span this many nats of log-density below its highest cell (e^-8: 0.03%)."""


def check_flow_layers(layers) -> frozenset[str]:
    """`layers` as a set of a flow's layer names (a GAN layer's name stands for its analogue, GAN_ANALOGUES);
    an unknown name raises ValueError."""
    layers = frozenset([layers] if isinstance(layers, str) else layers)
    layers = frozenset(GAN_ANALOGUES.get(name, name) for name in layers)
    unknown = sorted(layers - set(FLOW_LAYER_NAMES))
    if unknown:
        raise ValueError(f"unknown layers {', '.join(unknown)}; choose from {', '.join(FLOW_LAYER_NAMES)}")
    return layers


def flow_heatmap(frame) -> tuple[str, np.ndarray] | None:
    """(kind, shades) of a FlowFrame's heatmap: 'density', its log-density from DENSITY_RANGE nats below the
    highest cell (0) to the highest (1); 'speed', the speed over the highest (0 still, 1 the fastest); NaN where
    a value is not finite. None when the frame has neither."""
    if frame.log_density is not None:
        values = np.asarray(frame.log_density, dtype=np.float64)
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if len(finite) else 0.0
        return "density", np.clip(1 + (values - top) / DENSITY_RANGE, 0, 1)
    if frame.speed is not None:
        values = np.asarray(frame.speed, dtype=np.float64)
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if len(finite) else 0.0
        return "speed", values / top if top > 0 else np.where(np.isfinite(values), 0.0, np.nan)
    return None


def field_arrows(points: np.ndarray, field: np.ndarray, arrow_time: float = FIELD_ARROW_TIME):
    """(start, end) of each velocity arrow, (N, 2) float32 each: the move in `arrow_time`, no longer than
    MAX_FIELD_ARROW."""
    start = np.asarray(points, dtype=np.float32)
    arrow = arrow_time * np.asarray(field, dtype=np.float32)
    length = np.hypot(arrow[:, 0], arrow[:, 1])
    too_long = length > MAX_FIELD_ARROW
    arrow[too_long] *= (MAX_FIELD_ARROW / length[too_long])[:, None]
    return start, start + arrow
