"""The rewind controls: a slider over the recorded frames (while paused) and "Resume from here"."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

from ganlab_panel.core.timeline import Timeline


class TimelineBar(pn.viewable.Viewer):
    """Scrubs through a Timeline while training is paused; the app decides what scrubbing and resuming do.

    The slider runs over recorded frames (not iterations: a step of one network alone records a frame
    without a new iteration), and the label says which iteration a position shows."""

    def __init__(self, on_scrub: Callable[[int], None], on_resume: Callable[[], None]):
        super().__init__()
        self._on_scrub = on_scrub
        self.slider = pn.widgets.IntSlider(
            label="Timeline", start=0, end=1, value=1, disabled=True, show_value=False, width=260,
            css_classes=["timeline"], margin=(5, 10),
        )  # fmt: skip
        self.resume_button = pn.widgets.Button(
            label="Resume from here", disabled=True, css_classes=["resume-here"], width=150, margin=(18, 5, 5, 5)
        )
        self.resume_button.on_click(lambda _event: on_resume())
        self.label = pn.pane.HTML("", css_classes=["timeline-label"], margin=(18, 10, 0, 10), width=440)
        self._following = False  # the app moves the slider: not a user's scrub
        self.slider.param.watch(self._moved, "value")

    def __panel__(self):
        return pn.Row(self.slider, self.resume_button, self.label, css_classes=["timeline-bar"])

    @property
    def index(self) -> int:
        return self.slider.value

    def _moved(self, event) -> None:
        if not self._following and not self.slider.disabled:
            self._on_scrub(event.new)

    def playing(self) -> None:
        """Training runs: nothing to scrub until it pauses (the slider is not updated at every frame)."""
        self.slider.disabled = self.resume_button.disabled = True
        self.label.object = "Pause to scrub back through training."

    def follow(self, timeline: Timeline, viewing: int | None) -> None:
        """Paused: the slider spans the recorded frames and stands at the frame shown (None: the latest)."""
        last = len(timeline) - 1
        index = last if viewing is None else viewing
        self._following = True
        try:
            self.slider.param.update(end=max(last, 1), value=max(index, 0), disabled=last < 1)
        finally:
            self._following = False
        self.resume_button.disabled = viewing is None or viewing >= last
        self.label.object = self._describe(timeline, index)

    @staticmethod
    def _describe(timeline: Timeline, index: int) -> str:
        if len(timeline) == 0:
            return ""
        iterations = timeline.iterations()
        shown = iterations[index]
        text = f"Iteration {shown:,} of {iterations[-1]:,} ({len(timeline):,} frames kept"
        text += f", a resume point every {timeline.spacing:,} iterations)"
        if index < len(timeline) - 1:
            found = timeline.state_at_or_before(index)
            if found is not None:
                text += f"<br>Resume from here restarts training at iteration {iterations[found[0]]:,}."
        return text
