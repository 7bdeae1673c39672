"""A class on one server: frames/s and widget latency for 1, 4 and 8 sessions training at once.

    python benchmarks/load.py [--sessions 1 4 8] [--seconds 15]

For each count of sessions, starts `ganlab-panel serve` (the deployment command: its session lifetime,
one BLAS thread) as a child process, opens that many sessions with Bokeh's own Python client over the
websocket, presses Play in each, and measures over the window:
  - frames/s per session: packets of the 'frame-packet' source received (min and median),
  - iterations/s per session, read from the iteration counter the packets carry,
  - widget-to-update latency: about once a second each client toggles the 'Generator manifold' layer
    checkbox and times until the server's change of the 'manifold' renderer's visibility comes back (p95),
  - the server's CPU (percent of one core; it is one process, so 100 % is its ceiling) and this
    client process's own CPU.
Each client behaves like the page: it acknowledges every packet (after --paint-ms, the browser's paint)
by setting the 'frame-ack' source's tags, as views/frame_channel.py's UNPACK_JS does; the server stops drawing
for a session with 3 frames unacknowledged. Real browsers are not used: 8 Chromiums painting at 20
frames/s need more than this 2-core machine, and their work would be charged to the server.
Targets (issue 5): with 8 sessions every session >= 5 frames/s, and widget latency p95 <= 300 ms.
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
    """`ganlab-panel serve` in a child process, with its CPU time and resident memory readable."""

    def __init__(self, log=subprocess.DEVNULL):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/app"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ganlab_panel", "serve", "--port", str(self.port), "--address", "127.0.0.1",
             "--allow-websocket-origin", f"127.0.0.1:{self.port}"],
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
    def pid(self) -> int:
        """The Python process serving (`ganlab-panel serve` runs `panel serve` as its child)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0]) if children else self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class Student(threading.Thread):
    """One session driven like a browser tab, in its own thread and IO loop."""

    def __init__(self, url: str, paint_s: float = 0.02, probe_s: float = 1.0):
        super().__init__(daemon=True)
        self.url, self.paint_s, self.probe_s = url, paint_s, probe_s
        self.ready = threading.Event()
        self.frames: list[float] = []  # arrival times of packets
        self.iterations: list[tuple[float, int]] = []
        self.latencies: list[tuple[float, float]] = []  # (probe start, seconds until the change came back)
        self.probing = False
        self.error: BaseException | None = None
        self._probe: tuple[float, bool] | None = None

    # -- the client's own thread --------------------------------------------------------------------
    def run(self) -> None:
        from bokeh.client import pull_session
        from bokeh.events import DocumentReady
        from bokeh.models import Button, CheckboxGroup
        from tornado.ioloop import IOLoop

        import ganlab_panel.serving.page_hooks  # noqa: F401 (its component's model must be known to decode the page)

        try:
            self.loop = IOLoop()
            self.session = pull_session(url=self.url, io_loop=self.loop)
            doc = self.session.document
            self.packet = doc.select_one({"name": "frame-packet"})
            self.ack = doc.select_one({"name": "frame-ack"})
            self.manifold = doc.select_one({"name": "manifold"})
            self.play_button = next(m for m in doc.select({"type": Button}) if m.label == "Play")
            self.layers = next(m for m in doc.select({"type": CheckboxGroup}) if MANIFOLD_LABEL in m.labels)
            self.packet.on_change("data", self._on_packet)
            self.manifold.on_change("visible", self._on_visible)
            # as BokehJS does once the page is rendered: Panel holds a session's periodic callbacks until then
            doc.callbacks.send_event(DocumentReady())
        except BaseException as error:
            self.error = error
            raise
        finally:
            self.ready.set()
        self.loop.run_sync(self._receive)

    async def _receive(self) -> None:
        """Apply the server's changes until the connection closes. Bokeh's own loop (`loop_until_closed`)
        recurses once per message and fails after a few hundred frames; this is the same loop, flat."""
        connection = self.session._connection
        while (message := await connection._pop_message()) is not None:
            if message.msgtype == "PATCH-DOC":
                self.session._handle_patch(message)

    def _on_packet(self, _attr, _old, new) -> None:
        now = time.perf_counter()
        layout = json.loads(new["layout"][0])
        self.frames.append(now)
        for _id, _name, kind, value, _rollover in layout["entries"]:
            match = ITERATION.match(value) if kind == "text" else None
            if match:
                self.iterations.append((now, int(match.group(1))))
        frame = layout["frame"]
        self.loop.call_later(self.paint_s, lambda: setattr(self.ack, "tags", [frame]))

    def _on_visible(self, _attr, _old, new) -> None:
        if self._probe is not None and new == self._probe[1]:
            self.latencies.append((self._probe[0], time.perf_counter() - self._probe[0]))
            self._probe = None

    def _toggle_manifold(self) -> None:
        if not self.probing:
            return
        index = self.layers.labels.index(MANIFOLD_LABEL)
        self._probe = (time.perf_counter(), not self.manifold.visible)
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


def client(url: str, paint_s: float) -> None:
    """Child process: one student. Commands on stdin (play, start, stop), answers on stdout."""
    student = Student(url, paint_s=paint_s)
    student.start()
    student.ready.wait(120)
    if student.error is not None:
        raise SystemExit(f"the client could not open the app: {student.error!r}")
    print("ready", flush=True)
    for command in sys.stdin:
        command = command.strip()
        if command == "play":
            student.click_play()
            wait_for(lambda: student.play_button.label == "Pause", "the session to play")
            student.start_probing()
        elif command == "start":
            start, cpu0 = time.perf_counter(), time.process_time()
        elif command == "stop":
            end, cpu = time.perf_counter(), time.process_time() - cpu0
            seen = [(t, i) for t, i in student.iterations if start <= t < end]
            print(json.dumps({
                "fps": sum(start <= t < end for t in student.frames) / (end - start),
                "its": (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0]) if len(seen) > 1 else 0.0,
                "latencies": [lat for t, lat in student.latencies if start <= t < end],
                "cpu": cpu,
            }), flush=True)  # fmt: skip
            student.close()
            student.join(30)
            return
        print("ok", flush=True)


class Class:
    """`count` client processes (one each: Bokeh's client decodes frames in Python, and eight of them
    sharing one interpreter's lock would delay their acknowledgements more than the server does)."""

    def __init__(self, url: str, count: int, paint_s: float):
        self.clients = []
        for _ in range(count):  # one at a time, as a class arrives
            child = subprocess.Popen(
                [sys.executable, __file__, "--client", url, "--paint-ms", str(paint_s * 1000)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            self.clients.append(child)
            self._expect(child, "ready")

    def tell(self, command: str) -> list[str]:
        for child in self.clients:
            child.stdin.write(command + "\n")
            child.stdin.flush()
        return [self._expect(child) for child in self.clients]

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


def measure(count: int, seconds: float, warmup: float, paint_s: float) -> dict:
    server = AppServer()
    students = None
    try:
        students = Class(server.url, count, paint_s)
        students.tell("play")
        time.sleep(warmup)
        students.tell("start")
        start, server0 = time.perf_counter(), server.cpu_seconds()
        time.sleep(seconds)
        results = [json.loads(line) for line in students.tell("stop")]
        wall, server_cpu = time.perf_counter() - start, server.cpu_seconds() - server0
    finally:
        if students is not None:
            students.close()
        server.stop()
    fps = [r["fps"] for r in results]
    rates = [r["its"] for r in results]
    latencies = sorted(lat for r in results for lat in r["latencies"])
    return {
        "sessions": count,
        "fps_min": min(fps),
        "fps_median": statistics.median(fps),
        "its_median": statistics.median(rates),
        "its_total": sum(rates),
        "p50_ms": latencies[len(latencies) // 2] * 1e3 if latencies else float("nan"),
        "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] * 1e3 if latencies else float("nan"),
        "probes": len(latencies),
        "server_cpu": server_cpu / wall * 100,
        "client_cpu": sum(r["cpu"] for r in results) / wall * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seconds", type=float, default=15.0, help="measuring window per count")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of play before the window")
    parser.add_argument("--paint-ms", type=float, default=20.0, help="delay before a client acknowledges a frame")
    parser.add_argument("--client", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args.client, args.paint_ms / 1000)
        return
    print(
        f"{'sessions':>8} {'frames/s min':>12} {'median':>7} {'it/s/session':>12} {'it/s total':>10} "
        f"{'latency p50':>11} {'p95 ms':>7} {'probes':>6} {'server CPU':>10} {'clients CPU':>11}"
    )
    for count in args.sessions:
        r = measure(count, args.seconds, args.warmup, args.paint_ms / 1000)
        print(
            f"{r['sessions']:>8} {r['fps_min']:>12.1f} {r['fps_median']:>7.1f} {r['its_median']:>12.0f} "
            f"{r['its_total']:>10.0f} {r['p50_ms']:>11.0f} {r['p95_ms']:>7.0f} {r['probes']:>6} "
            f"{r['server_cpu']:>9.0f}% {r['client_cpu']:>10.0f}%",
            flush=True,
        )
    print("targets with 8 sessions: frames/s min >= 5, latency p95 <= 300 ms")


if __name__ == "__main__":
    main()
