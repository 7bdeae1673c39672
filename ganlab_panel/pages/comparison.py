"""Compare mode: two experiments trained side by side on the same data and seed, in step.

`Comparison(a=..., b=..., **shared)` holds two sides, A and B. The shared settings (the distribution and its
points, the seed) are chosen once for both; every other setting each side chooses for itself, and the
settings where they differ are listed and highlighted. ONE periodic callback trains both sides the same
number of iterations per tick and draws both frames in one document hold, so their views and curves
stay in step.

    panel serve ganlab_panel/compare.py      # a website at /compare
    GanLab.compare(b={"loss": "least_squares"})   # inline in a notebook
"""

from __future__ import annotations

import time

import panel as pn
import param

from ganlab_panel.core import distributions
from ganlab_panel.core.config import EFFECTS, Effect, GanConfig, check
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.pages.compare_layout import compare_page
from ganlab_panel.pages.compare_side import HIGHLIGHT, SHARED_SETTINGS, Side, differences, differences_html
from ganlab_panel.serving.pacing import METRICS_PERIOD_S
from ganlab_panel.serving.play_loop import PlayLoop
from ganlab_panel.views.actions import on_click
from ganlab_panel.views.distribution_picker import CHOICES
from ganlab_panel.views.settings import setting_widget


def default_difference(a: GanConfig) -> dict:
    """B's setting when none is given: the generator learning 10 times slower than A's. At GAN Lab's default
    rates (0.1 both) the generator overshoots the gaussians: KL 3.5 after 1,000 iterations against 1.2."""
    return {"generator_learning_rate": float(f"{a.generator_learning_rate / 10:.3g}")}


def _own(label: str, settings: dict | None) -> dict:
    """A side's own settings; a shared one would give the two sides different data or seeds."""
    if settings is not None and not isinstance(settings, dict):
        raise ValueError(f"{label.lower()} must be a dict of setting names to values, not {type(settings).__name__}")
    settings = dict(settings or {})
    shared = [name for name in settings if name in SHARED_SETTINGS]
    if shared:
        name = shared[0]
        raise ValueError(f"{name} is shared by both sides: give it once, as {name}=..., not in {label.lower()}")
    return settings


class Comparison(pn.viewable.Viewer):
    """Two GAN experiments, A and B, trained side by side on the same data and seed."""

    playing = param.Boolean(default=False, doc="Whether both sides train.")
    iterations_per_frame = param.Integer(
        default=25, bounds=(1, 500), doc="Iterations each side trains between two frames (fewer if a tick runs late)."
    )

    def __init__(self, a: dict | None = None, b: dict | None = None, **shared):
        own = {"A": _own("A", a), "B": _own("B", b)}
        configs = {}
        for label, settings in own.items():
            configs[label] = GanConfig(**shared)  # a bad value raises ValueError naming the setting
            configs[label].update(settings)
        if a is None and b is None:
            configs["B"].update(default_difference(configs["A"]))
        super().__init__()
        self.a, self.b = (Side(n, configs[n], Trainer(configs[n]), self._on_widget) for n in ("A", "B"))
        self.sides = (self.a, self.b)
        self._metrics_at = -float("inf")
        self._layout: pn.Column | None = None
        self._build_widgets()
        self._loop = PlayLoop(
            self, self._train_and_draw, "comparison", self._error, channels=[side.channel for side in self.sides]
        )
        for side in self.sides:
            side.config.param.watch(lambda *events, side=side: self._on_config(side, events), list(EFFECTS))
        self._compare()
        self._show()

    # -- public controls ---------------------------------------------------------------------------
    def play(self) -> None:
        if self._diverged():
            self._show_divergence()
            return
        self.playing = True

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def reset(self) -> None:
        """New networks for both sides from the seed, iteration 0; recovers from divergence."""
        for side in self.sides:
            side.trainer.reset()
        self._notify("Both sides reset: iteration 0")
        self._show()

    def step(self) -> None:
        """Exactly one iteration of each side, then one frame of each."""
        self.pause()
        for side in self.sides:
            side.trainer.train(1)
        self._show()
        self._stop_if_diverged()

    def update(self, a: dict | None = None, b: dict | None = None, **shared) -> None:
        """Change settings: `shared` ones on both sides, `a` and `b` on one. Every value is checked first:
        a bad one raises ValueError naming it, and nothing changes."""
        changes = {self.a: {**shared, **_own("A", a)}, self.b: {**shared, **_own("B", b)}}
        for side, values in changes.items():
            check(values, current=side.config)
        with pn.io.hold():
            for side, values in changes.items():
                if values:
                    side.config.update(values)

    @property
    def running(self) -> bool:
        return self._loop.running

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(setting, A's value, B's value) for each setting where the sides differ."""
        return differences(self.a.config, self.b.config)

    # -- the loop ----------------------------------------------------------------------------------
    def tick(self) -> None:
        """One tick: k iterations of each side, then one frame of each."""
        self._loop.tick()

    def _train_and_draw(self) -> None:
        self._loop.share_server()
        k = self._loop.iterations()
        start = time.perf_counter()
        for side in self.sides:
            side.trainer.train(k)
        trained = time.perf_counter()
        if not self._browser_behind():
            with_metrics = time.monotonic() - self._metrics_at >= METRICS_PERIOD_S
            if with_metrics:
                self._metrics_at = time.monotonic()
            self._show(with_metrics)
        self._loop.fit(k, trained - start, time.perf_counter() - trained)
        self._stop_if_diverged()

    def _browser_behind(self) -> bool:
        return self._loop.browser_behind(max(side.channel.in_flight for side in self.sides))

    def _diverged(self) -> list[Side]:
        return [side for side in self.sides if side.trainer.diverged]

    def _stop_if_diverged(self) -> None:
        if self._diverged():
            self.pause()
            self._show_divergence()

    # -- drawing -----------------------------------------------------------------------------------
    def _show(self, with_metrics: bool = True) -> None:
        """Both sides draw their current frame, in one document hold: the browser gets one message."""
        frames = [side.trainer.frame(with_metrics) for side in self.sides]
        packing = self.playing
        with pn.io.hold():
            for side, frame in zip(self.sides, frames, strict=True):
                side.show(frame, packing)
            if not self._diverged() and self.divergence.visible:
                self.divergence.visible = False
        self._loop.sent()

    def _show_divergence(self) -> None:
        self.divergence.object = (
            " ".join(f"**{side.label} diverged:** {side.trainer.diverged}" for side in self._diverged())
            + " Both sides are paused."
        )
        self.divergence.visible = True

    def _notify(self, text: str, alert_type: str = "info") -> None:
        self.notice.param.update(object=text, alert_type=alert_type, visible=True)

    def _error(self, text: str) -> None:
        self._notify(text, "warning")

    def _compare(self) -> None:
        """List the settings where A and B differ, and highlight their widgets on both sides."""
        rows = self.differences
        self.differences_pane.object = differences_html(rows)
        names = {n for n in self.a.widgets if getattr(self.a.config, n) != getattr(self.b.config, n)}
        for side in self.sides:
            side.highlight(names)

    # -- reacting to changes -----------------------------------------------------------------------
    @param.depends("playing", watch=True)
    def _on_playing(self) -> None:
        self.play_button.param.update(
            label="Pause" if self.playing else "Play", color="warning" if self.playing else "primary"
        )
        if self.playing and self.notice.alert_type == "info":
            self.notice.visible = False  # an earlier 'reset' or 'rebuilt' no longer describes what runs
        if self.playing:
            self._loop.start()
        else:
            self._loop.stop()
            with pn.io.hold():  # the models catch up with what the browser was shown
                for side in self.sides:
                    side.commit()
                # ticks train on without drawing while the browser catches up: show where training is
                if any(side.frame is None or side.frame.iteration != side.trainer.iteration for side in self.sides):
                    self._show()

    def _on_config(self, side: Side, events) -> None:
        names = {event.name for event in events}
        for event in events:
            side.follow(event.name, event.new)
            if event.name in self.shared_widgets and side is self.a:
                self.shared_widgets[event.name].value = event.new
        if any(EFFECTS[n] is Effect.REBUILD for n in names):
            # the other side restarts too, so that both stay at the same iteration
            other = self.b if side is self.a else self.a
            if other.trainer.iteration or other.trainer.discriminator_steps or other.trainer.generator_steps:
                other.trainer.reset()
            self._notify("Networks rebuilt: both sides restarted at iteration 0")
            self._show()
        self._compare()

    def _on_widget(self, event, side: Side | None = None) -> None:
        """A setting widget of `side`, or a shared one (no side), changed: apply it, or say why not and undo."""
        name, config = event.obj._setting, (side or self.a).config
        if getattr(config, name) == event.new:
            return  # the widget follows the configuration
        try:
            self.update(**({side.label.lower(): {name: event.new}} if side else {name: event.new}))
        except ValueError as error:
            self._error(f"Not changed: {error}")
            event.obj.value = getattr(config, name)

    # -- layout ------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.play_button = pn.widgets.Button(label="Play", color="primary", width=90, css_classes=["play"])
        on_click(self.play_button, self.toggle)
        self.reset_button = pn.widgets.Button(label="Reset", width=80, css_classes=["reset"])
        on_click(self.reset_button, self.reset)
        self.step_button = pn.widgets.Button(label="Step", width=80, css_classes=["step"])
        on_click(self.step_button, self.step)
        self.speed_slider = pn.widgets.IntSlider.from_param(
            self.param.iterations_per_frame, label="Iterations per frame", start=1, end=200, width=180
        )
        self.notice = pn.pane.Alert("", alert_type="info", visible=False, css_classes=["notice"], margin=(0, 10))
        self.divergence = pn.pane.Alert(
            "", alert_type="danger", visible=False, css_classes=["divergence"], margin=(0, 10)
        )
        self.differences_pane = pn.pane.HTML(
            "", css_classes=["differences"], styles={**HIGHLIGHT, "padding": "4px 8px"}, margin=(0, 10)
        )
        config = self.a.config
        titles = distributions.titles()
        shown = [n for n in CHOICES if not distributions.REGISTRY[n].needs_points]
        if config.distribution not in shown:  # drawn or loaded points, given to the constructor
            shown.append(config.distribution)
        distribution = pn.widgets.Select(
            label="Data distribution (both sides)",
            options={titles[n]: n for n in shown},
            value=config.distribution,
            css_classes=["setting-distribution"],
            width=220,
        )
        seed = setting_widget(config, "seed")
        seed.param.update(label="Random seed (both sides)", sizing_mode=None, width=160)
        self.shared_widgets = {"distribution": distribution, "seed": seed}
        for name, widget in self.shared_widgets.items():
            widget._setting = name
            widget.param.watch(self._on_widget, "value")

    def __panel__(self):
        if self._layout is None:
            self._layout = compare_page(self)
        return self._layout
