"""Bokeh server sessions: how many train at once, and quiet the harmless errors of a tab closed mid-frame.

A real module (not app.py, which `panel serve` runs as a script): Bokeh clears a served script's globals
when its session is destroyed, and what lives here is shared by every session of the process.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

_log = logging.getLogger(__name__)

_playing: weakref.WeakSet = weakref.WeakSet()
"""The training loops playing in this process: they share its one event loop (weak: no session is kept)."""


def set_playing(loop: object, playing: bool) -> None:
    """Count `loop` (a PlayLoop) among the playing ones, or no longer."""
    if playing:
        _playing.add(loop)
    else:
        _playing.discard(loop)


def playing_count() -> int:
    """How many training loops play at once in this process."""
    return len(_playing)


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
