"""The GAN overview graph's geometry: where each node and edge lies in the figure's pixel coordinates, and how a
node's plot maps into its box. Plain numbers: overview.py draws them."""

from __future__ import annotations

import math

import numpy as np

from ganlab_panel.core.slow_motion import EDGES, PHASES  # noqa: F401  (the graph's phases and their edges)
from ganlab_panel.render.colors import DISCRIMINATOR_COLOR, GENERATOR_COLOR

WIDTH, HEIGHT = 900, 260
PAD = 4  # inner margin between a box's border and its plot

PHASE_COLORS = {"discriminator": DISCRIMINATOR_COLOR, "generator": GENERATOR_COLOR}
EDGE_COLOR = "#b4b4b4"
BORDER_COLOR = "#d9d9d9"
NETWORKS = {"discriminator": "discriminator", "generator": "generator"}
"""Network boxes -> the phase that trains them: they wear its colour, faded while another is highlighted."""

# Node boxes: name -> (left, bottom, width, height, title). Two rows: real samples above, fake below.
REAL_ROW, FAKE_ROW = 162, 76
SMALL, BIG = 62, 128
NODES = {
    "noise": (16, FAKE_ROW - SMALL / 2, SMALL, SMALL, "Noise"),
    "generator": (112, 55, BIG, BIG, "Generator"),
    "real": (282, REAL_ROW - SMALL / 2, SMALL, SMALL, "Real samples"),
    "fake": (282, FAKE_ROW - SMALL / 2, SMALL, SMALL, "Fake samples"),
    "discriminator": (386, 55, BIG, BIG, "Discriminator"),
    "real-predictions": (556, REAL_ROW - SMALL / 2, SMALL, SMALL, "D(real)"),
    "fake-predictions": (556, FAKE_ROW - SMALL / 2, SMALL, SMALL, "D(fake)"),
    "discriminator-loss": (680, REAL_ROW - 21, 178, 42, "Discriminator loss"),
    "generator-loss": (680, FAKE_ROW - 21, 178, 42, "Generator loss"),
    "discriminator-gradients": (630, 222, 76, 20, "Gradients"),
    "generator-gradients": (470, 8, 76, 20, "Gradients"),
}
LOSS_NODES = ("discriminator-loss", "generator-loss")
LOSS_PHASES = {"discriminator-loss": "discriminator", "generator-loss": "generator"}
"""Loss boxes -> the phase whose loss each shows."""
LABEL_NODES = ("discriminator-gradients", "generator-gradients")  # title only, written inside the box
TOP_PATH, BOTTOM_PATH, RIGHT_PATH = 232, 18, 878


def curve(start, end, n: int = 24) -> list[tuple[float, float]]:
    """A cubic Bezier leaving and entering horizontally (GAN Lab's 'C' paths)."""
    (x0, y0), (x1, y1) = start, end
    t = np.linspace(0, 1, n)[:, None]
    mid = (x0 + x1) / 2
    control = np.array([[x0, y0], [mid, y0], [mid, y1], [x1, y1]])
    weights = np.hstack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3])
    return [tuple(p) for p in weights @ control]


EDGE_POINTS = {
    "noise-generator": [(78, FAKE_ROW), (112, FAKE_ROW)],
    "generator-fake": [(240, FAKE_ROW), (282, FAKE_ROW)],
    "real-discriminator": [(344, REAL_ROW), (386, REAL_ROW)],
    "fake-discriminator": [(344, FAKE_ROW), (386, FAKE_ROW)],
    "discriminator-real-predictions": [(514, REAL_ROW), (556, REAL_ROW)],
    "discriminator-fake-predictions": [(514, FAKE_ROW), (556, FAKE_ROW)],
    "real-predictions-discriminator-loss": [(618, REAL_ROW), (680, REAL_ROW)],
    "fake-predictions-discriminator-loss": curve((618, FAKE_ROW), (680, REAL_ROW - 12)),
    "fake-predictions-generator-loss": [(618, FAKE_ROW), (680, FAKE_ROW)],
    "discriminator-gradients": [
        (858, REAL_ROW),
        (RIGHT_PATH, REAL_ROW),
        (RIGHT_PATH, TOP_PATH),
        (496, TOP_PATH),
        (496, 183),
    ],
    "generator-gradients": [
        (858, FAKE_ROW),
        (RIGHT_PATH, FAKE_ROW),
        (RIGHT_PATH, BOTTOM_PATH),
        (176, BOTTOM_PATH),
        (176, 55),
    ],
}


def inner(name: str, nodes: dict | None = None) -> tuple[float, float, float, float]:
    """A node's plot area (left, bottom, width, height): its box less PAD on each side."""
    left, bottom, width, height, _ = (nodes or NODES)[name]
    return left + PAD, bottom + PAD, width - 2 * PAD, height - 2 * PAD


def place(name: str, points: np.ndarray, nodes: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Map (n, 2) unit-square points into a node's box; points outside are pinned to its border."""
    left, bottom, width, height = inner(name, nodes)
    unit = np.clip(points, 0.0, 1.0)  # NaN stays NaN, so path breaks survive
    return left + unit[:, 0] * width, bottom + unit[:, 1] * height


def grid_path_index(rows: int, cols: int) -> np.ndarray:
    """Indices into a flattened (rows, cols) grid tracing every row then every column, -1 between lines."""
    index = np.arange(rows * cols).reshape(rows, cols)
    along_rows = np.hstack([index, np.full((rows, 1), -1)]).ravel()
    along_cols = np.hstack([index.T, np.full((cols, 1), -1)]).ravel()
    return np.concatenate([along_rows, along_cols])


def loss_fraction(loss: float) -> float:
    """Bar length in [0, 1): loss / (loss + 1) is monotone, never overflows, and keeps small losses visible."""
    return 0.0 if not math.isfinite(loss) or loss <= 0 else loss / (loss + 1.0)
