"""`ganlab-panel serve --processes 2`: nginx keeps each browser on one process, two students keep their own
experiments through play, change and pause, and stopping the command leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ganlab_panel.serving import nginx
from tests.browser.conftest import ROOT, open_app, wait_until

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> set[int]:
    """`pid` and every process below it."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(c) for c in children]
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def pool(tmp_path):
    if nginx.find_nginx() is None:
        pytest.fail("nginx is missing: run scripts/test.sh, which installs Debian's nginx-light")
    port = _free_port()
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 (closed below)
    command = [sys.executable, "-m", "ganlab_panel", "serve", "--port", str(port), "--address", "127.0.0.1",
               "--processes", "2"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}/app"

    def up():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/liveness", timeout=2).status < 500
        except urllib.error.HTTPError as error:
            return error.code == 404  # nginx answers and a process behind it too (no liveness route)
        except OSError:
            return False

    wait_until(up, "the pool to answer", timeout=90, interval=0.3)
    yield process, url, port, tmp_path / "serve.log"
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


def test_two_students_keep_their_own_experiment_on_two_processes_and_stop_leaves_nothing(browser, pool):
    process, url, port, log_path = pool
    tree = _tree(process.pid)
    assert len(tree) >= 5, f"expected the command, 2 servers and nginx (master, worker): {tree}"
    contexts = [browser.new_context(viewport={"width": 1500, "height": 1100}) for _ in range(2)]
    try:
        first, second = (open_app(context, url) for context in contexts)
        pins = [next(c["value"] for c in context.cookies() if c["name"] == nginx.COOKIE) for context in contexts]
        assert pins[0] != pins[1], f"both students were sent to one process: {pins}"
        rate = ".setting-generator-learning-rate select"
        first.reset(), second.reset()
        second_rate = second.page.locator(rate).input_value()
        first_rate = "0.03" if second_rate != "0.03" else "0.01"
        first.page.locator(rate).select_option(first_rate)

        first.play()
        first.wait_for_iteration(30)
        assert second.counter() == (0, 0, 0), "training one student's experiment trained the other's"
        first.pause()
        stopped_at = first.counter()
        second.play()
        second.wait_for_iteration(30)
        second.page.locator(rate).select_option("0.001")  # a change while playing, on its own process
        second.wait_for_iteration(second.iteration() + 20)
        second.pause()
        assert first.counter() == stopped_at, "the paused experiment moved while the other trained"
        assert first.page.locator(rate).input_value() == first_rate
        assert second.page.locator(rate).input_value() == "0.001"
        first.play()
        first.wait_for_iteration(stopped_at[0] + 20)  # its session is still there, on its process
        first.pause()
        errors = first.errors + second.errors
        assert not errors, f"browser console errors: {errors}"
    finally:
        for context in contexts:
            context.close()

    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    wait_until(lambda: not any(_alive(pid) for pid in tree), "every process of the pool to end", timeout=15)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    log = log_path.read_text()
    assert "Traceback" not in log and "ERROR" not in log, log


def test_a_killed_command_takes_its_processes_with_it(pool):
    process, _url, port, _log = pool
    tree = _tree(process.pid)
    process.kill()  # no chance to clean up: each child hears of it from the kernel (parent-death signal)
    process.wait()
    wait_until(lambda: not any(_alive(pid) for pid in tree), "every process of the pool to end", timeout=20)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
