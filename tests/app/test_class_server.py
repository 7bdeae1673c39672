"""A class on one server and past it: how sessions share a process (period, budget), how lateness slows them, and
the nginx in front of several processes."""

from __future__ import annotations

import asyncio
import subprocess
import time

import panel as pn
import pytest

from ganlab_panel import cli
from ganlab_panel.serving import launcher, nginx, sessions
from ganlab_panel.serving.pacing import (
    BUSY_LIMIT,
    BUSY_SHARE,
    DRAW_SHARE,
    LAG_LIMIT_S,
    MAX_METRICS_PERIOD_S,
    MAX_PERIOD_MS,
    MAX_SLOWDOWN,
    METRICS_PERIOD_S,
    OWN_LIMIT,
    PERIOD_MS,
    SATURATED,
    Slowdown,
    metrics_period_s,
    tick_budget,
    tick_period_ms,
)


def test_one_session_draws_at_the_full_rate_and_many_share_the_drawing_time():
    assert tick_period_ms(1, 0.003) == PERIOD_MS
    periods = [tick_period_ms(n, 0.003) for n in (1, 8, 15, 30, 60)]
    assert periods == sorted(periods) and periods[-1] > periods[1]
    for n in (8, 15, 30):  # all sessions' drawing together fits its share of the process (to the 10 ms step)
        assert n * 0.003 <= DRAW_SHARE * (tick_period_ms(n, 0.003) + 5) / 1000
    assert tick_period_ms(15, 0.003) <= 100  # 15 sessions a process at 3 ms a frame: 10 frames/s each
    assert tick_period_ms(1000, 0.01) == MAX_PERIOD_MS  # at least a frame a second, however many
    assert tick_period_ms(15, 0.003, slowdown=2.0) >= 2 * tick_period_ms(15, 0.003) - 10


def test_many_sessions_compute_kl_and_js_less_often():
    periods = [metrics_period_s(n) for n in (1, 2, 4, 8, 30)]
    assert periods[0] == periods[1] == METRICS_PERIOD_S and periods == sorted(periods)
    assert periods[-1] == MAX_METRICS_PERIOD_S  # a class: once a second each, not four times


def test_ticks_of_many_sessions_leave_the_process_room():
    for n in (2, 15, 60):
        period = tick_period_ms(n, 0.003)
        assert tick_budget(n, period) * n == pytest.approx(BUSY_SHARE * period / 1000)


def test_a_late_event_loop_slows_every_session_until_it_is_on_time_again():
    slowdown = Slowdown()
    assert slowdown.observe(0.0) == 1.0
    for _ in range(50):
        slowdown.observe(LAG_LIMIT_S * 3)
    assert slowdown.factor == MAX_SLOWDOWN
    for _ in range(100):
        slowdown.observe(0.001)
    assert slowdown.factor == 1.0
    slowdown.observe(0.0, busy=BUSY_LIMIT + 0.1)  # every core busy: the other processes' clicks wait too
    assert slowdown.factor > 1.0
    assert Slowdown().observe(LAG_LIMIT_S * 3) == 1.0  # one late probe alone (a garbage collection) moves nothing


def test_saturated_cores_slow_the_sessions_faster_than_busy_ones():
    busy, saturated = Slowdown(), Slowdown()
    for _ in range(5):
        busy.observe(0.0, busy=(BUSY_LIMIT + SATURATED) / 2)
        saturated.observe(0.0, busy=1.0)
    assert 1.0 < busy.factor < saturated.factor


def test_a_process_that_takes_its_whole_core_slows_its_sessions_down():
    slowdown = Slowdown()  # a machine with cores to spare, this process at 100 %, its event loop a little late
    for _ in range(3):
        slowdown.observe(0.001, busy=0.6, own=1.0)
    assert slowdown.factor == 1.0, "a process busy training alone, its loop on time, keeps its pace"
    for _ in range(10):
        slowdown.observe(LAG_LIMIT_S / 3, busy=0.6, own=1.0)
    assert slowdown.factor > 1.0
    grown = slowdown.factor
    for _ in range(20):  # still using 85 % of its core: no easing yet
        slowdown.observe(0.001, busy=0.6, own=OWN_LIMIT - 0.05)
    assert slowdown.factor == grown
    for _ in range(100):
        slowdown.observe(0.001, busy=0.6, own=0.5)
    assert slowdown.factor == 1.0


def test_ticks_that_run_back_to_back_let_the_event_loop_read_its_sockets_between():
    def tick():
        start = time.perf_counter()
        while time.perf_counter() - start < 0.005:  # a 5 ms tick
            pass

    async def main():
        allowed = []
        for _ in range(8):  # eight sessions' timers due together
            allowed.append(sessions.tick_may_run())
            if allowed[-1]:
                tick()
                sessions.tick_ran()
        await asyncio.sleep(0)  # the event loop's next turn (it reads its sockets first)
        return allowed, sessions.tick_may_run()

    allowed, next_turn = asyncio.run(main())
    assert allowed[0] and allowed[1], "a few ticks run back to back"
    assert not all(allowed), "the rest wait for the loop's next turn"
    assert next_turn, "which they get"


def test_a_served_process_answers_clicks_on_discrete_widgets_at_once(monkeypatch):
    discrete = (pn.widgets.CheckBoxGroup, pn.widgets.Select, pn.widgets.RadioButtonGroup, pn.widgets.Toggle,
                pn.widgets.Checkbox)  # fmt: skip
    for widget in (pn.widgets.select.SelectBase, pn.widgets.Toggle, pn.widgets.Checkbox, pn.widgets.Switch):
        monkeypatch.setattr(widget, "_debounce", widget._debounce)  # put back after the test
    sessions.answer_clicks_at_once()
    assert all(widget._debounce == 0 for widget in discrete)
    assert pn.widgets.IntSlider._debounce == pn.widgets.TextInput._debounce == 50  # a drag, typing: one change


def test_the_lag_probe_measures_a_blocked_event_loop(monkeypatch):
    probe = sessions.LagProbe()
    monkeypatch.setattr(sessions, "playing_count", lambda: 1)

    async def main():
        probe.start()
        await asyncio.sleep(0.25)
        on_time = probe.lag_s
        time.sleep(0.4)  # a tick that hogs the loop: a click would wait this long
        await asyncio.sleep(0.01)  # the probe due during the block runs now
        return on_time, probe.lag_s, probe.slowdown.factor

    on_time, blocked, factor = asyncio.run(main())
    assert on_time < LAG_LIMIT_S and blocked > 0.2
    assert factor > 1.0, "the blocked loop did not slow the sessions"


def test_serve_with_several_processes_needs_nginx_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(nginx, "find_nginx", lambda: None)
    started = []
    monkeypatch.setattr(launcher, "start", lambda *a, **k: started.append(a))
    assert cli.main(["serve", "--port", "5123", "--processes", "3"]) == 1
    assert "nginx" in capsys.readouterr().err and not started  # nothing was started


def test_serve_defaults_to_one_process_per_core_behind_nginx_or_one_without(monkeypatch, capsys):
    chosen = {}
    monkeypatch.setattr(cli, "_serve_pool", lambda args, extra, n: chosen.setdefault("pool", n) and 0)
    monkeypatch.setattr(launcher, "default_processes", lambda: 4)
    monkeypatch.setattr(nginx, "find_nginx", lambda: "/usr/sbin/nginx")
    cli.main(["serve", "--port", "5123"])
    assert chosen == {"pool": 4}

    class FakeProcess:
        def __init__(self, command, env):
            chosen["one"] = command

        def wait(self):
            return 0

    monkeypatch.setattr(nginx, "find_nginx", lambda: None)
    monkeypatch.setattr(launcher.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(cli.subprocess, "Popen", FakeProcess)
    assert cli.main(["serve", "--port", "5123"]) == 0
    assert "one" in chosen and "nginx is not installed" in capsys.readouterr().err
    assert cli.main(["serve", "--processes", "0"]) == 2


def test_the_nginx_configuration_pins_each_browser_to_the_process_it_reached(tmp_path):
    text = nginx.config("127.0.0.1:5006", ["127.0.0.1:5101", "127.0.0.1:5102"], tmp_path)
    assert "least_conn;" in text and text.count("server 127.0.0.1:51") == 4  # the pool and one upstream each
    assert f"map $cookie_{nginx.COOKIE} $gl_upstream" in text and '"127.0.0.1:5102" gl_127_0_0_1_5102;' in text
    assert f'"{nginx.COOKIE}=$upstream_addr; Path=/' in text  # set only for requests that came through the pool
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "proxy_read_timeout 3600s;" in text
    assert "large_client_header_buffers" in text  # Bokeh's session token rides in a websocket header


def test_nginx_site_for_several_machines_is_a_valid_nginx_configuration(tmp_path, capsys):
    assert cli.main(["nginx-site", "--listen", "8080", "--server-name", "lab.school.example",
                     "--backend", "10.0.0.11:5101", "--backend", "10.0.0.12:5101"]) == 0  # fmt: skip
    site = tmp_path / "ganlab.conf"
    site.write_text(capsys.readouterr().out)
    assert "server 10.0.0.11:5101;" in site.read_text() and "server_name lab.school.example;" in site.read_text()
    temp = "".join(f"{kind}_temp_path {tmp_path / kind};\n" for kind in nginx.TEMP_FOLDERS)
    wrapper = tmp_path / "nginx.conf"
    wrapper.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                       f"http {{\n{temp}include {site};\n}}\n")  # fmt: skip
    checked = subprocess.run([nginx.find_nginx(), "-t", "-q", "-c", str(wrapper), "-p", str(tmp_path)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert cli.main(["nginx-site", "--backend", "10.0.0.11"]) == 2  # no port: refused with a message
