"""Writes a served page's frame packets straight to its websockets, after the tick's other changes.

Bokeh turns every change of a model into a PATCH-DOC message whose serializer first maps every model of the
page (~460) to its reference, for a packet that refers to none: with 15 sessions a process spent 15 % of its
time there (benchmarks/load.py, py-spy). A packet's message is the same PATCH-DOC, a change of the packet
source's `data`, serialized on its own. The server's copy of that source is not changed: it is only ever
written by the browser's unpacking code (views/frame_channel.py), and the views' own sources catch up when
playing stops (FrameChannel.commit).

The message goes out only when nothing else is being written to the page: Bokeh and Panel write a message as
several websocket frames, and one written in between would break it. Otherwise, and outside a server, the
packet becomes an ordinary change of the source, which Panel queues behind the others.
"""

from __future__ import annotations

import logging

import panel as pn
from bokeh.core.serialization import Serializer
from bokeh.document.events import ColumnDataChangedEvent
from bokeh.protocol.messages.patch_doc import patch_doc
from panel.io import document as panel_document

_log = logging.getLogger(__name__)


def write_packets(document, packets: list) -> None:
    """Ship each (source, data) packet of one tick to `document`'s browser, in order."""
    for at, (source, data) in enumerate(packets):
        if not _write(document, source, data):
            with pn.io.hold():  # the rest as ordinary changes, queued behind whatever is being written
                for later_source, later_data in packets[at:]:
                    later_source.data = later_data
            return


def _write(document, source, data: dict) -> bool:
    session = getattr(getattr(document, "session_context", None), "session", None)
    connections = list(getattr(session, "_subscribed_connections", ()))
    if session is None or not connections or _busy(document, connections):
        return False
    try:
        from tornado.iostream import StreamClosedError
        from tornado.websocket import WebSocketClosedError
    except ImportError:  # no Tornado, no server to write to (the standalone page in Pyodide has none)
        return False

    event = ColumnDataChangedEvent(document, source, "data", data=data)  # what assigning `source.data` sends
    serializer = Serializer()  # no references: the event names its model by id, the data holds none
    content = {"events": serializer.encode([event])}  # encoded once, whatever the number of connections
    for connection in connections:
        message = patch_doc(patch_doc.create_header(), {}, content)
        message.add_buffers(*serializer.buffers)
        try:
            futures = panel_document.dispatch_tornado(connection, msg=message)
        except (WebSocketClosedError, StreamClosedError):  # the tab closed: its session stops at its next tick
            _log.debug("a frame was not delivered: its browser tab had closed")
            continue
        for future in futures:
            future.add_done_callback(_observe)
    return True


def _busy(document, connections) -> bool:
    """Whether a message is being written to this page, or Panel holds some back to write next (the checks
    Panel's own `unlocked` makes before it writes)."""
    for pending in (getattr(panel_document, "_WRITE_MSGS", {}), getattr(panel_document, "_WRITE_BLOCK", {})):
        if document in pending:
            return True
    for connection in connections:
        lock = getattr(connection._socket, "write_lock", None)
        block = getattr(lock, "_block", None)
        if lock is None or getattr(block, "_value", 0) == 0:
            return True
    return False


def _observe(future) -> None:
    """A frame's write ends; a tab that closed meanwhile is no error (the session stops at its next tick)."""
    if not future.cancelled() and future.exception() is not None:
        _log.debug("a frame was not delivered: %r", future.exception())
