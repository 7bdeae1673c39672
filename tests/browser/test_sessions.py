"""Each browser tab is its own experiment, and closing a tab stops its training at once."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

STOPPED = re.compile(r"^(\S+ \S+) .*browser tab closed: training stopped", re.MULTILINE)
"""The server log line the app writes when it stops a session's training because its tab went away."""


def server_cpu_seconds(server) -> float:
    """User + system CPU time the server process has used so far."""
    stat = Path(f"/proc/{server.process.pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_two_sessions_train_independently(open_tab):
    first, second = open_tab().reset(), open_tab().reset()
    rate = ".setting-generator-learning-rate select"
    second_rate = second.page.locator(rate).input_value()
    first.page.locator(rate).select_option("0.03" if second_rate != "0.03" else "0.01")

    first.play()
    first.wait_for_iteration(30)
    assert second.counter() == (0, 0, 0), "training one tab trained the other"
    assert second.button("Play").is_visible()
    assert second.page.locator(rate).input_value() == second_rate, "a setting leaked into the other tab"

    first.pause()
    stopped_at, fake = first.counter(), first.samples("fake-samples")
    second.play()
    second.wait_for_iteration(30)
    second.pause()
    assert first.counter() == stopped_at, "pausing one tab did not hold while the other trained"
    assert first.samples("fake-samples") == fake


def test_closing_a_tab_stops_its_training_at_once(open_tab, server):
    closing, staying = open_tab().reset(), open_tab().reset()
    start = len(server.log())
    closing.play()
    closing.wait_for_iteration(10)

    closed_at = datetime.now()
    closing.context.close()
    # A session outlives its tab by 15-40 s unless the app stops it; the app must notice within a tick or so.
    line = wait_until(lambda: STOPPED.search(server.log(), start), "the server to log that training stopped")
    stopped_at = datetime.strptime(line.group(1), "%Y-%m-%d %H:%M:%S,%f")
    assert (stopped_at - closed_at).total_seconds() < 2.0, f"training stopped {stopped_at - closed_at} after close"
    # and nothing of it is left running on the server (the other tab is open but paused)
    time.sleep(0.3)
    before = server_cpu_seconds(server)
    time.sleep(1.0)
    assert server_cpu_seconds(server) - before < 0.3, "the server keeps working after the tab closed"

    staying.play()  # the other session is unaffected
    staying.wait_for_iteration(10)
    staying.pause()
    assert len(STOPPED.findall(server.log(), start)) == 1, "only the closed tab's session stops"
    # Then the server frees the closed tab's session; its hooks run cleanly (the fixture fails on their errors).
    wait_until(lambda: server.destroyed_sessions(start) >= 1, "the closed tab's session to be destroyed")
    time.sleep(0.3)
