"""Rewind on the GAN Lab page: the frames drawn so far to scrub back through, and resuming from a kept state."""

from __future__ import annotations

from ganlab_panel.core.timeline import Timeline
from ganlab_panel.views.actions import held
from ganlab_panel.views.timeline_bar import TimelineBar


class Rewind:
    """The `page`'s timeline (frames of this run, and states to resume from), its slider and its Resume."""

    def __init__(self, page):
        self.page = page
        self.timeline = Timeline()
        self.viewing: int | None = None  # the timeline's frame shown while scrubbing; None: the latest
        self.bar = TimelineBar(on_scrub=held(self.scrub), on_resume=held(self.resume))

    def record(self, frame, state) -> None:
        """A live frame was shown: it is the latest again, and goes on the timeline."""
        self.viewing = None
        if frame.diverged is None:
            self.timeline.record(frame, state)

    def clear(self) -> None:
        """A new run (rebuilt, reset, loaded) starts an empty timeline."""
        self.timeline.clear()
        self.viewing = None

    def follow(self) -> None:
        self.bar.follow(self.timeline, self.viewing)

    def scrub(self, index: int) -> None:
        """Show the timeline's frame `index` (paused only); its last frame is the latest, live one."""
        if self.page.playing or not len(self.timeline):
            return
        index = min(index, len(self.timeline) - 1)
        self.viewing = None if index == len(self.timeline) - 1 else index
        self.page._show(self.timeline.frame(index), past=True)

    def resume(self) -> None:
        """Continue training from the state kept at or before the frame shown while scrubbing: the frames
        after it are dropped, and training takes exactly the course it took from there."""
        page = self.page
        if self.viewing is None:
            return
        found = self.timeline.state_at_or_before(self.viewing)
        if found is None:
            page._error("There is no resume point at or before this frame.")
            return
        index, state = found
        page.pause()
        page.trainer.restore(state)
        self.timeline.truncate(index)
        page._slow.reset()
        page.charts.reload(page.trainer.history)
        page._notify(f"Resumed from iteration {page.trainer.iteration:,}: the later frames are gone; Play goes on")
        page._show(page.trainer.frame())
