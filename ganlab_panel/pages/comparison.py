"""Compare mode: two experiments trained side by side on the same data and seed, in step.

`Comparison(a=..., b=..., **shared)` holds two sides, A and B. The shared settings (the distribution and its
points, the seed) are chosen once for both; every other setting each side chooses for itself, and the
settings where they differ are listed and highlighted. ONE periodic callback trains both sides the same
number of iterations per tick and draws both frames in one document hold, so their views and curves
stay in step.

    panel serve ganlab_panel/compare.py      # a website at /compare (?b.model=flow: a flow on side B)
    GanLab.compare(b={"loss": "least_squares"})   # inline in a notebook
    GanLab.compare(a={"model": "gan"}, b={"model": "flow"})   # a GAN beside a flow

Play, Reset, the speed, notices and the loop are TrainingPage's, as on the GAN Lab page.
"""

from __future__ import annotations

import time

import panel as pn

from ganlab_panel.core import distributions
from ganlab_panel.core.config import EFFECTS, GanConfig, check
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.pages.compare_layout import compare_page
from ganlab_panel.pages.compare_side import HIGHLIGHT, SHARED_SETTINGS, Side, differences, differences_html
from ganlab_panel.pages.training_page import REDRAWN_BY, SettingWidgets, TrainingPage
from ganlab_panel.serving.url_state import ignored_message, read_compare_link, served_location
from ganlab_panel.views.actions import on_click
from ganlab_panel.views.distribution_picker import CHOICES


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


class Comparison(TrainingPage):
    """Two GAN experiments, A and B, trained side by side on the same data and seed."""

    _loop_name = "comparison"

    def __init__(self, a: dict | None = None, b: dict | None = None, **shared):
        own = {"A": _own("A", a), "B": _own("B", b)}
        configs = {}
        for label, settings in own.items():
            configs[label] = GanConfig(**shared)  # a bad value raises ValueError naming the setting
            configs[label].update(settings)
        if a is None and b is None:
            configs["B"].update(default_difference(configs["A"]))
        super().__init__()
        self.a, self.b = (self._side(label, configs[label]) for label in ("A", "B"))
        self.sides = (self.a, self.b)
        self._layout: pn.Column | None = None
        self._build_widgets()
        for side in self.sides:
            side.config.param.watch(lambda *events, side=side: self._on_config(side, events), list(EFFECTS))
            side.trainer.rebuilt.append(lambda side=side: self._on_rebuilt(side))
        self._compare()
        self._show()

    @classmethod
    def from_link(cls, query: str | None = None) -> Comparison:
        """Compare mode as a link opens it (the served session's address when `query` is None): `name=value` for
        both sides, `a.name=value` or `b.name=value` for one (`b.model=flow`: a flow on side B). A bad value is
        left out, and the page says why."""
        if query is None:
            location = served_location()
            query = location.search if location is not None else ""
        shared, a, b, ignored = read_compare_link(query)
        comparison = cls(a=a or None, b=b or None, **shared)
        if ignored:
            comparison._error(ignored_message(ignored))
        return comparison

    def _side(self, label: str, config: GanConfig) -> Side:
        def apply(values: dict) -> None:
            self.update(**{label.lower(): values})

        return Side(label, config, Trainer(config), apply, self._notify, self._error)

    # -- public controls ---------------------------------------------------------------------------
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
            if values.get("model", side.model) != side.model:
                raise ValueError("model: each side's model is chosen when compare mode opens (b={'model': 'flow'})")
        with pn.io.hold():
            for side, values in changes.items():
                if values:
                    side.config.update(values)

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(setting, A's value, B's value) for each setting where the sides differ."""
        return differences(self.a.config, self.b.config)

    # -- the loop ----------------------------------------------------------------------------------
    def _train_and_draw(self) -> None:
        k = self._loop.iterations(self._browser_behind())
        start = time.perf_counter()
        for side in self.sides:
            side.trainer.train(k)
        trained = time.perf_counter()
        if not self._browser_behind():
            self._show(self._metrics_due(flow=any(side.model == "flow" for side in self.sides)), live=True)
        self._loop.fit(k, trained - start)
        self._stop_if_diverged()

    def _frame_channels(self) -> list:
        return [side.channel for side in self.sides]

    def _browser_behind(self) -> bool:
        return self._loop.browser_behind(max(side.channel.in_flight for side in self.sides))

    def _divergence_text(self) -> str:
        diverged = [side for side in self.sides if side.trainer.diverged]
        if not diverged:
            return ""
        said = " ".join(f"**{side.label} diverged:** {side.trainer.diverged}" for side in diverged)
        return said + " Both sides are paused."

    def _stop_if_diverged(self) -> None:
        if self._divergence_text():
            self.pause()
            self._show_divergence()

    # -- drawing -----------------------------------------------------------------------------------
    def _show(self, with_metrics: bool = True, live: bool = False) -> None:
        """Both sides draw their current frame, in one document hold: the browser gets one message."""
        frames = [side.frames.frame(with_metrics, live) for side in self.sides]
        with pn.io.hold():
            for side, frame in zip(self.sides, frames, strict=True):
                side.show(frame, self.playing)
            self._expire_notice()
            self._clear_divergence()
        self._loop.sent()

    def _caught_up(self) -> None:
        for side in self.sides:
            side.commit()  # the models catch up with what the browser was shown
        # ticks train on without drawing while the browser catches up: show where training is
        if any(side.frame is None or side.frame.position != side.trainer.position for side in self.sides):
            self._show()

    def _compare(self) -> None:
        """List the settings where A and B differ, and highlight their widgets on both sides."""
        self.differences_pane.object = differences_html(self.differences)
        names = {n for n in self.a.widgets if getattr(self.a.config, n) != getattr(self.b.config, n)}
        if self.a.model != self.b.model:
            names = set()  # a GAN's settings and a flow's are of different things
        for side in self.sides:
            side.highlight(names)

    # -- reacting to changes -----------------------------------------------------------------------
    def _on_config(self, side: Side, events) -> None:
        for event in events:
            side.follow(event.name, event.new)
            if side is self.a:
                self.shared.follow(event.name, event.new)
        self._compare()
        if side.model == "flow" and not self.playing and {e.name for e in events} & REDRAWN_BY:
            self._show(with_metrics=False)  # how a paused flow is drawn changed (its t, its heatmap)

    def _on_rebuilt(self, side: Side) -> None:
        # the other side restarts too, so that both stay at the same iteration
        other = self.b if side is self.a else self.a
        if other.trainer.position != (0, 0, 0):
            other.trainer.reset()
        self._notify("Networks rebuilt: both sides restarted at iteration 0")
        self._show()

    # -- layout ------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.step_button = pn.widgets.Button(label="Step", width=80, css_classes=["step"])
        on_click(self.step_button, self.step)
        self.differences_pane = pn.pane.HTML(
            "", css_classes=["differences"], styles={**HIGHLIGHT, "padding": "4px 8px"}, margin=(0, 10)
        )
        config = self.a.config
        titles = distributions.titles()
        shown = [n for n in CHOICES if not distributions.REGISTRY[n].needs_points]
        if config.distribution not in shown:  # drawn or loaded points, given to the constructor
            shown.append(config.distribution)
        self.shared = SettingWidgets(config, ("seed",), lambda values: self.update(**values), self._notify, self._error)
        distribution = pn.widgets.Select(
            label="Data distribution (both sides)",
            options={titles[n]: n for n in shown},
            value=config.distribution,
            css_classes=["setting-distribution"],
            width=220,
        )
        self.shared.add("distribution", distribution)  # only the distributions both sides can learn
        self.shared["seed"].param.update(label="Random seed (both sides)", sizing_mode=None, width=160)
        self.shared_widgets = self.shared.widgets

    def __panel__(self):
        if self._layout is None:
            self._layout = compare_page(self)
        return self._layout
