"""How a play loop paces itself on a server shared by many sessions: one frame per tick, a period that fits
every session's drawing in a share of the process, a tick's budget, the iterations that fit it, the slowdown
that keeps clicks answered, and when a browser tab is gone. Numbers only; play_loop.py and sessions.py use them."""

from __future__ import annotations

import time

PERIOD_MS = 40
"""The loop's tick: 25 frames per second at most, whatever the training rate."""
TICK_SHARE = 0.9
"""Part of the period a tick may take; the rest is left to Bokeh's own work on the event loop."""
MIN_TRAINING_SHARE = 0.1
"""However long drawing takes, a tick trains at least this share of the iterations asked for."""
METRICS_PERIOD_S = 0.25
"""While playing alone, KL and JS (1.5 ms, four times a frame's snapshot) are computed for a frame at most this
often."""
MAX_METRICS_PERIOD_S = 2.0
"""With many sessions playing in a process, each computes KL and JS at most every 2 s (metrics_period_s)."""
FRAMES_IN_FLIGHT = 4
"""Frames sent but not yet painted by the browser beyond which drawing pauses (training goes on). The page
acknowledges every second frame (views/frame_channel.py), so this many keep 2-3 frames on their way."""
NOTEBOOK_FRAMES_IN_FLIGHT = 6
"""The same in a notebook output: its acknowledgements go through Panel's comm manager (one message at a time,
each waiting for the kernel's reply), the Jupyter server and the kernel's message queue, ~200-300 ms there and
back on a busy machine; 3 frames per round trip would cap it at 10-15 frames/s."""
FRAME_WAIT_S = 1.0
"""Send a frame anyway after this long without an acknowledgement (one may have been lost)."""
MAX_PERIOD_MS = 1000
"""However many sessions play, each draws at least once a second."""
DRAW_SHARE = 0.6
"""Part of the process's time that all playing sessions' drawing together may take (the frame, the views,
Bokeh's message and the websocket writes): with more sessions each draws less often, the rest is left to
training and to answering clicks."""
BUSY_SHARE = 0.7
"""While several sessions play, the part of the time that all their ticks (training and drawing) may take:
the rest is left to Bokeh's and Panel's own work for each session (acknowledgements, widget changes)."""
LAG_LIMIT_S = 0.05
"""How late (on average over the last second) the process's event loop may run a timer before the sessions
slow down: a click waits several times as long (each hop of its handling waits a turn of the loop)."""
BUSY_LIMIT = 0.9
"""How busy the machine's cores may be before the sessions slow down: past it, every process (ours and the
others) waits for a core, and a click's round trip with it."""
SATURATED = 0.97
"""A busy share this close to all of it says nothing of how much more is asked: the sessions slow down faster
(a class pressing Play together would otherwise wait seconds for the periods to grow)."""
BUSY_PROBES = 3
"""The machine's busy share is read every this many lag probes (0.3 s)."""
OWN_LIMIT = 0.95
"""How much of one core the process may take, while its event loop runs late, before its sessions slow down: a
process that takes all of it runs each hop of a click's handling behind a full turn of the other sessions'
ticks."""
OWN_PROBES = 10
"""The process's share of its core is read every this many lag probes (1 s)."""
LAG_PROBE_S = 0.1
"""How often the event loop's lateness is measured while sessions play."""
MAX_SLOWDOWN = 8.0
"""The most the lag feedback stretches the sessions' periods."""
BURST_S = 0.012
"""How long the sessions' ticks may run back to back before the event loop reads its sockets (clicks) again."""
BURST_GAP_S = 0.002
"""Ticks less than this apart count as back to back."""
LONELY_SESSION_S = 10.0
"""A server session that never got a browser connection for this long is treated as gone."""


def tick_period_ms(playing: int, drawing_s: float = 0.0, slowdown: float = 1.0) -> int:
    """The loop's period while `playing` sessions train in this process and a drawn tick costs `drawing_s`:
    the fastest period at which their drawing together fits DRAW_SHARE, stretched by the lag feedback
    (`slowdown`), in steps of 10 ms (Panel restarts a callback whose period changes)."""
    period = max(PERIOD_MS, playing * drawing_s / DRAW_SHARE * 1000) * slowdown
    return int(min(MAX_PERIOD_MS, max(PERIOD_MS, round(period / 10) * 10)))


def tick_budget(playing: int, period_ms: float | None = None) -> float:
    """Seconds one tick (training and drawing) may take while `playing` sessions train in this process."""
    share = TICK_SHARE if playing <= 1 else BUSY_SHARE / playing
    return (period_ms or tick_period_ms(playing)) / 1000 * share


def metrics_period_s(playing: int) -> float:
    """How often a session computes KL and JS while `playing` sessions train in this process: every 0.25 s
    for one or two; with more, less often (8: once a second, 16 or more: every 2 s), so that a frame's cost
    falls with the frame rate rather than the metrics taking a quarter of it."""
    return min(MAX_METRICS_PERIOD_S, METRICS_PERIOD_S * max(1.0, playing / 2))


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


class Slowdown:
    """Clicks come first: stretches every session's period while the event loop runs late (a click waits that
    long) or the machine's cores are all busy, and eases back once both are clear. Lateness is averaged
    over about a second, so one slow tick (a garbage collection, say) moves nothing; over the limits the
    periods grow by a tenth per probe (a fifth when the cores are saturated), up to MAX_SLOWDOWN; well under
    them they shrink by 3 %."""

    def __init__(self):
        self.factor = 1.0
        self.lag_s = 0.0
        self.busy = 0.0
        self.own = 0.0

    def observe(self, lag_s: float, busy: float | None = None, own: float | None = None) -> float:
        """One probe: the event loop's lateness now, and, when new readings are due, the machine's busy share
        of its cores (0-1) and this process's share of one core. A reading counts once, not at every probe
        until the next."""
        self.lag_s = 0.8 * self.lag_s + 0.2 * lag_s
        if busy is not None:
            self.busy = busy
        if own is not None:
            self.own = own
        if busy is not None and busy > SATURATED:
            self.factor = min(MAX_SLOWDOWN, self.factor * 1.2)
        elif self.lag_s > LAG_LIMIT_S or (busy is not None and busy > BUSY_LIMIT) or self._own_late(own):
            self.factor = min(MAX_SLOWDOWN, self.factor * 1.1)
        elif self.lag_s < LAG_LIMIT_S / 2 and self.busy < BUSY_LIMIT - 0.05 and self.own < OWN_LIMIT - 0.1:
            self.factor = max(1.0, self.factor * 0.97)
        return self.factor

    def _own_late(self, own: float | None) -> bool:
        """A new reading of the process taking its whole core, while its loop runs late (a fifth of the limit):
        a process busy with training alone, whose clicks still come through, keeps its pace."""
        return own is not None and own > OWN_LIMIT and self.lag_s > LAG_LIMIT_S / 5


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
