"""Bokeh server sessions: how many train at once, what a drawn tick costs, how late the event loop runs, and
quiet the harmless errors of a tab closed mid-frame.

A real module (not app.py, which `panel serve` runs as a script): Bokeh clears a served script's globals
when its session is destroyed, and what lives here is shared by every session of the process.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import os
import time
import weakref
from collections import deque

import panel as pn

from ganlab_panel.serving.pacing import (
    BURST_GAP_S,
    BURST_S,
    BUSY_PROBES,
    LAG_PROBE_S,
    OWN_PROBES,
    Slowdown,
    tick_budget,
    tick_period_ms,
)

_log = logging.getLogger(__name__)

_playing: weakref.WeakSet = weakref.WeakSet()
"""The training loops playing in this process: they share its one event loop (weak: no session is kept)."""


PACE_LOG = bool(os.environ.get("GANLAB_PACE_LOG"))
"""With GANLAB_PACE_LOG=1 in its environment, each server process logs its pacing once a second (docs/deploy.md)."""

_drawing_s = 0.0
"""What a drawn tick costs in this process beyond training: the lower quartile of the sessions' latest ticks."""
_drawings: deque[float] = deque(maxlen=64)


def set_playing(loop: object, playing: bool, served: bool = False) -> None:
    """Count `loop` (a PlayLoop) among the playing ones, or no longer; a served one starts the lag probe."""
    if playing:
        _playing.add(loop)
        if served:
            _lag.start()
    else:
        _playing.discard(loop)


def playing_count() -> int:
    """How many training loops play at once in this process."""
    return len(_playing)


def report_drawing(seconds: float) -> None:
    """A session drew a frame in `seconds` of CPU time beyond training (the views, Bokeh's message, the writes).

    The lower quartile, not the mean: on a busy machine the same frame takes more CPU time (the cores' caches
    and shared units are contended), and the slowdown already answers a busy machine; counting it twice made
    the periods swing and the two processes of one server differ by a third. KL and JS every few seconds
    are spikes it also leaves out."""
    global _drawing_s
    _drawings.append(seconds)
    _drawing_s = sorted(_drawings)[len(_drawings) // 4]


def pace() -> tuple[int, float]:
    """(period in ms, seconds a tick may take) for a session of this process now (pacing.py's rules). The
    slowdown stretches the period but not the tick's budget: frames and training both give way, so the
    process's busy share falls with it (a budget that grew with the period would keep the loop as busy)."""
    playing = max(1, playing_count())
    period = tick_period_ms(playing, _drawing_s, _lag.slowdown.factor)
    return period, tick_budget(playing, tick_period_ms(playing, _drawing_s))


_burst_start = _burst_end = 0.0
_new_turn_due = False


def tick_may_run() -> bool:
    """Whether a session's tick may run now. The sessions' timers fall due together (a class presses Play
    together, and periods are equal), and the event loop runs every due timer before it reads its sockets
    again: 15 ticks back to back kept each click that arrived meanwhile waiting ~60 ms. Once ticks have run
    back to back for BURST_S, the others wait for the loop's next turn (defer_tick), which reads the sockets
    first."""
    global _burst_start, _new_turn_due
    now = time.perf_counter()
    if now - _burst_end > BURST_GAP_S:
        _burst_start = now
    if now - _burst_start < BURST_S:
        return True
    if not _new_turn_due:
        _new_turn_due = True
        asyncio.get_running_loop().call_soon(_new_turn, context=contextvars.Context())  # before the deferred ticks
    return False


def tick_ran() -> None:
    """A tick ended (see tick_may_run)."""
    global _burst_end
    _burst_end = time.perf_counter()


def _new_turn() -> None:
    global _burst_start, _new_turn_due
    _burst_start, _new_turn_due = time.perf_counter(), False


def answer_clicks_at_once() -> None:
    """A served page's checkboxes, toggles, choices and selects are handled as soon as their change arrives.

    Panel waits 50 ms after a widget's change before handling it (Syncable._debounce), so that a slider's drag
    or typing arrives as one change; a click on a discrete widget is one change anyway, and those 50 ms were two
    thirds of a click's wait with 30 sessions. Sliders and text fields keep the wait. Set on the classes: a
    served process serves only these pages (a notebook's kernel, shared with other code, is left alone)."""
    for widget in (pn.widgets.select.SelectBase, pn.widgets.Toggle, pn.widgets.Checkbox, pn.widgets.Switch):
        widget._debounce = 0


def overloaded() -> bool:
    """Whether the lag feedback is slowing this process's sessions down now."""
    return _lag.slowdown.factor > 1.05


class LagProbe:
    """Measures how late the process's event loop runs a timer, every LAG_PROBE_S while served sessions play
    (that lateness is what a click waits before its handler runs), how busy the machine's cores are, and how
    much of a core this process takes; all feed the Slowdown. A process that takes all of its core runs every
    hop of a click (the read, Bokeh's handler, Panel's, the answer) behind a full turn of the others' ticks:
    with 30 sessions on one process its loop ran timers only ~35 ms late, yet clicks waited ~0.5 s."""

    def __init__(self):
        self.slowdown = Slowdown()
        self.lag_s = 0.0
        self.busy: float | None = None
        self._handle = None
        self._cpu = _cpu_times()
        self._own = (time.process_time(), time.monotonic())
        self._probes = 0

    def start(self) -> None:
        if self._handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a test calling tick() by hand): nothing to measure
            return
        self._schedule(loop)

    def _schedule(self, loop) -> None:
        due = time.monotonic() + LAG_PROBE_S
        # in an empty context: the one it is started from holds the session's document (Panel's curdoc), which
        # a probe running on behalf of the whole process would keep alive after that session closed
        self._handle = loop.call_later(LAG_PROBE_S, self._probe, loop, due, context=contextvars.Context())

    def _probe(self, loop, due: float) -> None:
        self.lag_s = max(0.0, time.monotonic() - due)
        self._probes += 1
        busy = None
        if self._probes % BUSY_PROBES == 0:  # the cores' busy share since the last reading
            cpu = _cpu_times()
            if cpu and self._cpu and cpu[1] > self._cpu[1]:
                busy = self.busy = 1 - (cpu[0] - self._cpu[0]) / (cpu[1] - self._cpu[1])
            self._cpu = cpu
        own = None
        if self._probes % OWN_PROBES == 0:  # this process's share of one core since the last reading
            now = (time.process_time(), time.monotonic())
            if now[1] > self._own[1]:
                own = (now[0] - self._own[0]) / (now[1] - self._own[1])
            self._own = now
        self.slowdown.observe(self.lag_s, busy, own)
        if self._probes % 10 == 0 and PACE_LOG:
            _log.warning(
                "pace: %d playing, period %d ms, slowdown %.2f, loop late %.0f ms, cores %s busy, frame %.1f ms",
                playing_count(), pace()[0], self.slowdown.factor, self.slowdown.lag_s * 1e3,
                "?" if self.busy is None else f"{self.busy:.0%}", _drawing_s * 1e3,
            )  # fmt: skip
        if playing_count() or self.slowdown.factor > 1.0:
            self._schedule(loop)
        else:
            self._handle = None


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) clock ticks of all the machine's cores since boot (Linux); None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user .. steal


_lag = LagProbe()


_closed_since_freeze = 0
_open_pages = 0


def freeze_built_pages() -> None:
    """Once a session's page is built: move every object of the process into Python's permanent generation.

    A full garbage collection walks every object: with 15 sessions (~630,000 objects) it stops the event
    loop for ~0.3 s, every few seconds while frames are made, and every session's clicks wait. The pages'
    models live as long as their sessions, so they need not be walked; a closed session's are given back
    to the collector (release_closed_page), and collected once before the next freeze."""
    global _closed_since_freeze, _open_pages
    if _closed_since_freeze:
        gc.collect()  # the closed pages' cycles, which the freeze would otherwise keep
        _closed_since_freeze = 0
    gc.freeze()
    _open_pages += 1


def release_closed_page() -> None:
    """A session ended: let the collector see every object again, so that its page's cycles can be freed (at
    once when it was the last page: nobody waits on the event loop then)."""
    global _closed_since_freeze, _open_pages
    gc.unfreeze()
    _closed_since_freeze += 1
    _open_pages = max(0, _open_pages - 1)
    if _open_pages == 0:
        gc.collect()
        _closed_since_freeze = 0


def quiet_closed_socket_writes() -> None:
    """Stop asyncio logging a traceback for each frame that was in flight when a browser tab closed.

    Panel writes a frame as several websocket messages whose futures it awaits on the next tick; when the tab
    closes in between, some fail with WebSocketClosedError unobserved and asyncio prints 'Task exception was
    never retrieved' with a traceback (holoviz/panel#3113). That failure is expected and harmless here, so
    it becomes one debug line; every other unhandled exception still reaches the previous handler."""
    try:
        from tornado.iostream import StreamClosedError
        from tornado.websocket import WebSocketClosedError
    except ImportError:  # no Bokeh server, hence no sockets: the standalone page in Pyodide has no tornado
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    previous = loop.get_exception_handler()
    if getattr(previous, "quiets_closed_sockets", False):
        return

    def handler(loop, context):
        if isinstance(context.get("exception"), (WebSocketClosedError, StreamClosedError)):
            _log.debug("a frame was not delivered: its browser tab had closed")
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler.quiets_closed_sockets = True
    loop.set_exception_handler(handler)
