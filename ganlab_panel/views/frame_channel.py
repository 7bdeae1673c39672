"""One message per frame: every view's new columns packed into a single float32 buffer.

Assigning a dozen ColumnDataSources costs Bokeh one binary buffer (two websocket writes) and its encoding
per array: measured 9.3 ms of server CPU per frame, against 3 ms available (benchmarks/frames.py). While
training plays, the channel instead collects the columns of a frame, ships them as one buffer plus a small
JSON layout, and a CustomJS callback in the browser slices that buffer into the sources, without echoing
the change back to the server.

The server's copies of those sources are then stale; the channel keeps the latest columns and `commit()`
writes them to the real sources (one ordinary update) when playing stops, so a paused app's models are
true and a re-rendered page shows the last frame. Outside `packing`, `send` and `stream` are ordinary
Bokeh updates.
"""

from __future__ import annotations

import json

import numpy as np
from bokeh.models import ColumnDataSource, CustomJS

UNPACK_JS = """
// a plain Float32Array: subarray() on Bokeh's NDArray subclass would call its constructor with the
// whole buffer and lose the offset
const received = cb_obj.data.packet[0]
const packet = new Float32Array(received.buffer, received.byteOffset, received.length)
const {frame, entries} = JSON.parse(cb_obj.data.layout[0])
const doc = cb_obj.document
if (!doc.__unsynced_skipped) {
  // In a notebook, Panel's comm manager sends every change in the page to the kernel, even those made with
  // {sync: false} (Bokeh's server session drops them): each frame's columns would travel back, and the
  // acknowledgements wait behind them (Panel sends one message at a time). Skip them there, as Bokeh does.
  doc.__unsynced_skipped = true
  for (const model of doc.all_models) {
    if (typeof model._document_changed === "function" && typeof model.process_events === "function") {
      const forward = model._document_changed.bind(model)
      model._document_changed = (event) => { if (event.sync !== false) forward(event) }
    }
  }
}
const {ndarray} = Bokeh.require("core/util/ndarray")
const changes = {set: new Map(), stream: new Map(), text: new Map()}
let offset = 0
for (const [id, name, kind, spec, rollover] of entries) {
  let value = spec
  if (kind !== "json" && kind !== "text") {
    const size = spec.reduce((a, b) => a * b, 1)
    value = packet.subarray(offset, offset + size)
    offset += size
    if (spec.length > 1) value = ndarray(value, {dtype: "float32", shape: spec})
    if (kind === "image") value = [value]
  }
  const target = changes[kind === "stream" || kind === "text" ? kind : "set"]
  if (!target.has(id)) target.set(id, {values: {}, rollover})
  target.get(id).values[name] = value
}
for (const [id, {values}] of changes.set) {
  const source = doc.get_model_by_id(id)
  source.setv({data: {...source.data, ...values}}, {sync: false})
}
for (const [id, {values, rollover}] of changes.stream) {
  const source = doc.get_model_by_id(id)
  source.stream_to(source.properties.data, values, rollover ?? undefined, {sync: false})
}
for (const [id, {values}] of changes.text) {
  // into the page directly: a Div's text change re-renders it and re-lays out the whole page
  // (the model takes the text silently, so a later change from the server is still seen as one)
  const model = doc.get_model_by_id(id)
  const view = Bokeh.index.find_one(model)
  if (view?.markup_el != null) {
    view.markup_el.textContent = values.text
    model.setv(values, {silent: true})
  } else model.setv(values, {sync: false})
}
// acknowledge every second frame once the browser has painted it (the server stops drawing while it lags
// behind; each acknowledgement costs it a message)
if (frame % 2 === 0) requestAnimationFrame(() => { ack.tags = [frame] })
"""


class FrameChannel:
    """Ships one frame's column updates to the browser: as ordinary Bokeh updates, or, while `packing`,
    as one float32 buffer. Views call `send` and `stream`; the app calls `flush` at the end of a frame."""

    def __init__(self):
        self.source = ColumnDataSource({"packet": [np.zeros(1, np.float32)], "layout": ["{}"]}, name="frame-packet")
        # The page acknowledges a frame in the `tags` of a model that is not drawn, not in a source's `data`:
        # in a notebook, Panel searches the whole document for the target of every `data` change coming from the
        # page (panel.io.model.patch_cds_msg), 150 ms per acknowledgement in compare mode's 760 models.
        self.ack = ColumnDataSource(name="frame-ack", tags=[0])
        self.source.js_on_change("data", CustomJS(args={"ack": self.ack}, code=UNPACK_JS))
        self.ack.on_change("tags", self._on_ack)
        self.packing = False
        self.outbox: list | None = None  # a served tick's packets, written after its other changes (PlayLoop)
        self.sent = 0  # packets shipped
        self.drawn = 0  # the latest packet the browser has painted
        self._entries: list[list] = []
        self._arrays: list[np.ndarray] = []
        self._latest: dict[ColumnDataSource, dict] = {}  # what the browser shows that the models lack
        self._latest_text: dict = {}  # Div -> the text the page shows

    def attach(self, figure) -> None:
        """Put the packet source into `figure`'s document (a figure's tags are part of its references)."""
        figure.tags = [*figure.tags, self.source]

    def send(self, source: ColumnDataSource, **columns) -> None:
        """Replace these columns of `source`: float arrays, a list holding one 2-D image, or short lists."""
        if not self.packing:
            source.data.update(columns)
            return
        for column, value in columns.items():
            if isinstance(value, np.ndarray):
                self._add_array(source, column, "array", value)
            elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], np.ndarray):
                self._add_array(source, column, "image", value[0])
            else:
                self._entries.append([source.id, column, "json", list(value), None])
        self._latest.setdefault(source, {}).update(columns)

    def set_text(self, div, text: str) -> None:
        """Show plain `text` in a Bokeh Div. While packing it is written into the page without touching
        the model: a Div whose text changes re-lays out the whole page, which cost the browser ~100 ms
        per frame (give the Div a fixed width)."""
        if not self.packing:
            div.text = text
            return
        self._entries.append([div.id, "text", "text", text, None])
        self._latest_text[div] = text

    def stream(self, source: ColumnDataSource, rollover: int | None = None, **columns) -> None:
        """Append rows to `source`, keeping at most `rollover` of them."""
        if not self.packing:
            source.stream(columns, rollover=rollover)
            return
        latest = self._latest.setdefault(source, {})
        for column, value in columns.items():
            value = np.asarray(value, dtype=np.float32)
            self._add_array(source, column, "stream", value, rollover)
            shown = np.concatenate([np.asarray(latest.get(column, source.data[column]), dtype=np.float32), value])
            latest[column] = shown[-rollover:] if rollover else shown

    @property
    def in_flight(self) -> int:
        """Packets shipped but not yet painted by the browser."""
        return self.sent - self.drawn

    def flush(self) -> None:
        """Ship what this frame sent, as one change of the packet source."""
        if not self._entries:
            return
        self.sent += 1
        # never an empty buffer: Jupyter's comm drops it, and Panel's receiver then loses its place
        packet = np.concatenate(self._arrays) if self._arrays else np.zeros(1, np.float32)
        layout = json.dumps({"frame": self.sent, "entries": self._entries}, separators=(",", ":"))
        data = {"packet": [packet], "layout": [layout]}
        if self.outbox is not None:
            self.outbox.append((self.source, data))
        else:
            self.source.data = data
        self._entries, self._arrays = [], []

    def commit(self) -> None:
        """Write the latest packed values into the models themselves (call when playing stops)."""
        self.flush()
        latest, self._latest = self._latest, {}
        for source, columns in latest.items():
            source.data.update(columns)
        texts, self._latest_text = self._latest_text, {}
        for div, text in texts.items():
            div.text = text

    def _on_ack(self, _attr, _old, new) -> None:
        self.drawn = max(self.drawn, int(new[0]))

    def _add_array(self, source, column, kind, value, rollover=None) -> None:
        value = np.ascontiguousarray(value, dtype=np.float32)
        self._entries.append([source.id, column, kind, list(value.shape), rollover])
        self._arrays.append(value.ravel())
