"""What the GAN Lab page and compare mode share: Play/Pause and Reset, the speed, notices and the divergence
alert, the play loop, when to compute KL/JS, the counter's text, and setting widgets bound to a config."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

import panel as pn
import param

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.engines.losses import lookup, lowered_learning_rates
from ganlab_panel.serving.pacing import metrics_period_s
from ganlab_panel.serving.play_loop import PlayLoop
from ganlab_panel.serving.sessions import playing_count
from ganlab_panel.views.actions import held, on_click
from ganlab_panel.views.settings import setting_widget, show_value

NOTICE_SECONDS = 4.0
"""How long an information notice (e.g. 'Networks rebuilt') stays up once training runs."""
TOAST_SECONDS = {"info": 8.0, "warning": 20.0}
"""How long a notice stays up on a served page while nothing runs: a toast, not a banner (the divergence alert
stays until acted upon)."""
FLOW_METRICS_PERIOD_S = 3.0
"""While a flow plays, its KL and JS come at most this often: 10,000 samples carried by the ODE cost ~150 ms
(docs/flow-matching.md), a GAN's ~3 ms; every 1.5 s, the stalls halved the frames drawn (10 frames/s against 16)."""
REDRAWN_BY = frozenset({"flow_time", "flow_heatmap", "flow_steps", "flow_method", "flow_source"})
"""The settings that change what a paused flow's frame shows (the others rebuild it, or only change training)."""
DENSITY_PERIOD_S = 0.5
"""While a flow plays (or its t sweeps), its density heatmap is made anew at most this often: ~20-30 ms at
30 x 30 cells, three times the rest of its frame. The frames between carry the last one."""


def counter_text(frame: Frame | FlowFrame) -> str:
    if isinstance(frame, FlowFrame):
        return f"Iteration {frame.iteration} (flow matching, shown at t = {frame.time:.2f})"
    return (
        f"Iteration {frame.iteration} (discriminator steps {frame.discriminator_steps}, "
        f"generator steps {frame.generator_steps})"
    )


class LiveFrames:
    """A trainer's frames for a page: while something plays (`live`), a flow's density heatmap only every
    DENSITY_PERIOD_S, the frames between carrying the last one; otherwise the trainer's own frames."""

    def __init__(self, trainer):
        self.trainer = trainer
        self._kept: tuple | None = None  # (flow_heatmap, log_density, speed) of the last frame that made them
        self._at = -math.inf

    def frame(self, with_metrics: bool = True, live: bool = False) -> Frame | FlowFrame:
        trainer = self.trainer
        if trainer.flow is None:
            return trainer.frame(with_metrics)
        kind, now, kept = trainer.config.flow_heatmap, time.monotonic(), self._kept
        # the speed costs 0.4 ms: only the density waits
        fresh = not live or kind != "density" or kept is None or kept[0] != kind or now - self._at >= DENSITY_PERIOD_S
        frame = trainer.frame(with_metrics, with_heatmap=fresh)
        if fresh:
            self._kept, self._at = (kind, frame.log_density, frame.speed), now
            return frame
        return replace(frame, log_density=kept[1], speed=kept[2])


class TrainingPage(pn.viewable.Viewer):
    """A page that trains with one play loop. Subclasses draw (`_train_and_draw`, `_caught_up` when playing
    stops), say what diverged (`_divergence_text`, empty while nothing has) and reset."""

    playing = param.Boolean(default=False, doc="Whether training runs.")
    iterations_per_frame = param.Integer(
        default=25, bounds=(1, 500), doc="Iterations trained between two frames (fewer if a tick runs late)."
    )

    _loop_name = "training"

    def __init__(self, **params):
        super().__init__(**params)
        self._metrics_at = -math.inf
        self._notice_until = math.inf
        self.play_button = pn.widgets.Button(label="Play", color="primary", width=90, css_classes=["play"])
        on_click(self.play_button, self.toggle)
        self.reset_button = pn.widgets.Button(label="Reset", width=80, css_classes=["reset"])
        on_click(self.reset_button, self.reset)
        self.speed_slider = pn.widgets.IntSlider.from_param(
            self.param.iterations_per_frame, label="Iterations per frame", start=1, end=200, width=130
        )
        self.notice = pn.pane.Alert("", alert_type="info", visible=False, css_classes=["notice"], margin=(0, 10))
        self.divergence = pn.pane.Alert(
            "", alert_type="danger", visible=False, css_classes=["divergence"], margin=(0, 10)
        )
        self._loop = PlayLoop(self, self._tick, self._loop_name, self._error, channels=self._frame_channels)

    # -- controls ------------------------------------------------------------------------------------
    def play(self) -> None:
        """Start training; the periodic callback runs until pause(). After divergence, say so instead."""
        if self._divergence_text():
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
        raise NotImplementedError

    def tick(self) -> None:
        """One tick of the loop, as the periodic callback runs it."""
        self._loop.tick()

    @property
    def served(self) -> bool:
        """Whether this page is served (not a notebook cell or a test)."""
        return self._loop.served

    @property
    def running(self) -> bool:
        """Whether the periodic callback is scheduled (it is exactly while playing)."""
        return self._loop.running

    # -- what subclasses fill in ---------------------------------------------------------------------
    def _tick(self) -> None:
        self._loop.share_server()
        self._train_and_draw()

    def _train_and_draw(self) -> None:
        raise NotImplementedError

    def _caught_up(self) -> None:
        """Playing stopped: bring the server's models up to what the browser shows, and show the latest."""

    def _divergence_text(self) -> str:
        return ""

    def _frame_channels(self) -> list:
        """The frame channels the page draws through (their documents are a notebook output's)."""
        return []

    # -- shared parts --------------------------------------------------------------------------------
    def _metrics_due(self, flow: bool = False) -> bool:
        """Whether this frame computes KL and JS: at most four times a second, less while many sessions play
        (metrics_period_s); a `flow`'s at most every FLOW_METRICS_PERIOD_S (they cost ~150 ms there)."""
        period = metrics_period_s(playing_count())
        if time.monotonic() - self._metrics_at < (max(FLOW_METRICS_PERIOD_S, period) if flow else period):
            return False
        self._metrics_at = time.monotonic()
        return True

    def _show_divergence(self) -> None:
        self.divergence.object = self._divergence_text()
        self.divergence.visible = True

    def _clear_divergence(self) -> None:
        if self.divergence.visible and not self._divergence_text():
            self.divergence.visible = False

    def _notify(self, text: str) -> None:
        """An information notice: it goes NOTICE_SECONDS after training runs."""
        self.notice.param.update(object=text, alert_type="info", visible=True)
        self._notice_until = time.monotonic() + NOTICE_SECONDS if self.playing else math.inf
        self._hide_later("info")

    def _error(self, text: str) -> None:
        """A warning: it stays until the next notice."""
        self.notice.param.update(object=text, alert_type="warning", visible=True)
        self._notice_until = math.inf
        self._hide_later("warning")

    def _hide_later(self, kind: str) -> None:
        """On a served page, hide this notice after TOAST_SECONDS unless another replaced it meanwhile."""
        doc = pn.state.curdoc
        if doc is None or doc.session_context is None:  # a notebook or a test: the next frame or click hides it
            return
        shown = self.notice.object

        def hide() -> None:
            if self.notice.object == shown and self.notice.alert_type == kind:
                self.notice.visible = False

        doc.add_timeout_callback(hide, int(TOAST_SECONDS[kind] * 1000))

    def _expire_notice(self) -> None:
        if time.monotonic() > self._notice_until:
            self.notice.visible = False
            self._notice_until = math.inf

    @param.depends("playing", watch=True)
    def _on_playing(self) -> None:
        self.play_button.param.update(
            label="Pause" if self.playing else "Play", color="warning" if self.playing else "primary"
        )
        if self.playing:
            self._loop.start()
            if self._notice_until is math.inf and self.notice.alert_type == "info":
                self._notice_until = time.monotonic() + NOTICE_SECONDS
        else:
            self._loop.stop()
            with self._loop.hold():  # also from a cell (app.pause()), where nothing else would push it
                self._caught_up()


class SettingWidgets:
    """A widget for each of `names`, both ways bound to `config`: a widget's change goes to `apply(values)`
    (a ValueError there is shown by `error` and the widget undone), a change of the config shows in its
    widget. Choosing a loss that trains only with smaller steps lowers the learning rates with it, saying so."""

    def __init__(
        self,
        config: GanConfig,
        names: Iterable[str],
        apply: Callable[[dict], None],
        notify: Callable[[str], None],
        error: Callable[[str], None],
    ):
        self.config, self._apply, self._notify, self._error = config, apply, notify, error
        self.widgets: dict[str, pn.widgets.Widget] = {}
        for name in names:
            self.add(name, setting_widget(config, name))

    def add(self, name: str, widget: pn.widgets.Widget) -> None:
        """Bind a widget made elsewhere (e.g. a menu of fewer options than the setting allows)."""
        widget.param.watch(held(lambda event: self._changed(name, event)), "value")
        self.widgets[name] = widget

    def __getitem__(self, name: str) -> pn.widgets.Widget:
        return self.widgets[name]

    def follow(self, name: str, value) -> None:
        """Show a value the configuration took from elsewhere (a link, a checkpoint, the other side)."""
        if name in self.widgets:
            show_value(self.widgets[name], name, value)

    def _changed(self, name: str, event) -> None:
        if getattr(self.config, name) == event.new:
            return  # the widget follows the configuration
        values = {name: event.new}
        if name == "loss":  # a loss that trains only with smaller steps brings them (its record's caps)
            nets = ("generator", "discriminator")
            optimizers = {net: getattr(self.config, f"{net}_optimizer") for net in nets}
            rates = {net: getattr(self.config, f"{net}_learning_rate") for net in nets}
            lowered = lowered_learning_rates(event.new, optimizers, rates)
            values.update({f"{net}_learning_rate": rate for net, rate in lowered.items()})
        try:
            self._apply(values)
        except ValueError as error:
            self._error(f"Not changed: {error}")
            event.obj.value = getattr(self.config, name)
            return
        if len(values) > 1:
            rates = ", ".join(f"{k.split('_')[0]} {v:g}" for k, v in values.items() if k != name)
            title = lookup(event.new).title
            self._notify(f"{title}: learning rates lowered ({rates}); larger steps make its critic blow up")
