"""Serve the app with `panel serve` and drive it with Debian's Chromium through Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (installed by scripts/test.sh).
The tests read what the browser holds: widget text through Playwright locators (they pierce Panel's
shadow DOM) and plot data through BokehJS models found by their stable `name`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ganlab_panel.serving import launcher

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # scripts/chromium.py: the one place Chromium's path and flags live
from chromium import CHROMIUM  # noqa: E402

TIMEOUT = 30.0
"""Seconds any awaited condition may take: generous, the machine is shared and has two cores."""
SERVER_PROBLEMS = re.compile(r"Traceback|\bERROR\b|Exception in callback|failed with following error")
"""Log lines that report a fault; the last is Panel's warning for a session hook (e.g. on_session_destroyed)."""
SESSION_DESTROYED = re.compile(r"Session \d+ destroyed")
"""Panel's INFO line once a session's hooks have run, about a second after its tab closed (as served by the CLI)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `panel serve ganlab_panel/app.py` (or another app script) process whose log the tests can read."""

    def __init__(self, tmp_path: Path, extra_args=(), app: Path = ROOT / "ganlab_panel" / "app.py", also=()):
        """Serves `app` (self.url) and the scripts `also` beside it (e.g. compare.py: the page's links to it)."""
        self.port = _free_port()
        self.log_path = tmp_path / "server.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (open for the server's lifetime, closed in stop)
        # Panel's own INFO lines (sessions created, the app's pn.state.log notes) go to the log too.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PANEL_LOG_LEVEL": "info"}
        # fmt: off
        self.process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", str(app), *map(str, also),
             "--port", str(self.port), "--address", "127.0.0.1",
             "--allow-websocket-origin", f"127.0.0.1:{self.port}",
             # closed tabs' sessions end as soon as under `ganlab-panel serve`
             "--unused-session-lifetime", str(launcher.SESSION_LIFETIME_MS),
             "--check-unused-sessions", str(launcher.SESSION_CHECK_MS), *extra_args],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env,
        )
        # fmt: on
        self.url = f"http://127.0.0.1:{self.port}/{app.stem}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"panel serve exited:\n{self.log()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/liveness", timeout=1)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"panel serve did not start in 60 s:\n{self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def problems(self, since: int = 0) -> list[str]:
        """Log lines from character `since` on that report a traceback or an error."""
        return [line for line in self.log()[since:].splitlines() if SERVER_PROBLEMS.search(line)]

    def destroyed_sessions(self, since: int = 0) -> int:
        """How many sessions the server has destroyed since log character `since`."""
        return len(SESSION_DESTROYED.findall(self.log()[since:]))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def wait_until(condition, message: str, timeout: float = TIMEOUT, interval: float = 0.05):
    """Poll `condition()` until it returns something truthy, and return that; fail with `message` if never."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s: {message}")
        time.sleep(interval)


_COLUMNS_JS = """([name, columns]) => {
  const model = Bokeh.documents[0].get_model_by_name(name);
  const data = model.data_source.data;
  const plain = (column) => Array.from(column, (v) => (v != null && v.length !== undefined ? Array.from(v) : v));
  return Object.fromEntries(columns.map((c) => [c, plain(data[c])]));
}"""

_PLOT_BOX_JS = """(name) => {
  // The screen position of data (0, 0) and (1, 1) on the plot that holds renderer `name`.
  const doc = Bokeh.documents[0];
  const renderer = doc.get_model_by_name(name);
  const plot = [...doc.all_models].find((m) => m.renderers && m.renderers.includes(renderer));
  const view = Bokeh.index.find_one(plot);
  view.canvas_view.el.scrollIntoView({block: 'center'});
  const box = view.canvas_view.el.getBoundingClientRect();
  const {x_scale, y_scale} = view.frame;
  return {left: box.left + x_scale.compute(0), right: box.left + x_scale.compute(1),
          bottom: box.top + y_scale.compute(0), top: box.top + y_scale.compute(1)};
}"""

COUNTER = re.compile(r"Iteration (\d+) \(discriminator steps (\d+), generator steps (\d+)\)")
COUNTER_TEXT = re.compile(r"Iteration \d+")
RATE_TEXT = re.compile(r"paused|iterations/s")


class AppPage:
    """One browser tab on the served app, with the reads and actions the tests share."""

    def __init__(self, page):
        self.page = page

    # -- reading what the browser shows --------------------------------------------------------------
    def counter(self) -> tuple[int, int, int]:
        """(iteration, discriminator steps, generator steps) as the toolbar's counter shows them."""
        text = self.page.locator(".iteration-counter").get_by_text(COUNTER_TEXT).first.inner_text()
        match = COUNTER.search(text)
        assert match, f"unexpected counter text {text!r}"
        return tuple(int(g) for g in match.groups())

    def rate(self) -> str:
        """The iterations-per-second readout ('paused' while paused)."""
        return self.page.locator(".iterations-per-second").get_by_text(RATE_TEXT).first.inner_text().strip()

    def iteration(self) -> int:
        return self.counter()[0]

    def columns(self, name: str, *columns: str) -> dict[str, list]:
        """Columns of the data source of the Bokeh renderer `name`, as plain lists."""
        return self.page.evaluate(_COLUMNS_JS, [name, list(columns)])

    def samples(self, name: str) -> list[tuple[float, float]]:
        data = self.columns(name, "x", "y")
        return list(zip(data["x"], data["y"], strict=True))

    def heatmap(self) -> list[float]:
        return self.columns("heatmap", "image")["image"][0]

    def visible(self, name: str) -> bool:
        return self.page.evaluate("(name) => Bokeh.documents[0].get_model_by_name(name).visible", name)

    def plot_box(self, renderer_name: str) -> dict[str, float]:
        return self.page.evaluate(_PLOT_BOX_JS, renderer_name)

    def notice(self) -> str:
        """The text of the notice under the toolbar, or '' while it is hidden."""
        notice = self.page.locator(".notice")
        return notice.locator("div").first.inner_text() if notice.is_visible() else ""

    # -- acting --------------------------------------------------------------------------------------
    def reset(self) -> AppPage:
        """Press Reset (the app opens on the pretrained model) and wait for iteration 0."""
        self.button("Reset").click()
        wait_until(lambda: self.counter() == (0, 0, 0), "Reset to bring the counter to iteration 0")
        return self

    def button(self, label: str):
        return self.page.get_by_role("button", name=label, exact=True)

    def open(self, drawer: str) -> None:
        """Open a drawer of the top bar ('More settings', 'Save and load', 'Timeline', 'Help') as a user
        does, with its button; nothing if it is open already."""
        slug = drawer.lower().replace(" ", "-")
        if not self.page.locator(f".drawer-{slug}").is_visible():
            self.page.locator(f".open-{slug} button").click()
            self.page.locator(f".drawer-{slug}").wait_for(state="visible", timeout=TIMEOUT * 1000)

    def step(self, network: str):
        """The step button 'Generator', 'Discriminator' or 'Both' (the settings cards share these titles)."""
        return self.page.locator(f".step-{network.lower()} button")

    def play(self) -> None:
        self.button("Play").click()
        self.button("Pause").wait_for(timeout=TIMEOUT * 1000)

    def pause(self) -> None:
        """Pause and wait until the server has stopped training (the button says Play again)."""
        self.button("Pause").click()
        self.button("Play").wait_for(timeout=TIMEOUT * 1000)

    def wait_for_iteration(self, at_least: int) -> int:
        return wait_until(
            lambda: (i := self.iteration()) >= at_least and i, f"the counter to reach iteration {at_least}"
        )


def open_app(context, url: str) -> AppPage:
    """A new tab on the app at `url` in `context`, recording browser errors in `app.errors`."""
    tab = context.new_page()
    app = AppPage(tab)
    app.errors = []
    tab.on("console", lambda m: app.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: app.errors.append(str(e)))
    # a console error names no address: record which request failed, so a fault says what the page asked for
    tab.on("requestfailed", lambda r: app.errors.append(f"request failed: {r.url[:200]} ({r.failure})"))
    tab.set_default_timeout(TIMEOUT * 1000)
    tab.goto(url)
    tab.locator(".iteration-counter").get_by_text(COUNTER_TEXT).first.wait_for(timeout=60_000)
    tab.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0", timeout=60_000)
    return app


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs Debian's chromium")
    srv = Server(tmp_path_factory.mktemp("server"), ["--liveness"])
    yield srv
    srv.stop()
    assert not srv.problems(), f"server log has errors:\n{srv.log()}"


class Tabs:
    """Opens tabs on a server's app, each in its own browser context (its own server session); `close()`
    closes them and fails on any browser console error seen meanwhile."""

    def __init__(self, browser, server):
        self.browser, self.server = browser, server
        self.log_start = len(server.log())
        self.opened: list[AppPage] = []

    def __call__(self, query: str = "", clipboard: bool = False, viewport=(1500, 1100)) -> AppPage:
        """A new tab on the app's URL plus `query` (e.g. '?seed=3'), with clipboard access if asked."""
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        if clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"])
        app = open_app(context, self.server.url + query)
        app.context = context
        self.opened.append(app)
        return app

    def close(self) -> None:
        for app in self.opened:
            app.context.close()
        errors = [e for app in self.opened for e in app.errors]
        assert not errors, f"browser console errors: {errors}"
        time.sleep(0.3)  # closing a tab may log, so look at the server's log once it has had a moment


@pytest.fixture
def open_tab(browser, server):
    """Opens tabs on the app (see Tabs); after the test, fails on any browser console error or any server
    log error that appeared during it."""
    tabs = Tabs(browser, server)
    yield tabs
    tabs.close()
    problems = server.problems(tabs.log_start)
    assert not problems, f"server log errors during the test: {problems}"


@pytest.fixture
def app(open_tab) -> AppPage:
    """A fresh tab on the app (its own server session), reset: paused at iteration 0."""
    return open_tab().reset()


@pytest.fixture
def page(app):
    """The Playwright page of `app`, for tests that drive the tab directly."""
    return app.page
