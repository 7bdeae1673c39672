"""An invisible component that brings a browser event to the server: the space bar."""

from __future__ import annotations

import panel as pn
import param


class SpaceKey(pn.reactive.ReactiveHTML):
    """Counts presses of the space bar anywhere on the page, except while typing in a field.

    An invisible element; the browser listens on `document`, so it works offline and needs no focus."""

    presses = param.Integer(default=0, doc="Space presses seen so far.")

    _template = '<div id="space-key" style="display: none"></div>'

    _scripts = {
        "render": """
        const typing = (event) => {
          const target = event.composedPath ? event.composedPath()[0] : event.target;
          const tag = (target && target.tagName || '').toLowerCase();
          return tag === 'input' || tag === 'textarea' || tag === 'select' || (target && target.isContentEditable);
        };
        state.keydown = (event) => {
          if ((event.code !== 'Space' && event.key !== ' ') || event.repeat || typing(event)) return;
          event.preventDefault();  // no page scroll, and no click on a focused button as well
          data.presses = data.presses + 1;
        };
        state.keyup = (event) => {
          if ((event.code === 'Space' || event.key === ' ') && !typing(event)) event.preventDefault();
        };
        document.addEventListener('keydown', state.keydown);
        document.addEventListener('keyup', state.keyup);
        """,
        "remove": """
        document.removeEventListener('keydown', state.keydown);
        document.removeEventListener('keyup', state.keyup);
        """,
    }


class WindowSize(pn.reactive.ReactiveHTML):
    """Reports the width and height the page has: the browser window's, or a notebook output's width (there
    the window is wider than the output). Sent on load and after each resize, so the page can size its views.

    An invisible element; no script from anywhere else."""

    page_width = param.Integer(default=0, doc="Pixels of width the page has (0: not reported yet).")
    page_height = param.Integer(default=0, doc="Pixels of height the browser window has.")

    _template = '<div id="window-size" style="display: none"></div>'

    _scripts = {
        "render": """
        state.report = () => {
          let host = view.el
          while (host.getRootNode() !== document && host.getRootNode().host) host = host.getRootNode().host
          const output = host.closest('.jp-OutputArea-output, .output_subarea, .cell-output')
          data.page_width = output ? output.clientWidth : document.documentElement.clientWidth
          data.page_height = window.innerHeight
        }
        state.resized = () => { clearTimeout(state.timer); state.timer = setTimeout(state.report, 200) }
        window.addEventListener('resize', state.resized)
        setTimeout(state.report, 0)
        """,
        "remove": "window.removeEventListener('resize', state.resized)",
    }
