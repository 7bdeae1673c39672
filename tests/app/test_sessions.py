"""A class on one server: each session is isolated, and a closed one leaves nothing running or allocated.

The served tests run the app in this process (so its objects can be inspected) and drive sessions with
Bokeh's own Python client over the websocket, as a page does: it announces the document ready, then
clicks Play.
"""

from __future__ import annotations

import copy
import gc
import logging
import socket
import time
import weakref
from types import SimpleNamespace

import numpy as np
import panel as pn
import pytest
from bokeh.client import pull_session
from bokeh.document import Document
from bokeh.events import ButtonClick, DocumentReady
from bokeh.models import Button

from ganlab_panel.core.config import GanConfig
from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.serving import sessions
from ganlab_panel.serving.pacing import DRAW_SHARE, PERIOD_MS, tick_budget
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.distribution_picker import DistributionPicker
from ganlab_panel.views.drawing import DrawingSurface
from ganlab_panel.views.layered import LayeredView
from ganlab_panel.views.overview import OverviewView

TIMEOUT = 30.0
"""Seconds an awaited condition may take (the machine is shared): a bound, never a measurement."""
PARAMETERIZED = (GanConfig, GanLab, LayeredView, OverviewView, ChartsView, DistributionPicker, DrawingSurface)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def class_defaults() -> dict:
    return {(c.__name__, n): copy.deepcopy(p.default) for c in PARAMETERIZED for n, p in c.param.objects().items()}


def weights(lab: GanLab) -> list[np.ndarray]:
    networks = lab.trainer.engine.get_weights()
    return [array for net in ("generator", "discriminator") for layer in networks[net] for array in layer]


class Problems(logging.Handler):
    """Warnings and errors logged by Panel or Bokeh (e.g. a session-destroyed callback that failed)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def playing_before() -> int:
    """Sessions counted as playing before the test (other tests' apps may still be alive)."""
    gc.collect()
    return sessions.playing_count()


@pytest.fixture
def served():
    """The app served in this process, closed sessions destroyed after 0.3 s; `labs` holds a weak
    reference to each session's GanLab."""
    labs: list[weakref.ref] = []

    def create():
        lab = GanLab(pretrained=False)
        labs.append(weakref.ref(lab))
        return lab

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    problems = Problems()
    loggers = [logging.getLogger(name) for name in ("panel", "bokeh")]
    for logger in loggers:
        logger.addHandler(problems)
    thread = pn.serve(
        {"app": create}, port=port, address="127.0.0.1", show=False, threaded=True,
        websocket_origin=[f"127.0.0.1:{port}"],
        unused_session_lifetime_milliseconds=300, check_unused_sessions_milliseconds=100,
    )  # fmt: skip
    try:
        wait_until(lambda: thread.server_id in pn.state._servers, "the server to start")
        server = pn.state._servers[thread.server_id][0]
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}/app", labs=labs, server=server, problems=problems)
    finally:
        thread.stop()
        for logger in loggers:
            logger.removeHandler(problems)


def open_and_play(url: str):
    """A session as a browser tab opens it: the page reports the document rendered, then Play is clicked."""
    session = pull_session(url=url)
    doc = session.document
    play = next(m for m in doc.select({"type": Button}) if m.label == "Play")
    doc.callbacks.send_event(DocumentReady())
    doc.callbacks.send_event(ButtonClick(play))
    session.force_roundtrip()  # both events are on the server before its reply comes back
    return session


def test_closed_sessions_stop_their_loops_and_are_freed(served, playing_before):
    train_two_then_close_one_and_the_other(served, playing_before)
    wait_until(lambda: not served.server.get_sessions("/app"), "the server to destroy both sessions")
    # nothing (a periodic callback, a server session, a registry, the frozen generation) holds on to a closed
    # session's app, once the server's thread is done destroying it
    wait_until(lambda: gc.collect() >= 0 and [ref() for ref in served.labs] == [None, None], "both apps freed")
    assert sessions.playing_count() == playing_before
    assert [r.getMessage() for r in served.problems.records] == []


def train_two_then_close_one_and_the_other(served, playing_before: int) -> None:
    first_tab = open_and_play(served.url)
    second_tab = open_and_play(served.url)
    first, second = (ref() for ref in served.labs)
    wait_until(lambda: first.trainer.iteration > 0 and second.trainer.iteration > 0, "both sessions to train")
    assert first.running and second.running
    assert sessions.playing_count() == playing_before + 2

    first_tab.close()
    wait_until(lambda: not first.running, "the closed session's loop to stop")
    trained = second.trainer.iteration
    wait_until(lambda: second.trainer.iteration > trained, "the open session to keep training")
    assert second.running and sessions.playing_count() == playing_before + 1
    second_tab.close()
    wait_until(lambda: not second.running, "the other closed session's loop to stop")


def test_two_labs_share_no_settings_data_weights_or_models():
    defaults = class_defaults()
    first, second, alone = GanLab(pretrained=False), GanLab(pretrained=False), GanLab(pretrained=False)

    # one student changes settings and view options and trains, interleaved with another's training
    first.picker.value = "ring"
    first._setting_widgets["seed"].value = 7
    first._setting_widgets["generator_learning_rate"].value = 0.03
    first.layered.checkboxes.value = [*first.layered.checkboxes.value, "show_manifold"]
    for _ in range(3):
        first.trainer.train(5)
        second.trainer.train(5)
    alone.trainer.train(15)

    assert second.config.to_dict() == GanConfig().to_dict() != first.config.to_dict()
    assert not second.layered.show_manifold and first.layered.show_manifold
    # the other session trained exactly as it would have alone: no shared random state or data
    assert all(np.array_equal(a, b) for a, b in zip(weights(second), weights(alone), strict=True))
    np.testing.assert_array_equal(second.trainer.frame().real, alone.trainer.frame().real)
    assert not np.array_equal(first.trainer.frame().real, second.trainer.frame().real)
    assert class_defaults() == defaults, "an instance's change reached a class-level default"

    # each app's page is its own set of Bokeh models (Bokeh refuses a model in two documents)
    documents = []
    for lab in (first, second):
        doc = Document()
        doc.add_root(pn.panel(lab).get_root(doc))
        documents.append({id(model) for model in doc.models})
    assert documents[0] and not documents[0] & documents[1]


def test_a_session_destroyed_while_playing_stops_without_redrawing(playing_before):
    """The server may destroy a session before its loop notices the tab is gone; by then Bokeh has
    emptied the session's models, so stopping must not draw on them."""
    lab = GanLab(pretrained=False)
    doc = Document()
    doc.add_root(pn.panel(lab).get_root(doc))
    lab.play()
    lab.tick()
    assert sessions.playing_count() == playing_before + 1 and lab.overview.phase is not None
    doc.models.destroy()  # what Bokeh does to a destroyed session's document, before its callbacks run
    lab._loop._on_session_destroyed(None)
    assert not lab.playing and not lab.running
    assert sessions.playing_count() == playing_before


def test_sessions_playing_at_once_take_turns_and_return_to_the_full_rate(playing_before, monkeypatch):
    monkeypatch.setattr(sessions, "_drawing_s", 0.01)  # a drawn tick costs 10 ms in this process
    monkeypatch.setattr(sessions._lag.slowdown, "factor", 1.0)  # and the event loop runs on time
    labs = [GanLab(pretrained=False) for _ in range(4)]
    for lab in labs:
        lab.play()
    labs[0].tick()
    playing = playing_before + len(labs)
    assert sessions.playing_count() == playing
    period = labs[0]._loop.callback.period
    assert period > PERIOD_MS and labs[0].running  # ticks less often, still ticks
    assert playing * 0.01 <= DRAW_SHARE * period / 1000 + 0.01  # their drawing together fits its share
    assert tick_budget(playing, period) * playing < period / 1000  # leaves the server room
    for lab in labs[1:]:
        lab.pause()
    labs[0].tick()
    assert sessions.playing_count() == playing_before + 1
    assert labs[0]._loop.callback.period < period  # one session left: back towards the full rate
    assert labs[0]._loop.callback.period == PERIOD_MS or playing_before >= 2
    labs[0].pause()
    assert sessions.playing_count() == playing_before
