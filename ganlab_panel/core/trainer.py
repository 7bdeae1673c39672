"""The Trainer owns an engine, the data and the counters; it steps, guards against divergence and
makes Frames. It never imports Panel: a widget reaches it only by changing the configuration.

It trains the model config.model names: a GAN here, or a flow, whose own part is core/flow_run.FlowRun (the
counters, settings, divergence guard, history, states and restoring stay here for both)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import param

from ganlab_panel.core import distributions, metrics
from ganlab_panel.core.config import EFFECTS, REBUILD_SETTINGS, GanConfig
from ganlab_panel.core.flow_frame import FlowFrame, FlowSampling, FlowStep
from ganlab_panel.core.flow_run import FlowRun
from ganlab_panel.core.frame import Frame, HeatmapScale, cell_centres
from ganlab_panel.core.history import History
from ganlab_panel.core.noise import manifold_grid, sample_noise, stretch
from ganlab_panel.core.settings import MODEL_SETTINGS
from ganlab_panel.core.training_state import TrainingState, check_model
from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper, initial_weights
from ganlab_panel.engines.factory import create_engine

REAL_POOL = 12_000  # GAN Lab draws its real samples once and cycles through them
SHOWN_REAL = 450
SHOWN_FAKE = 150
NOISE_CHUNK = 64  # batches of noise drawn at once: one RNG call per 64 steps
WEIGHT_LIMIT = 1e6  # a weight this large means training has blown up, NaN or not
WEIGHT_CHECK_EVERY = 10  # iterations between weight checks in train(): ~0.1 ms each vs ~1 ms per iteration


class Diverged(RuntimeError):
    """Training produced a NaN or infinite loss or weight."""


class Trainer:
    """Trains one GAN experiment described by a GanConfig and reacts to changes of it."""

    def __init__(self, config: GanConfig | None = None, history_capacity: int = 2000, **settings):
        self.config = config if config is not None else GanConfig()
        if settings:
            self.config.update(settings)
        self.history = History(history_capacity)
        self.engine = None
        self.rebuilt: list[Callable[[], None]] = []
        """Called after a change of settings rebuilt the networks (not after reset() or restore(), whose caller
        knows): listen here rather than to the configuration, whose watchers may run before the trainer's."""
        self.reset()
        self.config.param.watch(self._on_change, list(EFFECTS))

    # -- life cycle ----------------------------------------------------------------------------------
    def reset(self, weights=None) -> None:
        """New networks (or the given weights), data and noise from the seed; counters back to 0."""
        c = self.config
        seeds = [np.random.default_rng([c.seed, stream]) for stream in range(6)]
        self.flow: FlowRun | None = None
        if c.model == "flow":
            self.flow = FlowRun(c, weights, seeds)
            self.engine, self.architecture = self.flow.engine, self.flow.architecture
            self.real_pool, self.shown_real = self.flow.real_pool, self.flow.shown_real
        else:
            self._build_gan(weights, seeds)
        self.iteration = self.discriminator_steps = self.generator_steps = 0
        self.discriminator_loss = self.generator_loss = self.flow_loss = math.nan
        self.diverged: str | None = None
        self.history.clear()
        self._built_for = self._rebuild_settings()
        self._last_frame = self._snapshot()  # what views keep showing if the first steps diverge

    def _build_gan(self, weights, seeds) -> None:
        c = self.config
        weights_rng, data_rng, self._noise_rng, shown_rng, metric_rng, self._mix_rng = seeds
        self.architecture = Architecture.from_config(c)
        if weights is None:
            weights = {
                "generator": initial_weights(self.architecture.generator_sizes, weights_rng),
                "discriminator": initial_weights(self.architecture.discriminator_sizes, weights_rng),
            }
        sampler = distributions.make_sampler(c.distribution, c.points or None)
        self.engine = create_engine(c.engine, self.architecture, weights, Hyper.from_config(c), c.device)
        self._follow_live_settings()
        self.real_pool = sampler(REAL_POOL, data_rng).astype(np.float32)
        self.shown_real = self.real_pool[:SHOWN_REAL]
        self.shown_noise = sample_noise(shown_rng, SHOWN_FAKE, c.noise_dim, c.noise_type)
        self._metric_noise = sample_noise(metric_rng, metrics.METRIC_SAMPLES, c.noise_dim, c.noise_type)
        self._real_histogram = metrics.histogram(sampler(metrics.METRIC_SAMPLES, metric_rng))
        self._manifold_noise = manifold_grid(c.noise_dim)
        self._noise_buffer = np.empty((0, c.noise_dim), np.float32)
        self._noise_drawn = (None, 0)  # (RNG state before, rows) of the buffer's draw: what state() keeps
        self._real_cursor = 0

    def _rebuild_settings(self) -> dict:
        """The rebuilding settings of the model trained (the other model's change nothing)."""
        own = MODEL_SETTINGS[self.config.model]
        return {name: getattr(self.config, name) for name in REBUILD_SETTINGS if name in own}

    def _on_change(self, *_events) -> None:
        # compared with what the networks were built for, not read from the events: restore() has already
        # rebuilt them when its batched events arrive here
        if self._rebuild_settings() != self._built_for:
            self.reset()
            for listener in self.rebuilt:
                listener()
        else:
            self._follow_hyper()

    def _follow_hyper(self) -> None:
        if self.flow is not None:
            self.flow.follow()
            return
        self.engine.set_hyper(Hyper.from_config(self.config))
        self._follow_live_settings()

    def _follow_live_settings(self) -> None:
        """Plain copies of the settings every step reads: reading a param attribute costs ~4 us, a tenth
        of an iteration with the NumPy engine."""
        c, pack = self.config, self.architecture.pack
        # with packing a batch is rounded up to whole packs: batch 150 in packs of 4 uses 152 samples
        self._batch_size, self._steps = -(-c.batch_size // pack) * pack, (c.k_discriminator, c.k_generator)
        self._loss = c.loss

    def state(self) -> TrainingState:
        """A copy of everything needed to go on exactly from here (see restore)."""
        if self.flow is not None:  # the training draws' stream as it is now: a flow draws per step
            return TrainingState(
                self.config.to_dict(), self.engine.get_weights(), self.engine.optimizer_state(),
                self.flow.rng.bit_generator.state, 0, 0, None, self.flow.cursor, self.iteration, 0, 0,
                math.nan, math.nan, self.flow_loss,
            )  # fmt: skip
        drawn_at, drawn = self._noise_drawn
        left = len(self._noise_buffer)
        if not left:  # nothing left to re-draw: the next draw starts from the current RNG state
            drawn_at, drawn = self._noise_rng.bit_generator.state, 0
        return TrainingState(
            settings=self.config.to_dict(),
            weights=self.engine.get_weights(),
            optimizer=self.engine.optimizer_state(),
            noise_rng=drawn_at,
            noise_drawn=drawn,
            noise_left=left,
            mix_rng=self._mix_rng.bit_generator.state,
            real_cursor=self._real_cursor,
            iteration=self.iteration,
            discriminator_steps=self.discriminator_steps,
            generator_steps=self.generator_steps,
            discriminator_loss=self.discriminator_loss,
            generator_loss=self.generator_loss,
        )

    def restore(self, state: TrainingState) -> None:
        """Go to a state(), or a checkpoint's (TrainingState.from_checkpoint): its settings (rebuilding once if
        networks, data or seed differ), weights, and for a state() its optimizer moments, random streams and
        counters, so training goes on exactly as it did from there. The one way in for saved training: every
        watcher of the configuration, registered before the trainer's or after, sees the restored trainer.
        Clears a divergence; the history keeps only iterations up to the state's. Bad settings, or a state of
        the other model (a flow's into a GAN's trainer, or the reverse), raise ValueError and change nothing."""
        check_model(state.settings, self.config.model)
        with param.parameterized.batch_call_watchers(self.config):  # watchers wait for the whole restore
            self.config.update(state.settings)
            if state.optimizer is None or self._rebuild_settings() != self._built_for:
                self.reset(weights=state.weights)  # a new run: its history goes
            else:
                self._follow_hyper()
                if self.flow is not None:
                    self.flow.set_weights(state.weights)
                else:
                    self.engine.set_weights(state.weights)
            if state.optimizer is not None:
                self._resume(state)
            self.iteration = int(state.iteration)
            self.diverged = None
            self.history.truncate(state.iteration)
            self._last_frame = self._snapshot()

    def _resume(self, state: TrainingState) -> None:
        """The exact part of a state(): optimizer moments, random streams, cursors, counters and losses."""
        if self.flow is not None:
            self.flow.resume(state)
            self.flow_loss = state.flow_loss
            return
        self.engine.load_optimizer_state(state.optimizer)
        c = self.config
        self._noise_rng.bit_generator.state = state.noise_rng
        self._noise_drawn = (state.noise_rng, state.noise_drawn)
        drawn = sample_noise(self._noise_rng, state.noise_drawn, c.noise_dim, c.noise_type)
        self._noise_buffer = drawn[state.noise_drawn - state.noise_left :]
        self._mix_rng.bit_generator.state = state.mix_rng
        self._real_cursor = state.real_cursor
        self.discriminator_steps, self.generator_steps = state.discriminator_steps, state.generator_steps
        self.discriminator_loss, self.generator_loss = state.discriminator_loss, state.generator_loss

    # -- batches -------------------------------------------------------------------------------------
    def _real_batch(self) -> np.ndarray:
        n = self._batch_size
        start = self._real_cursor
        self._real_cursor = (start + n) % REAL_POOL
        if start + n <= REAL_POOL:
            return self.real_pool[start : start + n]
        return np.take(self.real_pool, np.arange(start, start + n), axis=0, mode="wrap")

    def _noise_batch(self) -> np.ndarray:
        n = self._batch_size
        if len(self._noise_buffer) < n:
            c = self.config
            self._noise_drawn = (self._noise_rng.bit_generator.state, NOISE_CHUNK * n)
            self._noise_buffer = sample_noise(self._noise_rng, NOISE_CHUNK * n, c.noise_dim, c.noise_type)
        batch, self._noise_buffer = self._noise_buffer[:n], self._noise_buffer[n:]
        return batch

    # -- training ------------------------------------------------------------------------------------
    def step_discriminator(self) -> float:
        """One discriminator update on a fresh real batch and fresh noise."""
        self._check_gan()
        self._check_running()
        real, noise = self._real_batch(), self._noise_batch()
        mix = None
        if losses.lookup(self._loss).penalised:  # WGAN-GP's interpolation weights, one per (packed) D input
            mix = self._mix_rng.random(len(real) // self.architecture.pack)
        loss = self.engine.discriminator_step(real, noise, mix)
        self.discriminator_steps += 1
        self._guard("discriminator", loss)
        self.discriminator_loss = loss
        return loss

    def step_generator(self) -> float:
        """One generator update on fresh noise."""
        self._check_gan()
        self._check_running()
        loss = self.engine.generator_step(self._noise_batch())
        self.generator_steps += 1
        self._guard("generator", loss)
        self.generator_loss = loss
        return loss

    def iterate(self) -> None:
        """One iteration: kD discriminator steps, then kG generator steps; a flow's one training step."""
        if self.flow is not None:
            self._check_running()
            self._flow_done(self.flow.step(self.iteration))
            return
        k_discriminator, k_generator = self._steps
        for _ in range(k_discriminator):
            self.step_discriminator()
        for _ in range(k_generator):
            self.step_generator()
        self.finish_iteration()

    def finish_iteration(self) -> None:
        """Count an iteration whose steps were taken one by one (slow motion) and record its losses."""
        self.iteration += 1
        if self.flow is not None:
            self.history.append(self.iteration, loss=self.flow_loss)
            return
        self.history.append(
            self.iteration, discriminator_loss=self.discriminator_loss, generator_loss=self.generator_loss
        )

    # -- a flow's own ------------------------------------------------------------------------------
    def _flow_done(self, loss: float) -> None:
        self._guard("velocity network", loss)
        self.flow_loss = loss
        self.finish_iteration()

    def flow_step(self) -> FlowStep:
        """One flow iteration, returning its parts (slow motion's data): the batch, x_t, target, the
        prediction before the update, the loss and the rate. Trains exactly as iterate() would."""
        self._check_running()
        parts = self._flow().detailed_step(self.iteration)
        self._flow_done(parts.loss)
        return parts

    def sampling_run(self) -> FlowSampling:
        """The shown source batch carried from t = 0 to 1 step by step, with the sampling settings."""
        return self._flow().sampling_run()

    def sample(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """`count` fresh samples of the model in the unit square: G(noise), or source points carried by the flow."""
        if self.flow is not None:
            return self.flow.draw_samples(count, rng)
        c = self.config
        return self.engine.generate(sample_noise(rng, count, c.noise_dim, c.noise_type))

    def _flow(self) -> FlowRun:
        if self.flow is None:
            raise RuntimeError("this trainer trains a GAN: set model to 'flow' for a flow's steps and sampling")
        return self.flow

    def _check_gan(self) -> None:
        if self.flow is not None:
            raise RuntimeError("a flow has no discriminator or generator steps: use iterate() or flow_step()")

    def train(self, iterations: int) -> int:
        """Run up to `iterations` iterations; stops early (and sets `diverged`) on a NaN or infinity, or
        on exploded weights (checked every WEIGHT_CHECK_EVERY iterations). Returns the number done."""
        start = self.iteration
        if self.diverged:
            return 0
        try:
            for done in range(1, iterations + 1):
                self.iterate()
                if done % WEIGHT_CHECK_EVERY == 0 or done == iterations:
                    self._check_weights()
        except Diverged:
            pass
        return self.iteration - start

    def _check_running(self) -> None:
        if self.diverged:
            raise Diverged(self.diverged)

    def _guard(self, network: str, loss: float) -> None:
        if not math.isfinite(loss):
            self._stop(f"The {network}'s loss became {loss}")

    def _check_weights(self) -> None:
        for name, layers in self.engine.get_weights().items():
            network = "velocity network" if self.flow is not None else name
            arrays = [a for layer in layers for a in layer]
            if not all(np.isfinite(a).all() for a in arrays):
                self._stop(f"The {network}'s weights became NaN or infinite")
            largest = max(float(np.abs(a).max()) for a in arrays)
            if largest > WEIGHT_LIMIT:
                self._stop(f"The {network}'s weights exploded (largest {largest:.3g})")

    def _stop(self, what: str) -> None:
        c = self.config
        if self.flow is not None:
            self.diverged = (
                f"{what} at iteration {self.iteration}, so training stopped. The learning rate is too high "
                f"({c.flow_learning_rate:g}, optimizer {c.flow_optimizer}): lower it (0.001 with Adam trains the "
                "defaults) and press Reset."
            )
            raise Diverged(self.diverged)
        self.diverged = (
            f"{what} at iteration {self.iteration}, so training stopped. Learning rates are too high "
            f"(discriminator {c.discriminator_learning_rate:g}, generator {c.generator_learning_rate:g}, "
            f"optimizers {c.discriminator_optimizer}/{c.generator_optimizer}): lower them (GAN Lab uses 0.1 "
            "or less) and press Reset."
        )
        raise Diverged(self.diverged)

    @property
    def position(self) -> tuple[int, int, int]:
        """Where training is: (iteration, discriminator steps, generator steps); a frame's, when it is current."""
        return self.iteration, self.discriminator_steps, self.generator_steps

    # -- snapshots -----------------------------------------------------------------------------------
    def metrics(self) -> dict:
        """KL and JS between the real distribution and 10,000 fake samples from fixed noise; for a mixture
        with known modes (ring8, grid25) also its mode-collapse figures on the first 2,500 of them. A flow's:
        FlowRun.metrics."""
        if self.flow is not None:
            return self.flow.metrics()
        fake = self.engine.generate(self._metric_noise)
        result = metrics.divergences(None, fake, real_histogram=self._real_histogram)
        info = distributions.REGISTRY[self.config.distribution]
        if info.modes is not None:
            result.update(metrics.mode_metrics(fake[: metrics.MODE_SAMPLES], info.modes, info.mode_std))
        return result

    def frame(self, with_metrics: bool = True, with_heatmap: bool = True) -> Frame | FlowFrame:
        """A snapshot for the views (a FlowFrame for a flow); after divergence, the last good one with the
        message attached. `with_metrics=False` leaves KL and JS out (`metrics` empty): they cost half the
        snapshot (a flow's far more: FlowRun.metrics), and a chart drawn 20 times a second needs them far less
        often. `with_heatmap=False` leaves a flow's heatmap out (its density costs most of its frame)."""
        if not self.diverged:
            frame = self._snapshot(with_metrics, with_heatmap)
            if _finite(frame):
                if frame.metrics:
                    self.history.append(self.iteration, **frame.metrics)
                self._last_frame = frame
                return frame
            what = "velocity network's" if self.flow is not None else "generator's or discriminator's"
            self._stop_quietly(f"The {what} output became NaN or infinite")
        return replace(self._last_frame, diverged=self.diverged)

    def _snapshot(self, with_metrics: bool = True, with_heatmap: bool = True) -> Frame | FlowFrame:
        if self.flow is not None:
            return self.flow.frame(self.iteration, self.flow_loss, with_metrics, with_heatmap)
        engine, resolution = self.engine, self.config.heatmap_resolution
        fake = engine.generate(self.shown_noise)
        cells = cell_centres(resolution)
        # D's logits at the cells, the real and the fake samples in one call, then mapped to shades
        logits = engine.critic(np.concatenate([cells, self.shown_real, fake]))
        cell_logits, real_logits, fake_logits = np.split(logits, [len(cells), len(cells) + len(self.shown_real)])
        scale = HeatmapScale()
        if losses.lookup(self._loss).critic:
            scale = HeatmapScale.critic(cell_logits, centred=losses.lookup(self._loss).shift_invariant)
        heatmap = scale.shade(cell_logits).reshape(resolution, resolution)
        manifold = engine.generate(self._manifold_noise).astype(np.float32)
        if self.config.noise_dim == 2:
            side = int(round(math.sqrt(len(manifold))))
            manifold = manifold.reshape(side, side, 2)
        gradients = scale.slope(fake_logits)[:, None] * engine.critic_gradient(fake)
        real_predictions, fake_predictions = scale.shade(real_logits), scale.shade(fake_logits)
        f32 = np.float32  # frames travel to the browser as binary buffers: half the bytes of float64
        return Frame(
            iteration=self.iteration,
            discriminator_steps=self.discriminator_steps,
            generator_steps=self.generator_steps,
            real=self.shown_real,
            fake=fake.astype(f32),
            noise=self.shown_noise,
            heatmap=heatmap.astype(f32),
            manifold=manifold,
            manifold_stretch=stretch(manifold),
            gradients=gradients.astype(f32),
            real_predictions=real_predictions.astype(f32),
            fake_predictions=fake_predictions.astype(f32),
            discriminator_loss=self.discriminator_loss,
            generator_loss=self.generator_loss,
            metrics=self.metrics() if with_metrics else {},
            heatmap_scale=scale,
        )

    def _stop_quietly(self, what: str) -> None:
        with contextlib.suppress(Diverged):
            self._stop(what)


def _finite(frame: Frame | FlowFrame) -> bool:
    """No NaN or infinity where a diverging network shows one first."""
    if isinstance(frame, FlowFrame):
        arrays = [frame.samples, frame.field, frame.log_density, frame.speed]
    else:
        arrays = [frame.fake, frame.heatmap]
    return all(np.isfinite(a).all() for a in arrays if a is not None)
