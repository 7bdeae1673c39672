"""A served page's frames go to its websocket as their own messages (serving/frame_writer.py), in order and
complete, and the page's models catch up when playing stops; outside a server a packet is an ordinary change."""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import numpy as np
import panel as pn
import pytest
from bokeh.client import pull_session
from bokeh.events import ButtonClick, DocumentReady
from bokeh.models import Button, ColumnDataSource
from tornado.ioloop import IOLoop

from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.serving import frame_writer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served():
    """GanLab served in this process (its object at hand) and a Bokeh client session on it."""
    apps: list[GanLab] = []

    def create():
        apps.append(GanLab(pretrained=False))
        return apps[-1]

    port = _free_port()
    server = pn.serve({"app": create}, port=port, address="127.0.0.1", show=False, threaded=True,
                      websocket_origin=[f"127.0.0.1:{port}"])  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the server starts in its own thread
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/app", timeout=5)
            break
        except OSError:
            time.sleep(0.1)
    apps.clear()  # that request's page
    loop = IOLoop()
    session = pull_session(url=f"http://127.0.0.1:{port}/app", io_loop=loop)
    yield apps[-1], session, loop
    server.stop()


def test_a_served_page_gets_its_frames_as_their_own_messages_and_its_models_catch_up(served, monkeypatch):
    app, session, loop = served
    ways = {True: 0, False: 0}  # written as their own messages, or queued behind another message
    write = frame_writer._write
    monkeypatch.setattr(frame_writer, "_write", lambda *args: ways.__setitem__(ok := write(*args), ways[ok] + 1) or ok)
    doc = session.document
    packet, ack = doc.select_one({"name": "frame-packet"}), doc.select_one({"name": "frame-ack"})
    frames: list[int] = []

    def on_packet(_attr, _old, new):  # what the page's unpacking code reads: the layout and a float32 buffer
        layout = json.loads(new["layout"][0])
        assert new["packet"][0].dtype == np.float32 and layout["entries"]
        frames.append(layout["frame"])
        ack.tags = [layout["frame"]]  # as the page acknowledges a painted frame

    packet.on_change("data", on_packet)
    fake = app.layered.sources["fake"]
    before = np.array(fake.data["x"])
    doc.callbacks.send_event(DocumentReady())
    play = next(m for m in doc.select({"type": Button}) if m.label == "Play")
    doc.callbacks.send_event(ButtonClick(play))
    seen: dict = {}

    def while_playing():  # 4 s into play: what the server holds, then Pause
        seen.update(playing=app.playing, drawn=app.channel.drawn,
                    fake=np.array(fake.data["x"]), iteration=app.frame.iteration)  # fmt: skip
        doc.callbacks.send_event(ButtonClick(play))

    loop.call_later(4, while_playing)
    loop.call_later(6, session.close)
    session._loop_until_closed()  # Bokeh's client handles the server's messages while its loop runs

    assert seen["playing"] and seen["iteration"] > 0
    assert len(frames) >= 10, "the served page should get frames while playing"
    assert frames == sorted(frames) and len(set(frames)) == len(frames), "each frame once, in order"
    # nearly all went out as their own messages (one queued behind, say, Play's answer is in order too)
    assert ways[True] >= 0.8 * (ways[True] + ways[False])
    assert seen["drawn"] > 0, "the acknowledgements come back"
    # while playing, the server's copies of the views' sources wait (the browser unpacks the frames) ...
    assert np.array_equal(seen["fake"], before)
    # ... and Pause writes the latest frame into them
    assert not app.playing
    assert np.allclose(fake.data["x"], np.asarray(app.frame.fake, np.float32)[:, 0])


def test_outside_a_server_a_packet_is_an_ordinary_change():
    source = ColumnDataSource({"packet": [np.zeros(1, np.float32)], "layout": ["{}"]})
    data = {"packet": [np.ones(3, np.float32)], "layout": ['{"frame": 1, "entries": []}']}
    frame_writer.write_packets(None, [(source, data)])  # no document: nothing to write to
    assert source.data["layout"] == data["layout"]


def test_a_packet_waits_behind_a_message_being_written(monkeypatch):
    """While Bokeh or Panel is writing another message to the page, a packet is not written in between: it
    becomes an ordinary change, which Panel queues behind that message."""
    source = ColumnDataSource({"packet": [np.zeros(1, np.float32)], "layout": ["{}"]})
    data = {"packet": [np.ones(2, np.float32)], "layout": ['{"frame": 2, "entries": []}']}

    class Lock:
        class _block:  # noqa: N801 (tornado's Lock keeps a semaphore here)
            _value = 0  # held

    class Connection:
        _socket = type("Socket", (), {"write_lock": Lock()})()

    class Session:
        _subscribed_connections = {Connection()}

    document = type("Doc", (), {"session_context": type("Ctx", (), {"session": Session()})()})()
    written = []
    monkeypatch.setattr(frame_writer.panel_document, "dispatch_tornado", lambda *a, **k: written.append(a) or [])
    assert frame_writer._busy(document, list(Session._subscribed_connections))
    frame_writer.write_packets(document, [(source, data)])
    assert not written and source.data["layout"] == data["layout"]


def test_a_tab_that_closes_while_its_frame_is_written_is_no_error(monkeypatch):
    """The socket can close between Panel's check and the write (a tab closed mid-frame): the frame is dropped
    quietly, the play loop goes on to find the tab gone at its next tick."""
    from tornado.websocket import WebSocketClosedError

    source = ColumnDataSource({"packet": [np.zeros(1, np.float32)], "layout": ["{}"]})
    data = {"packet": [np.ones(2, np.float32)], "layout": ['{"frame": 3, "entries": []}']}

    class Lock:
        class _block:  # noqa: N801
            _value = 1  # free

    class Connection:
        _socket = type("Socket", (), {"write_lock": Lock()})()

    class Session:
        _subscribed_connections = {Connection()}

    def closed(*_args, **_kwargs):
        raise WebSocketClosedError()

    document = type("Doc", (), {"session_context": type("Ctx", (), {"session": Session()})()})()
    monkeypatch.setattr(frame_writer.panel_document, "dispatch_tornado", closed)
    frame_writer.write_packets(document, [(source, data)])  # no exception
    assert source.data["layout"] == ["{}"]  # nor a fallback write into a page that is gone
