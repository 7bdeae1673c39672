"""The periodic callback behind a page's Play button (the app's, compare mode's): it ticks at the session's
share of the server, fits each tick's iterations to its budget, holds frames back while the browser is behind
(served, or shown in a notebook), holds and pushes a notebook output's frames, stops when the browser tab is gone, and
turns an exception into one log entry and one message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import panel as pn
import param

from ganlab_panel.serving.frame_writer import write_packets
from ganlab_panel.serving.notebook import held, shown_in_notebook
from ganlab_panel.serving.pacing import (
    FRAME_WAIT_S,
    FRAMES_IN_FLIGHT,
    NOTEBOOK_FRAMES_IN_FLIGHT,
    PERIOD_MS,
    SessionWatch,
    fit_iterations,
)
from ganlab_panel.serving.sessions import (
    answer_clicks_at_once,
    freeze_built_pages,
    overloaded,
    pace,
    quiet_closed_socket_writes,
    release_closed_page,
    report_drawing,
    set_playing,
    tick_may_run,
    tick_ran,
)


class PlayLoop:
    """Calls `body` every tick while started. `owner` is the page: its `playing` parameter drives start() and
    stop(), its `pause()` ends a loop that fails or loses its tab, its `iterations_per_frame` is what a
    tick asks for. `what` names the loop in the log; `on_error(text)` shows a failure on the page. `channels()`
    gives the page's frame channels: their documents are what a notebook output shows."""

    def __init__(
        self,
        owner: param.Parameterized,
        body: Callable[[], None],
        what: str,
        on_error: Callable[[str], None],
        channels: Callable[[], Sequence] = tuple,
    ):
        self._owner, self._body, self._what, self._on_error = owner, body, what, on_error
        self._channels = channels
        self._log = logging.getLogger(type(owner).__module__)  # failures are logged as the page's
        self.session = SessionWatch(pn.state.curdoc)
        self._fitted = owner.iterations_per_frame  # what fits the tick budget, adapted per tick
        self._sent_at = 0.0
        self._budget = pace()[1]
        self._trained: tuple[int, float] = (0, 0.0)  # this tick's iterations and their seconds (see fit)
        self.callback = pn.state.add_periodic_callback(self._on_timer, period=PERIOD_MS, start=False)
        self.callback.log = False  # one log line per tick would cost more than the tick's drawing
        # nor mark the whole process busy at each tick: Panel's busy flag is shared by every session, and
        # setting it twice per tick runs its watchers (~1 ms, a fifth of the server's time with 8 sessions)
        self.callback._background = True
        if self.session.served:
            pn.state.on_session_destroyed(self._on_session_destroyed)
            pn.state.onload(freeze_built_pages)
            quiet_closed_socket_writes()
            answer_clicks_at_once()

    @property
    def served(self) -> bool:
        """Whether the page is served (not a notebook cell or a test)."""
        return self.session.served

    @property
    def running(self) -> bool:
        return self.callback.running

    def start(self) -> None:
        set_playing(self, True, served=self.session.served)
        if self.session.served:
            self.share_server()  # from the first tick: a class pressing Play together starts at its share
        if not self.callback.running:
            self.callback.start()

    def stop(self) -> None:
        if self.callback.running:
            self.callback.stop()
        set_playing(self, False)

    def _on_timer(self) -> None:
        if not self._owner.playing:  # not a tick already on its way when Pause came (a kernel's own timer, say)
            return
        if self.session.served and self.session.alive() and not tick_may_run():
            pn.state.curdoc.add_next_tick_callback(self._on_timer)  # after the clicks that wait (sessions.py)
            return
        try:
            self.tick()
        finally:
            tick_ran()

    def tick(self) -> None:
        """One tick: `body`, unless the tab is gone; an exception pauses the page and is shown there."""
        if not self.session.alive():
            self._owner.pause()
            pn.state.log(f"browser tab closed: {self._what} stopped")  # INFO on Panel's logger; the tests read it
            return
        sent, start, cpu = self._sent_at, time.perf_counter(), time.thread_time()
        channels = list(self._channels()) if self.session.served else []
        try:
            for channel in channels:
                channel.outbox = []
            with self.hold():
                self._body()
            for channel in channels:  # after the tick's other changes, which a packet may refer to
                packets, channel.outbox = channel.outbox, None
                write_packets(channel.source.document, packets)
        except Exception as error:  # one traceback in the log, not one every 40 ms
            self._owner.pause()
            self._log.exception(f"{self._what} stopped by an unexpected error")
            self._on_error(f"Training stopped by an unexpected error: {error!r}")
            return
        finally:
            for channel in channels:
                channel.outbox = None
        self._fit(time.perf_counter() - start, time.thread_time() - cpu, drew=self._sent_at != sent)

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Changes to the page's models in this block go to the browser together: a served page's in one
        message (pn.io.hold), a notebook output's pushed at the end (nothing else holds and pushes it there)."""
        with pn.io.hold():
            if self.session.served:
                yield
            else:
                with held(self._documents()):
                    yield

    def share_server(self) -> None:
        """Tick at this session's share of the process (sessions.pace): the more sessions play and the more
        a frame costs, the less often each ticks; the event loop running late stretches every period."""
        period, self._budget = pace()
        if self.callback.period != period:
            self.callback.period = period  # Panel restarts the callback at the new period

    def iterations(self, browser_behind: bool = False) -> int:
        """The iterations this tick trains: those asked for, fewer while they do not fit the budget, and none
        while the server is slowed down and this tick cannot draw (its browser is behind): on an overloaded
        server, ticks that only train would take the cores from the frames and the clicks."""
        if browser_behind and self.session.served and overloaded():
            return 0
        return max(1, min(self._owner.iterations_per_frame, self._fitted))

    def fit(self, done: int, training: float) -> None:
        """The body trained `done` iterations in `training` seconds this tick; the tick's whole cost (with
        Bokeh's message, sent when the hold ends) is measured around it, then the next tick's iterations fit."""
        self._trained = (done, training)

    def _fit(self, tick_s: float, tick_cpu_s: float, drew: bool) -> None:
        done, training = self._trained
        drawing = max(0.0, tick_s - training)
        if drew and self.session.served:
            # CPU time: on a shared machine wall time also counts other processes' turns, which the lag
            # feedback answers; the period's arithmetic needs what drawing itself costs
            report_drawing(max(0.0, tick_cpu_s - training * tick_cpu_s / tick_s) if tick_s > 0 else 0.0)
        self._fitted = fit_iterations(self._fitted, self._owner.iterations_per_frame, done, training, drawing,
                                      self._budget)  # fmt: skip
        self._trained = (0, 0.0)

    def sent(self) -> None:
        """A frame went to the browser (a notebook output's goes when the tick's hold ends: see hold)."""
        self._sent_at = time.monotonic()

    def browser_behind(self, in_flight: int) -> bool:
        """Whether the page has not yet painted enough of the `in_flight` frames sent (a served page, or a
        notebook output: its acknowledgements come back over the comm; a page shown nowhere is never behind)."""
        if self.session.served:
            limit = FRAMES_IN_FLIGHT
        elif shown_in_notebook(self._documents()):
            limit = NOTEBOOK_FRAMES_IN_FLIGHT
        else:
            return False
        return in_flight >= limit and time.monotonic() - self._sent_at < FRAME_WAIT_S

    def _documents(self) -> list:
        return [channel.source.document for channel in self._channels()]

    def _on_session_destroyed(self, _session_context) -> None:
        # stop without redrawing: the session's models are being torn down (a view update fails on them)
        self.stop()
        release_closed_page()
        with param.discard_events(self._owner):
            self._owner.playing = False
