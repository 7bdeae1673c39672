"""The page keeps up with training: what it shows is the current state, not a backlog of old frames."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser


def test_pause_takes_effect_promptly_after_training_a_while(app):
    # Frames must not queue up faster than the page draws them: after several seconds of training the page
    # still shows the current state, so Pause shows within a few seconds, not after a backlog of frames.
    app.play()
    time.sleep(8)
    app.button("Pause").click()
    app.button("Play").wait_for(timeout=5_000)
    shown = app.counter()
    time.sleep(0.5)
    assert app.counter() == shown
