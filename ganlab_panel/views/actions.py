"""Running an action from a widget inside one document hold."""

from __future__ import annotations

import panel as pn


def held(action):
    """`action` run inside one document hold: Panel processes clicks without the document lock, and the views
    change Bokeh models directly (Bokeh refuses unlocked changes when served); one hold also sends one message."""

    def run(*args):
        with pn.io.hold():
            return action(*args)

    return run


def on_click(button: pn.widgets.Button, action) -> None:
    """Run `action` (no arguments) on each click of `button`, inside one document hold."""
    run = held(action)
    button.on_click(lambda _event: run())
