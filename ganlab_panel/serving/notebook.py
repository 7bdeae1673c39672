"""A page shown in a notebook cell: its document travels over a Jupyter comm, which nothing else pushes.

Panel holds a notebook output's Bokeh document and pushes it over the output's comm only after its own
widget and pane updates (and after Python callbacks on models in a Bokeh pane). Changes a periodic callback
makes to plain Bokeh models (the frame channel's packets, the counter's text) stay in the document's held
events until something else pushes them: a playing app froze in JupyterLab, then delivered a few seconds of
frames at once. A play loop holds the document while it draws and pushes its frames itself (held), and paces
them against the page's acknowledgements like a served page (shown_in_notebook).

Only a held document keeps its changes for a push: unheld, a change is dispatched to the document's callbacks
and is gone. Outside Panel's own event handling nothing holds a notebook output's document (pn.io.hold() finds
no current document in a kernel's periodic callback or a cell), so the play loop holds it while it draws (held).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from panel.io.notebook import push
from panel.io.state import state


def _comms(documents) -> list[tuple[object, object]]:
    """(document, comm) of the notebook outputs that show any of `documents`."""
    wanted = {id(d) for d in documents if d is not None}
    if not wanted:
        return []
    found = {}
    for _viewable, _root, doc, comm in list(state._views.values()):
        if comm is not None and id(doc) in wanted:
            found[id(doc), id(comm)] = (doc, comm)
    return list(found.values())


def shown_in_notebook(documents) -> bool:
    """Whether one of `documents` (Bokeh documents, None for models not shown) is a notebook output."""
    return bool(_comms(documents))


@contextmanager
def held(documents) -> Iterator[None]:
    """Hold the notebook outputs among `documents` while the block changes their models, then push the changes
    (one message each) and release the holds taken here."""
    comms = _comms(documents)
    ours = [doc for doc, _comm in comms if doc.callbacks.hold_value is None]
    for doc in ours:
        doc.hold("combine")
    try:
        yield
    finally:
        for doc, comm in comms:
            push(doc, comm)
        for doc in ours:
            doc.unhold()
