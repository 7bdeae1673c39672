"""A class on one server: frames/s, widget latency and memory for 8, 30 and 60 sessions training at once.

    python benchmarks/load.py [--sessions 8 30 60] [--processes 1 2] [--seconds 15]

For each count of sessions and of processes (default: 1, and one per core), starts `ganlab-panel serve
--processes N` (the deployment command: its session lifetime, one BLAS thread, nginx in front of several
processes) as a child process, opens that many sessions with Bokeh's own Python client over the
websocket (up to 6 sessions per client process, sharing its IO loop), presses Play in each, and measures
over the window:
  - frames/s per session: packets of the 'frame-packet' source received (min and median),
  - iterations/s per session, read from the iteration counter the packets carry,
  - widget-to-update latency: about once a second each client toggles the 'Generator manifold' layer
    checkbox and times until the server's change of the 'manifold' renderer's visibility comes back (p95),
  - the servers' CPU (percent of one core, the `panel serve` processes and nginx's master together;
    one process tops out at 100 %) and the clients' own CPU,
  - client lag: how late the clients' IO loops ran a 20 ms timer (p95 of the worst client): a click's
    answer waits that long in the client before it is timed, so a small figure says the clients measure
    the server, not themselves,
  - memory per session: the servers' resident memory with the sessions open, less before, per session.
Each client behaves like the page: it acknowledges every second packet (after --paint-ms, the browser's paint)
by setting the 'frame-ack' source's tags, as views/frame_channel.py's UNPACK_JS does; the server stops drawing
for a session with 4 frames unacknowledged. Real browsers are not used: 8 Chromiums painting at 20
frames/s need more than this 2-core machine, and their work would be charged to the server. The clients
read only what they measure from each message (the frame number, the counter, the probed change), as a
browser's work happens on the student's own machine.
Targets (issue 16): with 30 sessions every session >= 10 frames/s and widget latency p95 <= 300 ms; with 60,
p95 <= 300 ms (frames may drop, clicks may not). Clients and servers share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ITERATION = re.compile(r"Iteration (\d+)")
MANIFOLD_LABEL = "Generator manifold"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`ganlab-panel serve --processes N` in a child process, with its servers' CPU time and memory readable."""

    def __init__(self, processes: int = 1, log=subprocess.DEVNULL):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/app"
        self.processes = processes
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ganlab_panel", "serve", "--port", str(self.port), "--address", "127.0.0.1",
             "--processes", str(processes)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/liveness", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start in 60 s")

    @property
    def pids(self) -> list[int]:
        """The processes serving: `ganlab-panel serve` runs `panel serve` (and nginx with several) as children."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(c) for c in children] or [self.process.pid]

    def servers(self) -> list[int]:
        """The `panel serve` processes alone."""
        return [p for p in self.pids if b"panel" in Path(f"/proc/{p}/cmdline").read_bytes()]

    def cpu_seconds(self) -> float:
        """CPU time of every process serving (nginx's included)."""
        total = 0.0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_mib(self) -> float:
        """Resident memory of the `panel serve` processes together."""
        total = 0.0
        for pid in self.servers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class Student:
    """One session driven like a browser tab. A client process's students share one IO loop and thread: with a
    thread each, the threads' turns at the interpreter delayed every message read (a browser tab has its own
    process)."""

    def __init__(self, url: str, loop, paint_s: float = 0.02, probe_s: float = 1.0):
        self.url, self.loop, self.paint_s, self.probe_s = url, loop, paint_s, probe_s
        self.frames: list[float] = []  # arrival times of packets
        self.iterations: list[tuple[float, int]] = []
        self.latencies: list[tuple[float, float]] = []  # (probe start, seconds until the change came back)
        self.probing = False
        self._probe: tuple[float, bool] | None = None

    def connect(self) -> None:
        """Open the page (while the IO loop is not running: Bokeh's client runs it until connected)."""
        from bokeh.client import pull_session
        from bokeh.events import DocumentReady
        from bokeh.models import Button, CheckboxGroup

        import ganlab_panel.pages.gan_lab  # noqa: F401 (its components' models must be known to decode the page)

        self.session = pull_session(url=self.url, io_loop=self.loop)
        # a browser's socket sends at once; Tornado's client leaves Nagle's algorithm on, which holds a
        # message's second and third websocket frames for the server's delayed ACK (~40 ms a click)
        self.session._connection._socket._socket.protocol.stream.set_nodelay(True)
        doc = self.session.document
        self.packet = doc.select_one({"name": "frame-packet"})
        self.ack = doc.select_one({"name": "frame-ack"})
        self.manifold = doc.select_one({"name": "manifold"})
        self.play_button = next(m for m in doc.select({"type": Button}) if m.label == "Play")
        self.layers = next(m for m in doc.select({"type": CheckboxGroup}) if MANIFOLD_LABEL in m.labels)
        self.label, self.visible = self.play_button.label, self.manifold.visible
        # as BokehJS does once the page is rendered: Panel holds a session's periodic callbacks until then
        doc.callbacks.send_event(DocumentReady())

    async def _receive(self) -> None:
        """Read the server's messages until the connection closes, without applying them to the document:
        Bokeh's client decodes and applies every frame's buffer (~5 ms of CPU a frame, 1.5 cores for 30
        sessions at 10 frames/s), which on this shared machine would be charged against the server. A browser
        paints frames on its own machine; this client only needs the frame number, the iteration counter and
        the changes its probes wait for, so it picks those out of each message's JSON."""
        connection = self.session._connection
        ids = {self.packet.id: "data", self.manifold.id: "visible", self.play_button.id: "label"}
        while (message := await connection._pop_message()) is not None:
            if message.msgtype != "PATCH-DOC":
                continue
            for event in message.content["events"]:
                if ids.get(event.get("model", {}).get("id")) != event.get("attr"):
                    continue
                if event["attr"] == "data":
                    self._on_packet(dict(event["data"]["entries"])["layout"][0])
                elif event["attr"] == "visible":
                    self._on_visible(event["new"])
                else:
                    self.label = event["new"]

    def _on_packet(self, layout_json: str) -> None:
        now = time.perf_counter()
        layout = json.loads(layout_json)
        self.frames.append(now)
        for _id, _name, kind, value, _rollover in layout["entries"]:
            match = ITERATION.match(value) if kind == "text" else None
            if match:
                self.iterations.append((now, int(match.group(1))))
        if layout["frame"] % 2 == 0:  # the page acknowledges every second frame
            self.loop.call_later(self.paint_s, self._acknowledge, layout["frame"])

    def _acknowledge(self, frame: int) -> None:
        """The page's acknowledgement: the 'frame-ack' source's tags set to the frame painted. Written as the
        PATCH-DOC message Bokeh's client would send, without its serialiser walking the document's ~450
        models for each one."""
        from bokeh.protocol.messages.patch_doc import patch_doc

        event = {"kind": "ModelChanged", "model": {"id": self.ack.id}, "attr": "tags", "new": [frame]}
        message = patch_doc(patch_doc.create_header(), {}, {"events": [event]})
        self.loop.add_callback(self.session._connection.send_message, message)

    def _on_visible(self, visible: bool) -> None:
        if self._probe is not None and visible == self._probe[1]:
            self.latencies.append((self._probe[0], time.perf_counter() - self._probe[0]))
            self._probe = None
        self.visible = visible

    def _toggle_manifold(self) -> None:
        if not self.probing:
            return
        index = self.layers.labels.index(MANIFOLD_LABEL)
        self._probe = (time.perf_counter(), not self.visible)
        self.layers.active = sorted(set(self.layers.active) ^ {index})
        self.loop.call_later(self.probe_s * random.uniform(0.8, 1.2), self._toggle_manifold)

    # -- from any thread ----------------------------------------------------------------------------
    def call(self, action) -> None:
        self.loop.add_callback(action)

    def click_play(self) -> None:
        from bokeh.events import ButtonClick

        self.call(lambda: self.session.document.callbacks.send_event(ButtonClick(self.play_button)))

    def start_probing(self) -> None:
        def begin():
            self.probing = True
            self.loop.call_later(self.probe_s * random.random(), self._toggle_manifold)

        self.call(begin)

    def close(self) -> None:
        self.probing = False
        self.call(self.session.close)


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def client(url: str, paint_s: float, count: int) -> None:
    """Child process: `count` students on one IO loop (its own thread). Commands on stdin (play, start, stop),
    answers on stdout (stop: one JSON list, an entry per student)."""
    import asyncio

    from tornado.ioloop import IOLoop

    loop = IOLoop()
    students = []
    for _ in range(count):  # one at a time, as a class arrives
        student = Student(url, loop, paint_s=paint_s)
        try:
            student.connect()
        except Exception as error:
            raise SystemExit(f"the client could not open the app: {error!r}") from error
        students.append(student)

    async def receive_all():
        await asyncio.gather(*(student._receive() for student in students), return_exceptions=True)

    lags: list[tuple[float, float]] = []  # (when, how late)

    def probe(due: float) -> None:  # how late this client's loop runs a timer: what its reads wait
        now = time.perf_counter()
        lags.append((now, now - due))
        loop.call_later(0.02, probe, now + 0.02)

    loop.add_callback(probe, time.perf_counter())
    reader = threading.Thread(target=loop.run_sync, args=(receive_all,), daemon=True)
    reader.start()
    print("ready", flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "play":
            for student in students:
                student.click_play()
            wait_for(lambda: all(s.label == "Pause" for s in students), "the sessions to play")
            for student in students:
                student.start_probing()
        elif command == "start":
            start, cpu0 = time.perf_counter(), time.process_time()
        elif command == "stop":
            end, cpu = time.perf_counter(), time.process_time() - cpu0
            late = [lag for t, lag in lags if start <= t < end]
            lag_p95 = statistics.quantiles(late, n=20)[-1] if len(late) > 1 else 0.0
            results = []
            for student in students:
                seen = [(t, i) for t, i in student.iterations if start <= t < end]
                results.append({
                    "fps": sum(start <= t < end for t in student.frames) / (end - start),
                    "its": (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0]) if len(seen) > 1 else 0.0,
                    "latencies": [lat for t, lat in student.latencies if start <= t < end],
                    "cpu": cpu / count,
                    "lag_p95": lag_p95,
                })  # fmt: skip
            print(json.dumps(results), flush=True)
            for student in students:
                student.close()
            reader.join(30)
            return
        print("ok", flush=True)


class Class:
    """`count` students in client processes of up to `per_process` each. The clients only read each frame's
    JSON (see Student._receive), so a few sessions share a process well; one process per session would
    cost the machine ~30 interpreters' own upkeep, taken from the same 2 cores as the server."""

    def __init__(self, url: str, count: int, paint_s: float, per_process: int = 6):
        self.clients = []
        sizes = [min(per_process, count - i) for i in range(0, count, per_process)]
        for size in sizes:
            child = subprocess.Popen(
                [sys.executable, __file__, "--client", url, "--paint-ms", str(paint_s * 1000), "--students", str(size)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            self.clients.append(child)
            self._expect(child, "ready")

    def tell(self, command: str) -> list[str]:
        for child in self.clients:
            child.stdin.write(command + "\n")
            child.stdin.flush()
        return [self._expect(child) for child in self.clients]

    def results(self) -> list[dict]:
        """Stop measuring: each student's figures."""
        return [result for line in self.tell("stop") for result in json.loads(line)]

    def close(self) -> None:
        for child in self.clients:
            child.kill()
            child.wait(30)

    @staticmethod
    def _expect(child, answer: str | None = None) -> str:
        line = child.stdout.readline().strip()
        if not line or (answer is not None and line != answer):
            raise RuntimeError(f"a client answered {line!r} (exit status {child.poll()})")
        return line


def measure(count: int, processes: int, seconds: float, warmup: float, paint_s: float, log_path=None) -> dict:
    log = open(log_path, "a") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed with the server)
    server = AppServer(processes, log=log)
    students = None
    try:
        idle_mib = server.rss_mib()
        students = Class(server.url, count, paint_s)
        students.tell("play")
        time.sleep(warmup)
        students.tell("start")
        start, server0 = time.perf_counter(), server.cpu_seconds()
        time.sleep(seconds)
        results = students.results()
        wall, server_cpu = time.perf_counter() - start, server.cpu_seconds() - server0
        per_session_mib = (server.rss_mib() - idle_mib) / count
    finally:
        if students is not None:
            students.close()
        server.stop()
        if log_path:
            log.close()
    fps = [r["fps"] for r in results]
    rates = [r["its"] for r in results]
    latencies = sorted(lat for r in results for lat in r["latencies"])
    return {
        "processes": processes,
        "sessions": count,
        "mib_per_session": per_session_mib,
        "fps_min": min(fps),
        "fps_median": statistics.median(fps),
        "its_median": statistics.median(rates),
        "its_total": sum(rates),
        "p50_ms": latencies[len(latencies) // 2] * 1e3 if latencies else float("nan"),
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] * 1e3 if latencies else float("nan"),
        "probes": len(latencies),
        "server_cpu": server_cpu / wall * 100,
        "client_cpu": sum(r["cpu"] for r in results) / wall * 100,
        "client_lag_p95": max(r["lag_p95"] for r in results) * 1e3,
    }


def main() -> None:
    from ganlab_panel.serving.launcher import default_processes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[8, 30, 60])
    parser.add_argument("--processes", type=int, nargs="+", help="server processes (default: 1 and one per core)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measuring window per count")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of play before the window")
    parser.add_argument("--paint-ms", type=float, default=20.0, help="delay before a client acknowledges a frame")
    parser.add_argument(
        "--server-log",
        metavar="FILE",
        help="append the servers' output here (with GANLAB_PACE_LOG=1 "
        "in the environment: each process's pacing once a second)",
    )
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--students", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.paint_ms / 1000, args.students)
        return
    processes = args.processes or sorted({1, default_processes()})
    print(
        f"{'processes':>9} {'sessions':>8} {'frames/s min':>12} {'median':>7} {'it/s/session':>12} {'it/s total':>10} "
        f"{'latency p50':>11} {'p95 ms':>7} {'probes':>6} {'server CPU':>10} {'clients CPU':>11} {'client lag':>10} "
        f"{'MiB/session':>11}"
    )
    for count in args.sessions:
        for n in processes:
            r = measure(count, n, args.seconds, args.warmup, args.paint_ms / 1000, args.server_log)
            print(
                f"{r['processes']:>9} {r['sessions']:>8} {r['fps_min']:>12.1f} {r['fps_median']:>7.1f} "
                f"{r['its_median']:>12.0f} {r['its_total']:>10.0f} {r['p50_ms']:>11.0f} {r['p95_ms']:>7.0f} "
                f"{r['probes']:>6} {r['server_cpu']:>9.0f}% {r['client_cpu']:>10.0f}% {r['client_lag_p95']:>10.0f} "
                f"{r['mib_per_session']:>11.1f}",
                flush=True,
            )
    print("targets: 30 sessions frames/s min >= 10 and latency p95 <= 300 ms; 60 sessions p95 <= 300 ms")


if __name__ == "__main__":
    main()
