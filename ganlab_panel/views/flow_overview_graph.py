"""The flow's overview graph's geometry, as overview_graph.py is the GAN's: the same figure (900 x 260 pixels)
with the training path along the top (source x0 and data x1 -> x_t -> the velocity network -> the loss against
x1 - x0, its gradients back to the network) and the sampling path along the bottom (source -> ODE steps ->
samples -> their density). Plain numbers: flow_overview.py draws them."""

from __future__ import annotations

import numpy as np

from ganlab_panel.core.flow_slow_motion import FLOW_EDGES as EDGES
from ganlab_panel.core.flow_slow_motion import FLOW_PHASES as PHASES
from ganlab_panel.render.colors import DISCRIMINATOR_COLOR, GENERATOR_COLOR
from ganlab_panel.views import overview_graph
from ganlab_panel.views.overview_graph import curve

__all__ = ["EDGES", "PHASES"]  # with the names below: what OverviewView reads from a graph

PHASE_COLORS = {"training": DISCRIMINATOR_COLOR, "sampling": GENERATOR_COLOR}
"""Training's paths in the GAN's discriminator blue, sampling's in the samples' purple."""
NETWORKS = {"network": "training"}

TRAIN_ROW, SAMPLE_ROW = 180, 56
SMALL, BIG = 62, 128
NODES = {
    "data": (16, TRAIN_ROW - SMALL / 2, SMALL, SMALL, "Data x1"),
    "source": (16, SAMPLE_ROW - SMALL / 2, SMALL, SMALL, "Source x0"),
    "interpolation": (170, TRAIN_ROW - SMALL / 2, SMALL, SMALL, "Interpolate x_t"),
    "network": (310, 70, BIG, BIG, "Velocity network v(x, t)"),
    "loss": (520, TRAIN_ROW - 21, 230, 42, "Loss: mean of |v(x_t, t) - (x1 - x0)|²"),
    "ode": (520, SAMPLE_ROW - SMALL / 2, SMALL, SMALL, "ODE steps"),
    "samples": (650, SAMPLE_ROW - SMALL / 2, SMALL, SMALL, "Samples at t"),
    "density": (780, SAMPLE_ROW - SMALL / 2, SMALL, SMALL, "Heatmap at t"),
    "target": (300, 230, 110, 20, "Target x1 - x0"),
    "gradients": (476, 120, 76, 20, "Gradients"),
}
LOSS_NODES = ("loss",)
LOSS_PHASES = {"loss": "training"}
LABEL_NODES = ("target", "gradients")  # title only, written inside the box
TOP_PATH = 240

EDGE_POINTS = {
    "data-interpolation": [(78, TRAIN_ROW), (170, TRAIN_ROW)],
    "source-interpolation": curve((78, SAMPLE_ROW + 18), (170, TRAIN_ROW - 14)),
    "interpolation-network": [(232, TRAIN_ROW), (310, TRAIN_ROW)],
    "network-loss": [(438, TRAIN_ROW), (520, TRAIN_ROW)],
    "target": [(70, TRAIN_ROW + 31), (70, TOP_PATH), (635, TOP_PATH), (635, TRAIN_ROW + 21)],
    "gradients": [(590, TRAIN_ROW - 21), (590, 130), (438, 130)],
    "source-ode": [(78, SAMPLE_ROW), (520, SAMPLE_ROW)],
    "network-ode": curve((438, 92), (520, SAMPLE_ROW + 16)),
    "ode-samples": [(582, SAMPLE_ROW), (650, SAMPLE_ROW)],
    "samples-density": [(712, SAMPLE_ROW), (780, SAMPLE_ROW)],
}
assert set(EDGE_POINTS) == set(EDGES), "every edge of the flow's graph has its phases (core/flow_slow_motion.py)"


def inner(name: str) -> tuple[float, float, float, float]:
    return overview_graph.inner(name, NODES)


def place(name: str, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map (n, 2) unit-square points into a node's box; points outside are pinned to its border."""
    return overview_graph.place(name, points, NODES)
