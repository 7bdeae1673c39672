"""Bokeh server sessions: quiet the harmless errors of a tab closed mid-frame.

A real module (not app.py, which `panel serve` runs as a script): Bokeh clears a served script's globals
when its session is destroyed, and this handler outlives the session that installed it.
"""

from __future__ import annotations

import asyncio
import logging

_log = logging.getLogger(__name__)


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
