"""A page rendered as a notebook output (a Panel document with a Jupyter comm): its acknowledgements reach the
play loop, which paces frames against them."""

from __future__ import annotations

import pytest
from bokeh.document import Document
from pyviz_comms import Comm

from ganlab_panel.pages.gan_lab import GanLab
from ganlab_panel.serving.notebook import shown_in_notebook
from ganlab_panel.serving.pacing import FRAMES_IN_FLIGHT, NOTEBOOK_FRAMES_IN_FLIGHT


@pytest.fixture
def shown():
    """Compare mode rendered as a notebook cell renders it (a comm, no server session)."""
    import panel as pn

    comparison = GanLab.compare()
    doc = Document()
    pn.panel(comparison)._render_model(doc, Comm())
    yield comparison, doc
    comparison.pause()


def test_every_acknowledgement_of_a_message_reaches_its_side(shown):
    comparison, doc = shown
    # a message from the page is applied inside a document hold; both sides' acknowledgements arrive in one
    doc.hold()
    for frame, side in enumerate(comparison.sides, start=4):
        side.channel.sent = 6
        side.channel.ack.tags = [frame]
    doc.unhold()
    assert [side.channel.drawn for side in comparison.sides] == [4, 5]
    assert doc.callbacks.hold_value is None, "nothing left the document held"


def test_a_notebook_output_keeps_more_frames_in_flight_than_a_served_page(shown):
    comparison, doc = shown
    assert shown_in_notebook([doc])
    assert NOTEBOOK_FRAMES_IN_FLIGHT > FRAMES_IN_FLIGHT
    comparison.play()
    comparison.tick()  # a frame went out: the clock for FRAME_WAIT_S starts
    loop = comparison._loop
    assert not loop.browser_behind(NOTEBOOK_FRAMES_IN_FLIGHT - 1)
    assert loop.browser_behind(NOTEBOOK_FRAMES_IN_FLIGHT)
