"""A flow experiment's own part of the Trainer: its engine, data and source streams, one training step, its
frames, samples and metrics. The Trainer (core/trainer.py) keeps what both models share: the counters, the
settings' watching, the divergence guard, the history, states and restoring.
"""

from __future__ import annotations

import numpy as np

from ganlab_panel.core import distributions, metrics
from ganlab_panel.core.flow_frame import FlowFrame, FlowSampling, FlowStep
from ganlab_panel.core.flow_sampling import (
    LOG_SCALE_AREA,
    SCALE,
    draw_source,
    integrate,
    log_density,
    time_grid,
    to_network,
    to_square,
)
from ganlab_panel.core.frame import cell_centres
from ganlab_panel.core.noise import MANIFOLD_CELLS, manifold_grid, stretch
from ganlab_panel.engines.factory import create_flow_engine
from ganlab_panel.engines.flow_base import NETWORK, FlowArchitecture, FlowHyper, initial_flow_weights, scheduled_rate

REAL_POOL = 12_000  # as the GAN's: data drawn once and cycled through
SHOWN_REAL = 450
SHOWN_SAMPLES = 300
PATHS = 40
"""Trajectories drawn: the first PATHS of the shown source batch."""
FIELD_CELLS = 20
"""The velocity arrows start at the centres of a FIELD_CELLS x FIELD_CELLS grid."""
LOG_DENSITY_FLOOR = -50.0
"""The least log-density a frame holds: lower ones are clipped to it, so zero density (outside a uniform
source's square, where log gives -inf) and e^-50 per unit area, zero on any colour scale, read alike."""
SOURCES = ("gaussian", "uniform")


class FlowRun:
    """One flow experiment's engine, data and fixed batches, built from the config and the Trainer's seeded
    streams (weights, data, training draws, shown batch, metrics)."""

    def __init__(self, config, weights, rngs: list[np.random.Generator]):
        weights_rng, data_rng, self.rng, shown_rng, metric_rng = rngs[:5]
        c = self.config = config
        self.architecture = FlowArchitecture.from_config(c)
        if weights is None:
            weights = {NETWORK: initial_flow_weights(self.architecture.sizes, weights_rng)}
        sampler = distributions.make_sampler(c.distribution, c.points or None)
        self.engine = create_flow_engine(c.engine, self.architecture, weights, FlowHyper.from_config(c), c.device)
        self.real_pool = sampler(REAL_POOL, data_rng).astype(np.float32)
        self.shown_real = self.real_pool[:SHOWN_REAL]
        self._pool = to_network(self.real_pool)
        # both sources' batches, drawn once: the source is a live setting, and switching it redraws nothing
        self._shown_source = {kind: draw_source(shown_rng, SHOWN_SAMPLES, kind) for kind in SOURCES}
        self._metric_source = {kind: draw_source(metric_rng, metrics.METRIC_SAMPLES, kind) for kind in SOURCES}
        self._real_histogram = metrics.histogram(sampler(metrics.METRIC_SAMPLES, metric_rng))
        self._grid_source = to_network(manifold_grid(2)).astype(np.float32)
        self._field_points = cell_centres(FIELD_CELLS)
        self.cursor = 0
        self.version = 0  # counts weight changes: the metrics' cache key
        self._metrics: tuple | None = None
        self._heatmap: tuple | None = None
        self.follow()

    def follow(self) -> None:
        """Take the live settings: plain copies of what every step reads."""
        c = self.config
        self.hyper = FlowHyper.from_config(c)
        self.engine.set_hyper(self.hyper)
        self._batch_size, self._source = c.flow_batch_size, c.flow_source

    def set_weights(self, weights) -> None:
        self.engine.set_weights(weights)
        self.version += 1

    def resume(self, state) -> None:
        """A TrainingState's exact part: optimizer state, the training draws' stream, the data cursor."""
        self.engine.load_optimizer_state(state.optimizer)
        self.rng.bit_generator.state = state.noise_rng
        self.cursor = state.real_cursor
        self.version += 1

    # -- training ------------------------------------------------------------------------------------
    def _draw(self, iteration: int):
        """The next batch: source x0, data x1 (the pool in order), times t, and the scheduled rate."""
        n, start = self._batch_size, self.cursor
        self.cursor = (start + n) % REAL_POOL
        if start + n <= REAL_POOL:
            x1 = self._pool[start : start + n]
        else:
            x1 = np.take(self._pool, np.arange(start, start + n), axis=0, mode="wrap")
        x0 = draw_source(self.rng, n, self._source)
        t = self.rng.random(n, dtype=np.float32)
        return x0, x1, t, scheduled_rate(self.hyper, iteration)

    def step(self, iteration: int) -> float:
        """One training step, the `iteration`-th done so far; its loss before the update."""
        loss = self.engine.step(*self._draw(iteration))
        self.version += 1
        return loss

    def detailed_step(self, iteration: int) -> FlowStep:
        """The same step, returning its parts (in the unit square) as slow motion shows them."""
        x0, x1, t, rate = self._draw(iteration)
        x_t = x0 + t[:, None] * (x1 - x0)
        prediction = self.engine.velocity(x_t, t)
        loss = self.engine.step(x0, x1, t, rate)
        self.version += 1
        x0, x1, x_t = (to_square(a) for a in (x0, x1, x_t))
        return FlowStep(iteration + 1, x0, x1, t.copy(), x_t, x1 - x0, prediction * SCALE, loss, rate)

    # -- sampling ------------------------------------------------------------------------------------
    def sample(self, source: np.ndarray) -> np.ndarray:
        """Standardised source points carried from t = 0 to 1 with the sampling settings: the unit square's."""
        c = self.config
        end, _ = integrate(self.engine.velocity, source, np.linspace(0, 1, c.flow_steps + 1), c.flow_method)
        return to_square(end)

    def draw_samples(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.sample(draw_source(rng, n, self._source))

    def sampling_run(self) -> FlowSampling:
        c = self.config
        source, times = self._shown_source[self._source], np.linspace(0, 1, c.flow_steps + 1)
        _, path = integrate(self.engine.velocity, source, times, c.flow_method, keep=len(source))
        positions = to_square(path)
        velocities = np.diff(positions, axis=0) / np.diff(times).astype(np.float32)[:, None, None]
        return FlowSampling(c.flow_method, times, positions, velocities)

    def metrics(self) -> dict:
        """KL and JS of 10,000 samples of a fixed source batch against the data, and for ring8/grid25 the mode
        figures on the first 2,500 (as the GAN's, Trainer.metrics); kept until the weights or sampling change."""
        c = self.config
        key = (self.version, c.flow_steps, c.flow_method, self._source)
        if self._metrics is None or self._metrics[0] != key:
            samples = self.sample(self._metric_source[self._source])
            result = metrics.divergences(None, samples, real_histogram=self._real_histogram)
            info = distributions.REGISTRY[c.distribution]
            if info.modes is not None:
                result.update(metrics.mode_metrics(samples[: metrics.MODE_SAMPLES], info.modes, info.mode_std))
            self._metrics = (key, result)
        return dict(self._metrics[1])

    # -- frames --------------------------------------------------------------------------------------
    def log_density(self, points: np.ndarray, t: float) -> np.ndarray:
        """log p_t at points of the unit square (per unit area), by the sampling settings' steps on [0, t]."""
        c = self.config
        times, index = time_grid(c.flow_steps, t)
        back = times[: index + 1][::-1]
        engine = self.engine
        log_p = log_density(
            engine.velocity_divergence, to_network(points), back, c.flow_method, self._source, engine.velocity
        )
        return log_p - LOG_SCALE_AREA

    def heatmap(self, t: float) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(log_density, speed) on the heatmap's cells at time t, the one config.flow_heatmap names (the other
        None); kept until the weights or what it depends on change. The density costs (cells) x (velocity and
        divergence evaluations on [0, t]): ~20 ms at 30 x 30 and 20 midpoint steps (docs/flow-matching.md)."""
        c = self.config
        kind, resolution = c.flow_heatmap, c.heatmap_resolution
        key = (self.version, t, kind, resolution, c.flow_steps, c.flow_method, self._source)
        if self._heatmap is None or self._heatmap[0] != key:
            log_p = speed = None
            cells = cell_centres(resolution)
            if kind == "density":
                log_p = np.maximum(self.log_density(cells, t), LOG_DENSITY_FLOOR).astype(np.float32)
            elif kind == "speed":
                speed = (np.linalg.norm(self.engine.velocity(to_network(cells), t), axis=1) * SCALE).astype(np.float32)
            shaped = [None if a is None else a.reshape(resolution, resolution) for a in (log_p, speed)]
            self._heatmap = (key, *shaped)
        return self._heatmap[1], self._heatmap[2]

    def frame(self, iteration: int, loss: float, with_metrics: bool = True, with_heatmap: bool = True) -> FlowFrame:
        """A FlowFrame at config.flow_time: only the heatmap config.flow_heatmap names, and none without
        `with_heatmap` (a page may refresh the density every few frames while playing)."""
        c, velocity = self.config, self.engine.velocity
        t, method = float(c.flow_time), c.flow_method
        times, index = time_grid(c.flow_steps, t)
        source = self._shown_source[self._source]
        # the shown batch and the grid go to t together; the PATHS trajectories on from t to 1
        carried, before = integrate(
            velocity, np.concatenate([source, self._grid_source]), times[: index + 1], method, PATHS
        )
        _, after = integrate(velocity, carried[:PATHS], times[index:], method, PATHS)
        grid = to_square(carried[SHOWN_SAMPLES:]).reshape(MANIFOLD_CELLS + 1, MANIFOLD_CELLS + 1, 2)
        log_p, speed = self.heatmap(t) if with_heatmap else (None, None)
        f32 = np.float32
        return FlowFrame(
            iteration=iteration,
            time=t,
            real=self.shown_real,
            source=to_square(source),
            samples=to_square(carried[:SHOWN_SAMPLES]).astype(f32),
            trajectories=to_square(np.concatenate([before, after[1:]]).transpose(1, 0, 2)).astype(f32),
            trajectory_times=times.astype(f32),
            time_index=index,
            grid=grid.astype(f32),
            grid_stretch=stretch(grid).astype(f32),
            field_points=self._field_points,
            field=(velocity(to_network(self._field_points), t) * SCALE).astype(f32),
            log_density=log_p,
            speed=speed,
            loss=loss,
            metrics=self.metrics() if with_metrics else {},
        )
