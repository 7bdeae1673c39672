"""The flow on the GAN Lab page: its views, setting widgets and controls, built the first time the page shows a
flow, and what the page does differently for one: its step, its slow motion (a training step's sub-steps, then a
sampling run's), the time t and its sweep, and redrawing a paused flow when how it is drawn changes.

`show_model(page, frame)` runs before the page draws a frame: the page's views are then the frame's model's, and
its slots (page_layout.fill_slots) hold that model's parts."""

from __future__ import annotations

import panel as pn

from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.flow_slow_motion import FlowSubStep, FlowWalk, training_substep
from ganlab_panel.core.settings import FLOW_SETTING_GROUPS
from ganlab_panel.core.trainer import Diverged
from ganlab_panel.pages.page_layout import fill_slots
from ganlab_panel.pages.training_page import REDRAWN_BY
from ganlab_panel.views.actions import held, on_click
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.flow_layered import FlowLayeredView
from ganlab_panel.views.flow_overview import FlowOverviewView
from ganlab_panel.views.settings import setting_widget

SWEEP_PERIOD_MS = 33
"""Sweep t's tick: ~30 frames a second."""
SWEEP_SECONDS = 2.0
"""A sweep's way from t = 0 to 1."""


def show_model(page, frame, substep=None) -> None:
    """Before the page draws `frame`: its views become the frame's model's (a flow's built the first time), and a
    frame that is no slow-motion sub-step clears what a flow's step or sub-step drew over the layers."""
    model = "flow" if isinstance(frame, FlowFrame) else "gan"
    if model == "flow" and page.flow_part is None:
        page.flow_part = FlowPart(page)
        flow = page.flow_part
        page.views["flow"] = (flow.overview, flow.layered, flow.charts)
    url_state = getattr(page, "url_state", None)  # None while a link's own settings open the flow
    if model == "flow" and url_state is not None and url_state.flow_layered is None:
        url_state.add_flow_view(page.flow_part.layered)
    if page.shown_model != model:
        page.shown_model = model
        page.overview, page.layered, page.charts = page.views[model]
        if page.slots:  # the layout exists (a link's flow is shown before it is built)
            fill_slots(page)
    if model == "flow" and not isinstance(substep, FlowSubStep):
        page.flow_part.clear_overlay()


class FlowPart:
    """The flow's views (drawing through the page's frame channel), its setting widgets (added to the page's),
    its step button, Sweep t, and its slow-motion walk."""

    def __init__(self, page):
        self.page = page
        channel = page.channel
        self.overview = FlowOverviewView(channel=channel)
        self.layered = FlowLayeredView(channel=channel)
        self.charts = ChartsView(channel=channel, model="flow")
        self.charts.loss_figure.name, self.charts.metric_figure.name = "flow-loss", "flow-divergences"
        channel.attach(self.layered.figure)  # the packet source stays in the document while the GAN's view is out
        for names in FLOW_SETTING_GROUPS.values():
            for name in names:
                if name not in page.settings.widgets:
                    page.settings.add(name, setting_widget(page.config, name))
        self.step_button = pn.widgets.Button(label="One step", width=90, css_classes=["step-flow"])
        on_click(self.step_button, self.step)
        self.sweep_button = pn.widgets.Toggle(
            label="▶ Sweep t", width=90, css_classes=["sweep-time"], margin=(18, 5, 0, 5)
        )
        self.sweep_button.param.watch(held(self._on_sweep), "value")
        self._sweep = pn.state.add_periodic_callback(held(self.sweep_tick), period=SWEEP_PERIOD_MS, start=False)
        self.walk = FlowWalk()
        self._overlaid = False

    # -- controls ------------------------------------------------------------------------------------
    def step(self) -> None:
        """One training step (Trainer.flow_step()), then its frame, with the step's batch drawn over the layers."""
        page, done = self.page, []
        page._step(lambda: done.append(page.trainer.flow_step()))
        if done:
            self._overlay(training_substep(done[0], 4))

    def advance(self) -> FlowSubStep | None:
        """Slow motion's next sub-step: a training step's (it trains at the first, and the fifth shows the
        updated network) or a sampling run's; highlighted on the graph, its data drawn over the layers."""
        page, trainer, walk = self.page, self.page.trainer, self.walk
        try:
            step = trainer.flow_step() if walk.needs == "step" else None
        except Diverged:
            page._show(trainer.frame())
            page.pause()
            return None
        run = trainer.sampling_run() if walk.needs == "run" else None
        substep = walk.advance(step, run)
        frame = trainer.frame() if substep.performs_update or page.frame is None else page.frame
        page._show(frame, substep=substep)
        self._overlay(substep)
        return substep

    def reset(self) -> None:
        """Slow motion starts its walk afresh (a new run, slow motion switched off)."""
        self.walk.reset()
        self.clear_overlay()

    @property
    def sweeping(self) -> bool:
        return self.sweep_button.value

    def sweep_tick(self) -> None:
        """Sweep t's next moment; at t = 1 the sweep ends."""
        config = self.page.config
        t = min(1.0, round(config.flow_time + SWEEP_PERIOD_MS / 1000 / SWEEP_SECONDS, 4))
        with self.page.url_state.quiet():  # one entry in the browser's history for the sweep, at its end
            config.flow_time = t
        if t >= 1.0:
            self.sweep_button.value = False

    # -- reactions -----------------------------------------------------------------------------------
    def on_config(self, names: set[str]) -> None:
        """Paused, a change of how the flow is drawn redraws it (playing, the next frame shows it); a sweep's
        moments are skipped while the browser is behind."""
        page = self.page
        if page.playing or page.trainer.flow is None or not names & REDRAWN_BY:
            return
        if self.sweeping and page._browser_behind():
            return
        page._show(page.frames.frame(with_metrics=False, live=self.sweeping))

    def _on_sweep(self, event) -> None:
        page = self.page
        if event.new:
            if page.config.flow_time >= 1.0:
                with page.url_state.quiet():
                    page.config.flow_time = 0.0
            self._sweep.start()
            return
        self._sweep.stop()
        page.url_state.write()
        if not page.playing:  # the models catch up with the packed frames; the last one with its density
            page.channel.packing = False
            page.channel.commit()
            page._show(page.frames.frame(with_metrics=False))

    def _overlay(self, substep: FlowSubStep) -> None:
        self.layered.show_substep(substep)
        self._overlaid = True

    def clear_overlay(self) -> None:
        if self._overlaid:
            self._overlaid = False
            self.layered.show_substep(None)
