"""What a flow's views receive, as plain numpy: the FlowFrame (Trainer.frame() when config.model is 'flow'),
one training step's parts and one sampling run step by step (slow motion's data).

Coordinates are the unit square's, y up, as a GAN Frame's; velocities are in the square's units per unit of
time; arrays are float32. The network works in standardised coordinates (core/flow_sampling.py), which no
view sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class FlowFrame:
    """Everything a flow's views draw at one moment, at the time `time` the view chose (config.flow_time).
    Heatmaps are on the GAN heatmap's cells (config.heatmap_resolution), row = y, column = x."""

    iteration: int  # completed training steps (one step an iteration)
    time: float  # t of samples, grid, field and heatmap: 0 the source, 1 the data
    real: np.ndarray  # (450, 2) real samples shown
    source: np.ndarray  # (300, 2) the fixed source batch at t = 0
    samples: np.ndarray  # (300, 2) that batch carried by the flow to `time`
    trajectories: np.ndarray  # (40, K, 2) the first 40 of the batch from t = 0 to 1, at trajectory_times
    trajectory_times: np.ndarray  # (K,) the ODE steps' times: flow_steps + 1 of them, or + 2 when `time` falls
    # between two (it is always one of them): trajectories[:, time_index] == samples[:40]
    time_index: int
    grid: np.ndarray  # (21, 21, 2) a grid over the square at t = 0 carried to `time` (the GAN manifold's analogue)
    grid_stretch: np.ndarray  # (20, 20) each grid cell's area at `time` over its area at t = 0
    field_points: np.ndarray  # (400, 2) a fixed 20 x 20 grid of cell centres, where the arrows start
    field: np.ndarray  # (400, 2) the velocity v(x, time) at field_points
    log_density: np.ndarray | None  # (R, R) log p_time(x) per unit area of the square (flow_heatmap 'density');
    # clipped below at LOG_DENSITY_FLOOR (-50): zero density (outside a uniform source's square) reads so; else None
    speed: np.ndarray | None  # (R, R) |v(x, time)| (flow_heatmap 'speed'), else None
    loss: float  # the latest training loss (NaN before the first step)
    metrics: dict = field(default_factory=dict)  # kl, js and for ring8/grid25 the mode metrics, as a GAN's
    diverged: str | None = None  # the divergence message when training stopped on a NaN/inf

    @property
    def position(self) -> tuple[int, int, int]:
        """Where training was, as Frame.position: (iteration, 0, 0), a flow having no separate networks' steps."""
        return self.iteration, 0, 0


@dataclass(frozen=True)
class FlowStep:
    """One training step's parts, before its update (Trainer.flow_step()): slow motion's data."""

    iteration: int  # the iteration this step completed
    x0: np.ndarray  # (n, 2) source samples
    x1: np.ndarray  # (n, 2) data samples, paired with x0 in order
    t: np.ndarray  # (n,) times, uniform on [0, 1]
    x_t: np.ndarray  # (n, 2) (1 - t) x0 + t x1: where the network is asked
    target: np.ndarray  # (n, 2) x1 - x0: the velocity it should give there
    prediction: np.ndarray  # (n, 2) the velocity it gave, before the update
    loss: float  # mean squared error of prediction to target, in the network's standardised units
    learning_rate: float  # the step's rate (after the schedule)


@dataclass(frozen=True)
class FlowSampling:
    """One sampling run step by step (Trainer.sampling_run()): the shown source batch along the ODE's steps."""

    method: str  # 'midpoint' or 'euler'
    times: np.ndarray  # (K,) from 0 to 1
    positions: np.ndarray  # (K, n, 2) positions after each step; positions[0] the source batch
    velocities: np.ndarray  # (K - 1, n, 2) the velocity each step moved along: (positions[k+1] - positions[k]) / dt
