"""The frame channel: one packed buffer per frame while playing, ordinary updates otherwise, and models
that catch up on commit. (That the browser unpacks it is checked by the browser tests: Play moves the
fake samples and advances the counter only through this channel.)"""

from __future__ import annotations

import json

import numpy as np
from bokeh.document import Document
from bokeh.models import ColumnDataSource, Div
from bokeh.plotting import figure

from ganlab_panel.views.frame_channel import FrameChannel


def _packet(channel: FrameChannel):
    data = channel.source.data
    return data["packet"][0], json.loads(data["layout"][0])


def _attached():
    """A channel and two sources in one document, recording the document's change events."""
    channel, fig = FrameChannel(), figure()
    points = ColumnDataSource({"x": [0.0], "y": [0.0]})
    image = ColumnDataSource({"image": [np.zeros((1, 1), np.float32)]})
    fig.scatter("x", "y", source=points)
    fig.image("image", x=0, y=0, dw=1, dh=1, source=image)
    channel.attach(fig)
    doc = Document()
    doc.add_root(fig)
    events = []
    doc.on_change(events.append)
    return channel, points, image, events


def test_outside_packing_updates_are_ordinary():
    channel = FrameChannel()
    source, div = ColumnDataSource({"x": [0.0], "y": [1.0]}), Div(text="a")
    channel.send(source, x=np.array([5.0]))
    channel.stream(source, 3, x=[6.0], y=[7.0])
    channel.set_text(div, "b")
    channel.flush()
    assert list(source.data["x"]) == [5.0, 6.0] and list(source.data["y"]) == [1.0, 7.0]
    assert div.text == "b" and channel.sent == 0


def test_a_packed_frame_is_one_change_of_one_buffer_in_the_document():
    channel, points, image, events = _attached()
    channel.packing = True
    heatmap = np.arange(6, dtype=np.float32).reshape(2, 3)
    channel.send(points, x=np.array([0.1, 0.2]), y=np.array([0.3, 0.4]))
    channel.send(image, image=[heatmap])
    assert not events, "nothing is shipped before flush"
    channel.flush()
    assert len(events) == 1 and events[0].model is channel.source
    packet, layout = _packet(channel)
    assert packet.dtype == np.float32
    np.testing.assert_allclose(packet, [0.1, 0.2, 0.3, 0.4, *range(6)], rtol=1e-6)
    assert layout["frame"] == 1 == channel.sent
    assert [e[:4] for e in layout["entries"]] == [
        [points.id, "x", "array", [2]],
        [points.id, "y", "array", [2]],
        [image.id, "image", "image", [2, 3]],
    ]
    assert list(points.data["x"]) == [0.0], "the model waits for commit"


def test_commit_brings_the_models_to_what_the_browser_shows():
    channel, points, _image, _events = _attached()
    div, chart = Div(text="Iteration 0"), ColumnDataSource({"iteration": [1.0, 2.0]})
    channel.packing = True
    for frame in range(3):
        channel.send(points, x=np.array([frame]), y=np.array([frame]))
        channel.stream(chart, 3, iteration=[10.0 + frame])
        channel.set_text(div, f"Iteration {frame}")
        channel.flush()
    assert channel.sent == 3 and channel.in_flight == 3
    channel.packing = False
    channel.commit()
    assert list(points.data["x"]) == [2.0]
    assert list(chart.data["iteration"]) == [10.0, 11.0, 12.0]  # rolled over at 3
    assert div.text == "Iteration 2"


def test_the_browser_acknowledges_painted_frames():
    channel, points, _image, _events = _attached()
    channel.packing = True
    for frame in range(4):
        channel.send(points, x=np.array([frame]), y=np.array([frame]))
        channel.flush()
    channel.ack.tags = [3]  # what the browser's requestAnimationFrame sends back
    assert channel.drawn == 3 and channel.in_flight == 1
    channel.ack.tags = [2]  # a late, older acknowledgement changes nothing
    assert channel.in_flight == 1


def test_an_empty_frame_ships_nothing():
    channel, _points, _image, events = _attached()
    channel.packing = True
    channel.flush()
    assert not events and channel.sent == 0
