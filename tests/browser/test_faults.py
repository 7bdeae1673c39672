"""Faults in the served app, seen in the browser: training that diverges pauses, says what diverged and
what to do, keeps its last good frame on screen and recovers with Reset; an exception in one session's
training loop is shown to that session and logged once, and other sessions train on.

The faults come from tests/browser/fault_app.py, served by a server of this module's own."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import numpy as np
import pytest

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.trainer import Trainer
from tests.browser.conftest import Server, Tabs, wait_until
from tests.browser.fault_app import DIVERGING, FAILURE

pytestmark = pytest.mark.browser

LOOP_ERROR = "training stopped by an unexpected error"
"""The server log line the app writes, with a traceback, when its loop catches an exception."""


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("fault-server"), ["--liveness"], app=Path(__file__).with_name("fault_app.py"))
    yield srv
    srv.stop()


@pytest.fixture
def open_fault_tab(browser, fault_server):
    """Opens a tab (its own session) on /fault_app?fault=...; afterwards fails on browser console errors
    and on server log errors other than the `expected_errors` loop errors a test announces."""
    tabs = Tabs(browser, fault_server)

    def open_fault_tab(fault: str):
        return tabs(f"?fault={fault}")

    open_fault_tab.expected_errors = 0
    yield open_fault_tab
    tabs.close()
    log = fault_server.log()[tabs.log_start :]
    assert log.count(LOOP_ERROR) == log.count("Traceback") == open_fault_tab.expected_errors, log
    unexpected = [
        line for line in fault_server.problems(tabs.log_start) if LOOP_ERROR not in line and "Traceback" not in line
    ]
    assert not unexpected, f"server log errors during the test: {unexpected}"


def divergence_text(app) -> str:
    alert = app.page.locator(".divergence")
    return alert.locator("div").first.inner_text() if alert.is_visible() else ""


def replayed_frame(optimizer_changes: list[dict], iterations: int):
    """The frame the served session shows at `iterations`, trained again here from the same settings."""
    trainer = Trainer(GanConfig(**DIVERGING))
    for change in optimizer_changes:
        trainer.config.update(change)
    assert trainer.train(iterations) == iterations and not trainer.diverged
    return trainer.frame()


def test_divergence_pauses_names_the_network_keeps_the_last_good_frame_and_reset_recovers(open_fault_tab):
    app = open_fault_tab("diverge")
    page = app.page
    changes = []
    for network in ("generator", "discriminator"):  # Adam for both, with the settings' buttons
        group = page.locator(f".setting-{network}-optimizer")
        group.get_by_role("button", name="Adam", exact=True).click()
        wait_until(lambda g=group: g.locator(".bk-active").inner_text() == "Adam", f"Adam for the {network}")
        changes.append({f"{network}_optimizer": "adam"})
    heatmap_at_start = app.heatmap()

    app.button("Play").click()  # not app.play(): "Pause" lasts only the few dozen iterations before it diverges
    text = wait_until(lambda: divergence_text(app), "the divergence alert")
    app.button("Play").wait_for()  # it paused by itself
    assert "Training diverged" in text and "lower them" in text and "press Reset" in text, text
    assert re.search(r"The (generator|discriminator)'s (loss|weights)", text), "the alert names the network"
    assert "discriminator 100000, generator 100000" in text, "the alert quotes the learning rates"
    diverged_at = int(re.search(r"at iteration (\d+)", text)[1])

    # The views keep the last good frame: the one of the iteration on the counter, which is before the
    # divergence, finite, and exactly what training up to that iteration draws.
    shown = app.iteration()
    assert 0 < shown < diverged_at
    fake, heatmap = app.samples("fake-samples"), app.heatmap()
    assert heatmap != heatmap_at_start, "training drew frames before it diverged"
    assert all(math.isfinite(v) for point in fake for v in point) and all(math.isfinite(v) for v in heatmap)
    expected = replayed_frame(changes, shown)
    np.testing.assert_allclose(np.array(fake), expected.fake, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array(heatmap), expected.heatmap.ravel(), rtol=1e-5, atol=1e-6)

    app.button("Play").click()  # refused until Reset: nothing trains, nothing is redrawn
    time.sleep(0.5)
    assert app.iteration() == shown and app.samples("fake-samples") == fake
    assert app.button("Play").is_visible() and divergence_text(app)

    for network in ("generator", "discriminator"):  # as the alert says: lower the rates and press Reset
        page.locator(f".setting-{network}-learning-rate select").select_option("0.1")
    app.reset()
    wait_until(lambda: not divergence_text(app), "the alert to go once reset")
    app.play()
    app.wait_for_iteration(diverged_at + 50)
    app.pause()
    assert not divergence_text(app)
    assert all(math.isfinite(v) for point in app.samples("fake-samples") for v in point)


def test_an_error_in_one_sessions_loop_is_shown_there_and_other_sessions_train_on(open_fault_tab, fault_server):
    open_fault_tab.expected_errors = 1
    broken, healthy = open_fault_tab("raise"), open_fault_tab("none")
    healthy.play()
    # Not broken.play(): its loop fails one tick after it starts, so "Pause" may be gone before it is seen.
    broken.button("Play").click()
    notice = wait_until(lambda: FAILURE in broken.notice() and broken.notice(), "the error shown in its tab")
    assert "Training stopped by an unexpected error" in notice
    broken.button("Play").wait_for()  # its loop stopped, visibly
    stopped = broken.counter()
    assert stopped[0] > 0

    healthy.wait_for_iteration(healthy.iteration() + 30)
    assert healthy.button("Pause").is_visible() and FAILURE not in healthy.notice()
    healthy.pause()
    assert broken.counter() == stopped, "the failed session does not go on training or failing"
    assert fault_server.log().count(LOOP_ERROR) >= 1  # counted exactly in the fixture's teardown
