"""How a play loop paces itself on a server shared by many sessions: one frame per tick, a tick's budget,
the iterations that fit it, and when a browser tab is gone. Numbers only; play_loop.py uses them."""

from __future__ import annotations

import time

PERIOD_MS = 40
"""The loop's tick: 25 frames per second at most, whatever the training rate."""
TICK_SHARE = 0.9
"""Part of the period a tick may take; the rest is left to Bokeh's own work on the event loop."""
MIN_TRAINING_SHARE = 0.25
"""However long drawing takes, a tick trains at least this share of the iterations asked for."""
METRICS_PERIOD_S = 0.25
"""While playing, KL and JS (half a snapshot's cost) are computed for a frame at most this often."""
FRAMES_IN_FLIGHT = 3
"""Frames sent but not yet painted by the browser beyond which drawing pauses (training goes on)."""
NOTEBOOK_FRAMES_IN_FLIGHT = 6
"""The same in a notebook output: its acknowledgements go through Panel's comm manager (one message at a time,
each waiting for the kernel's reply), the Jupyter server and the kernel's message queue, ~200-300 ms there and
back on a busy machine; 3 frames per round trip would cap it at 10-15 frames/s."""
FRAME_WAIT_S = 1.0
"""Send a frame anyway after this long without an acknowledgement (one may have been lost)."""
FULL_RATE_SESSIONS = 3
"""Sessions of one server that may play at once at the full frame rate; with more, each ticks less often
(8 sessions: every 107 ms) so that they take turns on the server's one event loop rather than some starving."""
SHARED_TICK_SHARE = 0.7
"""While several sessions play, the part of the period that all their ticks together may take: the rest is
left to Bokeh's and Panel's own work for each session (messages, frame acknowledgements, widget changes)."""
LONELY_SESSION_S = 10.0
"""A server session that never got a browser connection for this long is treated as gone."""


def tick_period_ms(playing: int) -> int:
    """The loop's period while `playing` sessions train in this process."""
    return round(PERIOD_MS * max(1.0, playing / FULL_RATE_SESSIONS))


def tick_budget(playing: int) -> float:
    """Seconds one tick (training and drawing) may take while `playing` sessions train in this process."""
    share = TICK_SHARE if playing <= 1 else SHARED_TICK_SHARE / playing
    return tick_period_ms(playing) / 1000 * share


def fit_iterations(current: int, requested: int, done: int, training: float, drawing: float, budget: float) -> int:
    """The iterations the next tick trains so that training and drawing fit `budget` seconds; when drawing alone
    overruns it (a busy machine), training keeps a floor and the frame rate drops instead."""
    if done <= 0:
        return current
    room = budget - drawing
    fitted = int(room * done / training) if training > 0 else requested
    floor = max(1, int(requested * MIN_TRAINING_SHARE))
    target = min(requested, max(floor, fitted))
    # move halfway each tick: one slow tick (garbage collection, another process) must not halve the rate
    return (current + target + 1) // 2


class SessionWatch:
    """Tells whether a served session's browser tab is still there (notebooks and tests have no session)."""

    def __init__(self, document):
        self._doc = document
        self._seen_connection = False
        self._created = time.monotonic()

    @property
    def served(self) -> bool:
        return self._doc is not None and self._doc.session_context is not None

    def alive(self) -> bool:
        """False once the tab is gone, or when none ever connected within LONELY_SESSION_S."""
        session = getattr(self._doc.session_context if self._doc is not None else None, "session", None)
        if session is None:
            return True
        if session.destroyed:
            return False
        if session.connection_count > 0:
            self._seen_connection = True
            return True
        return not self._seen_connection and time.monotonic() - self._created < LONELY_SESSION_S
