"""The GAN Lab page: the toolbar, the settings, the views, and the loop that trains and draws.

`GanLab()` is one experiment for one browser session (or one notebook cell): it owns a GanConfig and a
Trainer, turns widget changes into configuration updates, and drives training from ONE periodic callback
(TrainingPage's play loop) that runs several iterations per tick and then draws one frame.
"""

from __future__ import annotations

import contextlib
import time

import panel as pn
import param

from ganlab_panel.core.config import EFFECTS, GanConfig
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.slow_motion import PACE_SECONDS, SlowMotion, SubStep
from ganlab_panel.core.trainer import Diverged, Trainer
from ganlab_panel.core.training_state import TrainingState
from ganlab_panel.pages.file_actions import FileActions
from ganlab_panel.pages.flow_page import show_model
from ganlab_panel.pages.gan_lab_parts import build_parts
from ganlab_panel.pages.page_layout import page
from ganlab_panel.pages.rewind import Rewind
from ganlab_panel.pages.training_page import LiveFrames, TrainingPage, counter_text
from ganlab_panel.serving.url_state import UrlState

RATE_WINDOW_S = 0.5
"""How often the iterations-per-second readout is recomputed."""
PHASE_SECONDS = 0.6
"""While playing normally, the overview alternates its highlighted phase this often."""
OVERVIEW_EVERY = 2
"""While playing, the overview's small live plots are redrawn every this many frames: its canvas is the
costliest to paint (headless Chromium: 20-22 frames/s with it at every frame, 24 without it)."""


class GanLab(TrainingPage):
    """GAN Lab in Panel: train a GAN (or a flow: `model`) on 2-D points and watch every part of it learn."""

    config = param.ClassSelector(class_=GanConfig, constant=True, doc="The experiment's settings.")
    slow_motion = param.Boolean(default=False, doc="Walk through each iteration's ten sub-steps.")
    pace = param.Number(default=PACE_SECONDS, bounds=(0.1, 10), doc="Seconds per slow-motion sub-step.")
    pretrained = param.Boolean(
        default=True, doc="Open on the shipped model of the default distribution, as GAN Lab does (no config given)."
    )

    def __init__(self, config: GanConfig | None = None, **params):
        super().__init__(config=config if config is not None else GanConfig(), **params)
        self.trainer = Trainer(self.config)
        self.trainer.rebuilt.append(self._on_rebuilt)
        self.frames = LiveFrames(self.trainer)  # a flow's density every few frames while playing
        self._slow = SlowMotion(self.config)  # paced by the page's `pace`
        self._next_substep = 0.0
        self._rate_mark = (time.monotonic(), self.trainer.iteration)
        self._phase_mark = (time.monotonic(), "discriminator")
        self._following_config = False
        self._frames_shown = 0
        self.frame: Frame | None = None
        self.rewind = Rewind(self)
        self.timeline, self.timeline_bar = self.rewind.timeline, self.rewind.bar
        self.files = FileActions(self)
        build_parts(self)
        self.config.param.watch(self._on_config, list(EFFECTS))
        # a link's settings open that experiment at iteration 0, not the pretrained model
        self.url_state = UrlState(self.config, self.layered, notify=self._notify, warn=self._error)
        if self.pretrained and config is None and not self.url_state.restored:
            self.load_pretrained()  # GAN Lab opens on its gaussians model at iteration 1931
        else:
            self._show(self.trainer.frame())

    # -- public controls ---------------------------------------------------------------------------
    def play(self) -> None:
        """Start training (or the slow-motion walk); the periodic callback runs until pause()."""
        if self.rewind.viewing is not None and not self.trainer.diverged:  # scrubbed back: go on from the latest frame
            self._show(self.trainer.frame())
            self._notify("Back to the latest frame (Resume from here would have continued from the past one)")
        super().play()

    def reset(self) -> None:
        """New networks from the seed, iteration 0; recovers from divergence."""
        self.trainer.reset()
        self._new_run("Networks reset: iteration 0")

    def step_discriminator(self) -> None:
        """Exactly one discriminator step, then one frame."""
        self._step(self.trainer.step_discriminator)

    def step_generator(self) -> None:
        """Exactly one generator step, then one frame."""
        self._step(self.trainer.step_generator)

    def step_both(self) -> None:
        """One whole iteration (kD discriminator steps, then kG generator steps), then one frame."""
        self._step(lambda: self.trainer.train(1))

    def load_pretrained(self) -> None:
        """Load the shipped model of the chosen distribution: its settings, weights and iteration."""
        self.files.load_pretrained(self.picker.value)

    def load_checkpoint(self, data: bytes, filename: str | None = None) -> None:
        """Continue from an uploaded checkpoint (its settings, weights and iteration)."""
        self.files.load_checkpoint(data, filename)

    def export(self, kind: str) -> tuple[bytes | str, str] | None:
        """The data and file name of a download, or None after saying why there is none."""
        return self.files.export(kind)

    def apply_drawing(self, points) -> None:
        """Train on drawn points (the drawing surface's Apply; it shows a ValueError's message)."""
        # to 1e-4 (a 25th of a pixel): a link then holds the points exactly, in ~13 characters each
        points = [[round(float(x), 4), round(float(y), 4)] for x, y in points]
        self.config.update({"distribution": "drawing", "points": points})

    @staticmethod
    def compare(a: dict | None = None, b: dict | None = None, **shared):
        """Two experiments side by side on the same data and seed, trained in step: `shared` settings apply
        to both, `a` and `b` to one side each; the settings where they differ are highlighted. With none
        given, B's generator learns 10 times slower than A's. E.g. `GanLab.compare(b={"loss": "hinge"})`."""
        from ganlab_panel.pages.comparison import Comparison

        return Comparison(a=a, b=b, **shared)

    def __panel__(self):
        return page(self)

    # -- the loop ----------------------------------------------------------------------------------
    def _tick(self) -> None:
        if not self.slow_motion:
            super()._tick()
        elif time.monotonic() >= self._next_substep:
            substep = self.advance_substep()  # a flow's sampling sub-steps take part of the pace
            self._next_substep = time.monotonic() + self.pace * getattr(substep, "pace", 1.0)

    def _train_and_draw(self) -> None:
        start = time.perf_counter()
        done = self.trainer.train(self._loop.iterations(self._browser_behind()))
        trained = time.perf_counter()
        if not self._browser_behind():
            frame = self.frames.frame(self._metrics_due(self.trainer.flow is not None), live=True)
            self._show(frame, phase=self._alternating_phase())
        self._loop.fit(done, trained - start)
        if self.trainer.diverged:
            self.pause()

    def _frame_channels(self) -> list:
        return [self.channel]

    def _browser_behind(self) -> bool:
        return self._loop.browser_behind(self.channel.in_flight)

    def advance_substep(self) -> SubStep:
        """Slow motion's next sub-step now: highlight it, caption it, and at a phase's fifth sub-step
        update that network (kD discriminator or kG generator steps). A flow's: FlowPart.advance."""
        if self.trainer.flow is not None:
            return self.flow_part.advance()
        substep = self._slow.advance()
        if substep.performs_update:
            step = self.trainer.step_discriminator if substep.phase == "discriminator" else self.trainer.step_generator
            with contextlib.suppress(Diverged):
                for _ in range(getattr(self.config, f"k_{substep.phase}")):
                    step()
        if self._slow.finishes_iteration and not self.trainer.diverged:
            self.trainer.finish_iteration()
        self._show(self.trainer.frame(), substep=substep)
        if self.trainer.diverged:
            self.pause()
        return substep

    def _alternating_phase(self) -> str:
        since, phase = self._phase_mark
        first, second = self.overview.graph.PHASES  # a GAN's networks' phases, a flow's training and sampling
        if time.monotonic() - since >= PHASE_SECONDS or phase not in (first, second):
            phase = second if phase == first else first
            self._phase_mark = (time.monotonic(), phase)
        return phase

    def _step(self, action) -> None:
        self.pause()
        self._slow.reset()  # a slow-motion walk starts its next iteration afresh
        with contextlib.suppress(Diverged):  # the trainer keeps the message; the frame shows it
            action()
        self._show(self.trainer.frame())

    def _divergence_text(self) -> str:
        return f"**Training diverged.** {self.trainer.diverged}" if self.trainer.diverged else ""

    # -- drawing a frame ---------------------------------------------------------------------------
    def _show(self, frame: Frame, phase: str | None = None, substep: SubStep | None = None, past: bool = False) -> None:
        """Every view draws `frame`, inside one document hold so the browser gets one message. A live frame
        goes on the timeline; a `past` one (scrubbing) is only shown, and the charts keep the whole run."""
        show_model(self, frame, substep)  # the views are the frame's model's
        self.frame = frame
        if not past:
            self.rewind.record(frame, self.trainer.state)
        with pn.io.hold():
            sweeping = self.flow_part is not None and self.flow_part.sweeping  # a flow's t: as many frames
            self.channel.packing = (self.playing and not self.slow_motion) or sweeping
            self._frames_shown += 1
            self.charts.mark(frame.iteration if self.rewind.viewing is not None else None)
            skip_overview = self.channel.packing and self._frames_shown % OVERVIEW_EVERY
            for view in (self.overview, self.layered, self.charts, self.drawing):
                if not (view is self.charts and past) and not (view is self.overview and skip_overview):
                    view.update(frame)
            if substep is not None:
                self.overview.set_phase(substep.phase, substep)
                self.caption.object = f"<b>{substep.label}</b>: {substep.caption}"
            elif phase is not None:
                self.overview.set_phase(phase, None)
            self.channel.set_text(self.counter, counter_text(frame))
            self._update_rate()
            self._expire_notice()
            if frame.diverged:
                self._show_divergence()
            else:
                self._clear_divergence()
            if not self.playing:  # while playing the slider waits: a widget update per frame costs ~1 ms
                self.rewind.follow()
            self.channel.flush()
        self._loop.sent()

    def _new_run(self, message: str) -> None:
        """Networks rebuilt, reset or loaded: the timeline and slow motion's walk start afresh."""
        self.rewind.clear()
        self._reset_walks()
        self._notify(message)
        self._show(self.trainer.frame())

    def _adopt(self, state: TrainingState, message: str) -> None:
        """Continue from a checkpoint's state (FileActions: an upload, the shipped model)."""
        self.pause()
        self.trainer.restore(state)
        self._new_run(message)

    def _update_rate(self) -> None:
        now = time.monotonic()
        since, iteration = self._rate_mark
        if not self.playing or self.slow_motion:
            self.channel.set_text(self.rate, "slow motion" if self.playing else "paused")
            self._rate_mark = (now, self.trainer.iteration)
        elif now - since >= RATE_WINDOW_S:
            per_second = (self.trainer.iteration - iteration) / (now - since)
            self.channel.set_text(self.rate, f"{per_second:,.0f} iterations/s")
            self._rate_mark = (now, self.trainer.iteration)

    # -- reacting to changes -----------------------------------------------------------------------
    @param.depends("playing", watch=True)
    def _on_playing_page(self) -> None:
        if self.playing:
            self.timeline_bar.playing()
            self._next_substep = 0.0
            self._rate_mark = (time.monotonic(), self.trainer.iteration)
        else:
            self.rewind.follow()
            if not self.slow_motion:
                self.overview.set_phase(None)  # nothing is being trained
        self._update_rate()

    def _caught_up(self) -> None:
        self.channel.packing = False
        self.channel.commit()  # the models catch up with what the browser was shown
        shown = self.frame
        behind = shown is not None and self.rewind.viewing is None and not self.trainer.diverged
        behind = behind and shown.position != self.trainer.position
        if behind:  # ticks trained on without drawing while the browser caught up
            self._show(self.trainer.frame())
        elif shown is not None:
            self.overview.update(shown)  # it may be a frame behind

    def _reset_walks(self) -> None:
        self._slow.reset()
        if self.flow_part is not None:
            self.flow_part.reset()

    @param.depends("slow_motion", watch=True)
    def _on_slow_motion(self) -> None:
        self._reset_walks()
        self._next_substep = 0.0
        self.caption.visible = self.slow_motion
        self.caption.object = "Slow motion: press Play to walk through one iteration, sub-step by sub-step."
        if not self.slow_motion:
            self.overview.set_phase(None, None)

    def _on_config(self, *events) -> None:
        for event in events:
            self.settings.follow(event.name, event.new)
        if self.flow_part is not None:
            self.flow_part.on_config({e.name for e in events})
        if "distribution" in {e.name for e in events} and self.config.distribution in self.picker.param.value.objects:
            self._following_config = True  # the picker shows the change; it must not load a preset over it
            try:
                self.picker.value = self.config.distribution
            finally:
                self._following_config = False

    def _on_rebuilt(self) -> None:
        if self.config.model != self.shown_model:  # a new model: its own views, which start paused
            self.pause()
        self._new_run("Networks rebuilt: iteration 0")  # a caller that loaded a model says so after
