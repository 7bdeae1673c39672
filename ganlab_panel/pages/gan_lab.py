"""The GAN Lab app: a toolbar, the settings, the views, and the loop that trains and draws.

`GanLab()` is one experiment for one browser session (or one notebook cell): it owns a GanConfig and a
Trainer, turns widget changes into configuration updates, and drives training from ONE periodic callback
that runs several iterations per tick and then draws one frame. Paused, the callback is stopped.

    panel serve ganlab_panel/app.py      # a website, one GanLab per browser tab
    GanLab()                             # inline in a notebook
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import deque
from typing import NamedTuple

import panel as pn
import param
from bokeh.models import Div

from ganlab_panel.core import distributions, presets
from ganlab_panel.core.config import EFFECTS, Effect, GanConfig
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.slow_motion import PACE_SECONDS, SlowMotion, SubStep
from ganlab_panel.core.timeline import Timeline
from ganlab_panel.core.trainer import Diverged, Trainer
from ganlab_panel.files import checkpoints, exports
from ganlab_panel.files.csv_points import load_csv_points
from ganlab_panel.pages.page_layout import page
from ganlab_panel.serving.pacing import METRICS_PERIOD_S
from ganlab_panel.serving.page_hooks import SpaceKey
from ganlab_panel.serving.play_loop import PlayLoop
from ganlab_panel.serving.url_state import UrlState
from ganlab_panel.views.actions import held, on_click
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.distribution_picker import DistributionPicker
from ganlab_panel.views.downloads import Downloads
from ganlab_panel.views.drawing import DrawingSurface
from ganlab_panel.views.frame_channel import FrameChannel
from ganlab_panel.views.layered import LAYERS, LayeredView
from ganlab_panel.views.overview import OverviewView
from ganlab_panel.views.settings import SETTING_GROUPS, setting_widget, show_value
from ganlab_panel.views.timeline_bar import TimelineBar

RATE_WINDOW_S = 0.5
"""How often the iterations-per-second readout is recomputed."""
NOTICE_SECONDS = 4.0
"""How long a notice (e.g. 'Networks rebuilt') stays up while training runs."""
PHASE_SECONDS = 0.6
"""While playing normally, the overview alternates its highlighted phase this often."""
WGAN_GP_MAX_RATE = {"sgd": 0.01, "adam": 0.001}
"""Choosing WGAN-GP in the page lowers larger learning rates to these (measured: 2,000 iterations on each of
GAN Lab's presets without divergence; at SGD 0.1 it diverges within 2)."""
OVERVIEW_EVERY = 2
"""While playing, the overview's small live plots are redrawn every this many frames: its canvas is the
costliest to paint (headless Chromium: 20-22 frames/s with it at every frame, 24 without it)."""


class TickCost(NamedTuple):
    """What one drawn tick cost: wall seconds training, making the frame and showing it (views, Bokeh's
    serialisation and websocket writes), then the frame's and the showing's CPU seconds."""

    train_s: float
    frame_s: float
    show_s: float
    frame_cpu_s: float
    show_cpu_s: float


class GanLab(pn.viewable.Viewer):
    """GAN Lab in Panel: train a GAN on 2-D points and watch every part of it learn."""

    config = param.ClassSelector(class_=GanConfig, constant=True, doc="The experiment's settings.")
    playing = param.Boolean(default=False, doc="Whether training runs.")
    slow_motion = param.Boolean(default=False, doc="Walk through each iteration's ten sub-steps.")
    pace = param.Number(default=PACE_SECONDS, bounds=(0.1, 10), doc="Seconds per slow-motion sub-step.")
    pretrained = param.Boolean(
        default=True, doc="Open on the shipped model of the default distribution, as GAN Lab does (no config given)."
    )
    iterations_per_frame = param.Integer(
        default=25, bounds=(1, 500), doc="Iterations trained between two frames (fewer if a tick runs late)."
    )

    def __init__(self, config: GanConfig | None = None, **params):
        super().__init__(config=config if config is not None else GanConfig(), **params)
        self.trainer = Trainer(self.config)
        self._slow = SlowMotion(self.config, self.pace)
        self._next_substep = 0.0
        self._rate_mark = (time.monotonic(), self.trainer.iteration)
        self._phase_mark = (time.monotonic(), "discriminator")
        self._notice_until = math.inf
        self._metrics_at = -math.inf
        self._following_config = False
        self._frames_shown = 0
        self.costs: deque[TickCost] = deque(maxlen=500)  # the latest drawn ticks, for benchmarks/frames.py
        self.frame: Frame | None = None
        self.timeline = Timeline()  # the frames of this run, and states to resume from
        self._viewing: int | None = None  # the timeline's frame shown while scrubbing; None: the latest

        self._build_widgets()
        self._build_views()
        self._loop = PlayLoop(self, self._tick, "training", self._error, channels=[self.channel])
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
        if self.trainer.diverged:
            self._show_divergence()
            return
        if self._viewing is not None:  # scrubbed back: training goes on from the latest frame, not from there
            self._show(self.trainer.frame())
            self._notify("Back to the latest frame (Resume from here would have continued from the past one)")
        self.playing = True

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def reset(self) -> None:
        """New networks from the seed, iteration 0; recovers from divergence."""
        self.trainer.reset()
        self._new_run()
        self._notify("Networks reset: iteration 0")
        self._show(self.trainer.frame())

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
        distribution = self.picker.value
        try:
            path = checkpoints.pretrained_path(distribution)
        except ValueError:
            info = distributions.REGISTRY[distribution]
            what = "a drawn distribution" if info.needs_points else f"'{info.title}'"
            self._error(f"There is no pretrained model for {what}: train one with Play.")
            return
        try:
            checkpoint = checkpoints.load(path)
        except ValueError as error:
            self._error(f"The pretrained model could not be loaded: {error}")
            return
        self._adopt(checkpoint, f"Pretrained model loaded: iteration {checkpoint.iteration}")

    def load_checkpoint(self, data: bytes, filename: str | None = None) -> None:
        """Continue from an uploaded checkpoint (its settings, weights and iteration); a bad file changes
        nothing and the message says what is wrong with it."""
        name = f" {filename}" if filename else ""
        try:
            checkpoint = checkpoints.load(bytes(data))
        except ValueError as error:
            self._error(f"Not loaded{name}: {error}")
            return
        self._adopt(checkpoint, f"Loaded{name}: iteration {checkpoint.iteration:,}; Play continues from it")

    def _adopt(self, checkpoint: checkpoints.Checkpoint, message: str) -> None:
        self.pause()
        self.trainer.load(checkpoint.config, checkpoint.weights, checkpoint.iteration)
        self._new_run()
        self._notify(message)
        self._show(self.trainer.frame())

    def resume(self) -> None:
        """Continue training from the state kept at or before the frame shown while scrubbing: the frames
        after it are dropped, and training takes exactly the course it took from there."""
        if self._viewing is None:
            return
        found = self.timeline.state_at_or_before(self._viewing)
        if found is None:
            self._error("There is no resume point at or before this frame.")
            return
        index, state = found
        self.pause()
        self.trainer.restore(state)
        self.timeline.truncate(index)
        self._slow.reset()
        self.charts.reload(self.trainer.history)
        self._notify(f"Resumed from iteration {self.trainer.iteration:,}: the later frames are gone; Play goes on")
        self._show(self.trainer.frame())

    def export(self, kind: str) -> tuple[bytes | str, str] | None:
        """The data and file name of a download (downloads.DOWNLOADS), or None after saying why there is none.
        The model is the latest one; the picture is what the layered view shows (a past frame while scrubbing)."""
        layers = [toggle for toggle in LAYERS if getattr(self.layered, toggle)]
        iteration = self.trainer.iteration if kind in ("checkpoint", "history") else self.frame.iteration
        try:
            if kind == "checkpoint":
                if self.trainer.diverged:
                    raise ValueError("training diverged, so the model's weights are not worth saving; press Reset")
                data = exports.checkpoint_bytes(self.config, self.trainer.engine.get_weights(), self.trainer.iteration)
            elif kind == "config":
                data = exports.config_json(self.config)
            elif kind == "history":
                data = exports.history_csv(self.trainer.history)
            elif kind == "png":
                data = exports.png_bytes(self.frame, layers)
            elif kind == "gif":
                data = exports.gif_bytes(self.timeline.frames(), layers)
            else:
                raise ValueError(f"unknown download {kind!r}")
        except ValueError as error:
            self._error(f"Nothing to download: {error}")
            return None
        return data, exports.filename(kind, self.config, iteration)

    def load_csv(self, data: bytes | str, filename: str | None = None) -> None:
        """Learn the points of a CSV file (x, y columns, rescaled into the view); a bad file changes
        nothing and the message names its bad lines."""
        if not data:
            return
        name = f" {filename}" if filename else ""
        try:
            points = load_csv_points(data)
            self.config.update({"distribution": "points", "points": points.tolist()})
        except ValueError as error:
            self._error(f"Not loaded{name}: {error}")
            return
        self._notify(f"Loaded {len(points):,} points from{name or ' the file'}: iteration 0")

    def apply_drawing(self, points) -> None:
        """Train on drawn points (the drawing surface's Apply; it shows a ValueError's message)."""
        # to 1e-4 (a 25th of a pixel): a link then holds the points exactly, in ~13 characters each
        self.config.update(
            {"distribution": "drawing", "points": [[round(float(x), 4), round(float(y), 4)] for x, y in points]}
        )

    @property
    def served(self) -> bool:
        """Whether this app is a served page (not a notebook cell or a test)."""
        return self._loop.served

    @property
    def running(self) -> bool:
        """Whether the periodic callback is scheduled (it is exactly while playing)."""
        return self._loop.running

    # -- the loop ----------------------------------------------------------------------------------
    def tick(self) -> None:
        """One tick of the loop: k iterations (or one slow-motion sub-step), then one frame."""
        self._loop.tick()

    def _tick(self) -> None:
        if self.slow_motion:
            self._slow_tick()
        else:
            self._loop.share_server()
            self._train_and_draw()

    def _train_and_draw(self) -> None:
        k = self._loop.iterations()
        start = time.perf_counter()
        done = self.trainer.train(k)
        trained = time.perf_counter()
        if self._browser_behind():
            self._loop.fit(done, trained - start, 0.0)
            return
        cpu = time.thread_time()
        with_metrics = time.monotonic() - self._metrics_at >= METRICS_PERIOD_S
        frame = self.trainer.frame(with_metrics)
        if with_metrics:
            self._metrics_at = time.monotonic()
        framed, framed_cpu = time.perf_counter(), time.thread_time()
        self._show(frame, phase=self._alternating_phase())
        drawn = time.perf_counter()
        shown_cpu = time.thread_time() - framed_cpu
        self.costs.append(TickCost(trained - start, framed - trained, drawn - framed, framed_cpu - cpu, shown_cpu))
        self._loop.fit(done, trained - start, drawn - trained)
        if self.trainer.diverged:
            self.pause()

    def _browser_behind(self) -> bool:
        return self._loop.browser_behind(self.channel.in_flight)

    def _slow_tick(self) -> None:
        now = time.monotonic()
        if now >= self._next_substep:
            self._next_substep = now + self.pace
            self.advance_substep()

    def advance_substep(self) -> SubStep:
        """Slow motion's next sub-step now: highlight it, caption it, and at a phase's fifth sub-step
        update that network (kD discriminator or kG generator steps)."""
        substep = self._slow.advance()
        if substep.performs_update:
            self._update_network(substep.phase)
        if self._slow.finishes_iteration and not self.trainer.diverged:
            self.trainer.finish_iteration()
        self._show(self.trainer.frame(), substep=substep)
        if self.trainer.diverged:
            self.pause()
        return substep

    def _update_network(self, phase: str) -> None:
        step = self.trainer.step_discriminator if phase == "discriminator" else self.trainer.step_generator
        with contextlib.suppress(Diverged):
            for _ in range(getattr(self.config, f"k_{phase}")):
                step()

    def _alternating_phase(self) -> str:
        now = time.monotonic()
        since, phase = self._phase_mark
        if now - since >= PHASE_SECONDS:
            phase = "generator" if phase == "discriminator" else "discriminator"
            self._phase_mark = (now, phase)
        return phase

    def _step(self, action) -> None:
        self.pause()
        self._slow.reset()  # a slow-motion walk starts its next iteration afresh
        with contextlib.suppress(Diverged):  # the trainer keeps the message; the frame shows it
            action()
        self._show(self.trainer.frame())

    # -- drawing a frame ---------------------------------------------------------------------------
    def _show(self, frame: Frame, phase: str | None = None, substep: SubStep | None = None, past: bool = False) -> None:
        """Every view draws `frame`, inside one document hold so the browser gets one message. A live frame
        goes on the timeline; a `past` one (scrubbing) is only shown, and the charts keep the whole run."""
        self.frame = frame
        if not past:
            self._viewing = None
            if frame.diverged is None:
                self.timeline.record(frame, self.trainer.state)
        with pn.io.hold():
            self.channel.packing = self.playing and not self.slow_motion
            self._frames_shown += 1
            self.charts.mark(frame.iteration if self._viewing is not None else None)
            for view in self._views:
                if view is self.charts and past:
                    continue
                if view is not self.overview or not self.channel.packing or self._frames_shown % OVERVIEW_EVERY == 0:
                    view.update(frame)
            if substep is not None:
                self.overview.set_phase(substep.phase, substep)
                self.caption.object = f"<b>{substep.label}</b>: {substep.caption}"
            elif phase is not None:
                self.overview.set_phase(phase, None)
            self.channel.set_text(
                self.counter,
                f"Iteration {frame.iteration} (discriminator steps {frame.discriminator_steps}, "
                f"generator steps {frame.generator_steps})",
            )
            self._update_rate()
            if time.monotonic() > self._notice_until:
                self.notice.visible = False
                self._notice_until = math.inf
            if frame.diverged:
                self._show_divergence()
            elif self.divergence.visible:
                self.divergence.visible = False
            if not self.playing:  # while playing the slider waits: a widget update per frame costs ~1 ms
                self.timeline_bar.follow(self.timeline, self._viewing)
            self.channel.flush()
        self._loop.sent()

    def _frame_behind(self) -> bool:
        """Whether the frame shown is older than the trainer (not while scrubbing: that frame is chosen)."""
        t, shown = self.trainer, self.frame
        if shown is None or self._viewing is not None or t.diverged:
            return False
        return (shown.iteration, shown.discriminator_steps, shown.generator_steps) != (
            t.iteration,
            t.discriminator_steps,
            t.generator_steps,
        )

    def _scrub(self, index: int) -> None:
        """Show the timeline's frame `index` (paused only); its last frame is the latest, live one."""
        if self.playing or not len(self.timeline):
            return
        index = min(index, len(self.timeline) - 1)
        self._viewing = None if index == len(self.timeline) - 1 else index
        self._show(self.timeline.frame(index), past=True)

    def _new_run(self) -> None:
        """Networks rebuilt, reset or loaded: the timeline and slow motion's walk start afresh."""
        self.timeline.clear()
        self._viewing = None
        self._slow.reset()

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

    def _show_divergence(self) -> None:
        self.divergence.object = f"**Training diverged.** {self.trainer.diverged}"
        self.divergence.visible = True

    def _notify(self, text: str) -> None:
        self.notice.object = text
        self.notice.alert_type = "info"
        self.notice.visible = True
        self._notice_until = time.monotonic() + NOTICE_SECONDS if self.playing else math.inf

    def _error(self, text: str) -> None:
        self.notice.object = text
        self.notice.alert_type = "warning"
        self.notice.visible = True
        self._notice_until = math.inf

    # -- reacting to changes -----------------------------------------------------------------------
    @param.depends("playing", watch=True)
    def _on_playing(self) -> None:
        if self.playing:
            self.timeline_bar.playing()
        else:
            self.timeline_bar.follow(self.timeline, self._viewing)
        self.play_button.label = "Pause" if self.playing else "Play"
        self.play_button.color = "warning" if self.playing else "primary"
        if self.playing and not self._loop.running:
            self._next_substep = 0.0
            self._rate_mark = (time.monotonic(), self.trainer.iteration)
        if self.playing:
            self._loop.start()
        else:
            self._loop.stop()
        if not self.playing:
            with pn.io.hold():  # the models catch up with what the browser was shown
                self.channel.packing = False
                self.channel.commit()
                if self._frame_behind():  # ticks trained on without drawing while the browser caught up
                    self._show(self.trainer.frame())
                elif self.frame is not None:
                    self.overview.update(self.frame)  # it may be a frame behind
        if not self.playing and not self.slow_motion:
            self.overview.set_phase(None)  # nothing is being trained
        self._update_rate()
        if self._notice_until is math.inf and self.notice.alert_type == "info" and self.playing:
            self._notice_until = time.monotonic() + NOTICE_SECONDS

    @param.depends("slow_motion", watch=True)
    def _on_slow_motion(self) -> None:
        self._slow.reset()
        self._next_substep = 0.0
        self.caption.visible = self.slow_motion
        self.caption.object = "Slow motion: press Play to walk through one iteration, sub-step by sub-step."
        if not self.slow_motion:
            self.overview.set_phase(None, None)

    @param.depends("pace", watch=True)
    def _on_pace(self) -> None:
        self._slow.pace = self.pace

    def _on_config(self, *events) -> None:
        for event in events:
            widget = self._setting_widgets.get(event.name)
            if widget is not None:
                show_value(widget, event.name, event.new)
        names = {e.name for e in events}
        if "distribution" in names and self.config.distribution in self.picker.param.value.objects:
            self._following_config = True  # the picker shows the change; it must not load a preset over it
            try:
                self.picker.value = self.config.distribution
            finally:
                self._following_config = False
        if any(EFFECTS[n] is Effect.REBUILD for n in names):
            self._new_run()
            self._notify("Networks rebuilt: iteration 0")  # a caller that loaded a model says so after
            self._show(self.trainer.frame())

    def _on_setting(self, event) -> None:
        name = event.obj._setting
        if getattr(self.config, name) == event.new:
            return
        settings = {name: event.new}
        if name == "loss" and event.new == "wgan_gp":
            settings.update(self._wgan_gp_rates())
        try:
            self.config.update(settings)
        except ValueError as error:
            self._error(f"Not changed: {error}")
            event.obj.value = getattr(self.config, name)
            return
        if len(settings) > 1:
            rates = ", ".join(f"{k.split('_')[0]} {v:g}" for k, v in settings.items() if k != name)
            self._notify(f"WGAN-GP: learning rates lowered ({rates}); larger steps make its critic blow up")

    def _wgan_gp_rates(self) -> dict:
        """Learning rates a WGAN-GP can train with, where the current ones are larger: its gradient penalty
        (at the paper's lambda 10) multiplies the critic's steps, and at GAN Lab's SGD 0.1 it diverges within 2
        iterations."""
        lowered = {}
        for net in ("generator", "discriminator"):
            limit = WGAN_GP_MAX_RATE[getattr(self.config, f"{net}_optimizer")]
            if getattr(self.config, f"{net}_learning_rate") > limit:
                lowered[f"{net}_learning_rate"] = limit
        return lowered

    def _on_distribution(self, event) -> None:
        choice = event.new
        self._drawing_box.visible = choice == "drawing"
        # points come with Apply or a file, never from a button alone; a change made in the settings keeps them
        if choice in ("drawing", "points") or self._following_config:
            return
        settings = presets.preset(choice)
        unchanged = all(getattr(self.config, k) == v for k, v in settings.items())
        try:
            self.config.update(settings)
        except ValueError as error:
            self._error(str(error))
            return
        if unchanged:  # chosen again: start it anew, as GAN Lab reloads the distribution
            self.reset()

    # -- layout ------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.play_button = pn.widgets.Button(label="Play", color="primary", width=90, css_classes=["play"])
        on_click(self.play_button, self.toggle)
        self.reset_button = pn.widgets.Button(label="Reset", width=80, css_classes=["reset"])
        on_click(self.reset_button, self.reset)
        self.step_buttons = {}
        for label, action in (
            ("Generator", self.step_generator),
            ("Discriminator", self.step_discriminator),
            ("Both", self.step_both),
        ):
            button = pn.widgets.Button(
                label=label, width=110 if label == "Discriminator" else 95, css_classes=[f"step-{label.lower()}"]
            )
            on_click(button, action)
            self.step_buttons[label] = button
        self.slow_toggle = pn.widgets.Toggle.from_param(
            self.param.slow_motion, label="Slow motion", width=110, css_classes=["slow-motion"]
        )
        self.pace_slider = pn.widgets.FloatSlider.from_param(
            self.param.pace, label="Pace (s per sub-step)", start=0.25, end=5, step=0.25, width=160
        )
        self.speed_slider = pn.widgets.IntSlider.from_param(
            self.param.iterations_per_frame, label="Iterations per frame", start=1, end=200, width=180
        )
        # Bokeh Divs rather than Panel widgets: the counter changes every frame, and the frame channel
        # ships a Div's text with the frame's data (a Panel widget update cost ~1 ms of server CPU);
        # fixed widths, because the text is written into the page without a new layout
        self.counter = Div(text="Iteration 0", css_classes=["iteration-counter"], width=440)
        self.rate = Div(text="paused", css_classes=["iterations-per-second"], width=150)
        self.space_key = SpaceKey(width=0, height=0, margin=0)
        self.space_key.param.watch(lambda _: self.toggle(), "presses")
        self.notice = pn.pane.Alert("", alert_type="info", visible=False, css_classes=["notice"], margin=(0, 10))
        self.divergence = pn.pane.Alert(
            "", alert_type="danger", visible=False, css_classes=["divergence"], margin=(0, 10)
        )
        self.caption = pn.pane.HTML(
            "",
            visible=False,
            css_classes=["slow-motion-caption"],
            name="slow-motion-caption",
            styles={"font-size": "15px", "background": "#eef4fa", "border-radius": "4px", "padding": "2px 10px"},
            sizing_mode="stretch_width",
            margin=(0, 10),
        )
        self.csv_input = pn.widgets.FileInput(accept=".csv,.txt", css_classes=["load-csv"], width=230, margin=(5, 10))
        self.csv_input.param.watch(lambda event: self.load_csv(event.new, self.csv_input.filename), "value")
        self.pretrained_button = pn.widgets.Button(
            label="Use pretrained model", css_classes=["use-pretrained"], width=200, margin=(40, 10, 5, 10)
        )
        on_click(self.pretrained_button, self.load_pretrained)
        self.timeline_bar = TimelineBar(on_scrub=held(self._scrub), on_resume=held(self.resume))
        self.downloads = Downloads(export=self.export, on_upload=held(self.load_checkpoint))

        self._setting_widgets = {}
        for names in SETTING_GROUPS.values():
            for name in names:
                widget = setting_widget(self.config, name)
                widget._setting = name
                widget.param.watch(self._on_setting, "value")
                self._setting_widgets[name] = widget

    def _build_views(self) -> None:
        self.picker = DistributionPicker(value=self.config.distribution)
        self.picker.param.watch(self._on_distribution, "value")
        self.drawing = DrawingSurface(on_apply=self.apply_drawing)
        self._drawing_box = pn.Column(self.drawing, visible=self.config.distribution == "drawing")
        self.channel = FrameChannel()
        self.overview = OverviewView(channel=self.channel)
        self.layered = LayeredView(channel=self.channel)
        self.charts = ChartsView(channel=self.channel)
        self.channel.attach(self.layered.figure)
        self._views = (self.overview, self.layered, self.charts, self.drawing)

    @staticmethod
    def compare(a: dict | None = None, b: dict | None = None, **shared):
        """Two experiments side by side on the same data and seed, trained in step: `shared` settings apply
        to both, `a` and `b` to one side each; the settings where they differ are highlighted. With none
        given, B's generator learns 10 times slower than A's. E.g. `GanLab.compare(b={"loss": "hinge"})`."""
        from ganlab_panel.pages.comparison import Comparison

        return Comparison(a=a, b=b, **shared)

    def __panel__(self):
        return page(self)
