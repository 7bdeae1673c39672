"""`ganlab-panel serve`: one `panel serve` process, or several behind nginx, started, watched and stopped here.

One Bokeh server runs all its sessions on one Python thread, so one process tops out at one core. With
`processes` > 1 this starts that many `panel serve` processes on free ports of 127.0.0.1 and nginx in front
(serving/nginx.py keeps each browser on one process). A process that dies is started again on its port; Ctrl-C
or SIGTERM stops them all, and each child also dies with this one (Linux's parent-death signal), so no
process is left behind. Bokeh's own `--num-procs` is not used: it forks with one shared socket, so a page's
request and its websocket may reach different processes (holoviz/panel#6678).
"""

from __future__ import annotations

import contextlib
import ctypes
import getpass
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ganlab_panel.serving import nginx

ROOT = Path(__file__).resolve().parents[2]
APPS = [ROOT / "ganlab_panel" / "app.py", ROOT / "ganlab_panel" / "compare.py"]
SESSION_LIFETIME_MS = 1000  # a closed tab's session (and its trainer) is destroyed about a second later
SESSION_CHECK_MS = 500
START_TIMEOUT_S = 60.0
RESTARTS = 5
"""A process that dies is started again at most this many times in a row, then the server stops with an error."""


class ServeError(RuntimeError):
    """The server could not start (nginx missing, a process that never listened): one line for the user."""


def default_processes() -> int:
    """One process per core this command may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def panel_command(port: int, address: str | None, extra: list[str]) -> list[str]:
    """`panel serve` for both pages on `port`, with the session lifetime the app relies on."""
    command = [sys.executable, "-m", "panel", "serve", *map(str, APPS), "--port", str(port)]
    if address:
        command += ["--address", address]
    command += ["--unused-session-lifetime", str(SESSION_LIFETIME_MS), "--check-unused-sessions", str(SESSION_CHECK_MS)]
    return command + [a for a in extra if a != "--"]


def environment() -> dict:
    env = dict(os.environ)
    # The app imports ganlab_panel, which a checkout that is not pip-installed only has on this path.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    # one BLAS thread per server: the NumPy engine's small products only lose from a second one, and
    # sessions already share the cores (benchmarks/speed.py; engines/base.py NUMPY_FASTER_UP_TO)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the parent dies, even from SIGKILL (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(command: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None, **kwargs)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_listening(host: str, port: int, process: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"{Path(process.args[0]).name} exited with status {process.returncode} before listening")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise ServeError(f"nothing listened on {host}:{port} within {timeout:.0f} s")


class ProcessPool:
    """`count` panel servers on 127.0.0.1 behind nginx listening on `address`:`port`."""

    def __init__(self, count: int, port: int, address: str | None, extra: list[str]):
        self.nginx_binary = nginx.find_nginx()
        if self.nginx_binary is None:
            raise ServeError(
                f"--processes {count} needs nginx in front of the processes, and none is installed: "
                "install Debian's (apt install nginx-light) or serve with --processes 1"
            )
        self.port, self.address = port, address
        public = [f"{h}:{port}" for h in ("localhost", "127.0.0.1")] if "--allow-websocket-origin" not in extra else []
        origins = [arg for origin in public for arg in ("--allow-websocket-origin", origin)]
        # the browser's Origin is nginx's host:port, not a process's, hence the origins; X-Forwarded-* for logs
        self.extra = [*extra, *origins, "--use-xheaders"]
        self.ports = [free_port() for _ in range(count)]
        self.folder = Path(tempfile.mkdtemp(prefix="ganlab-nginx-"))
        self.env = environment()
        self.servers: dict[int, subprocess.Popen] = {}
        self.proxy: subprocess.Popen | None = None

    @property
    def backends(self) -> list[str]:
        return [f"127.0.0.1:{p}" for p in self.ports]

    def start(self) -> None:
        for port in self.ports:
            self.servers[port] = start(panel_command(port, "127.0.0.1", self.extra), env=self.env)
        for port, process in self.servers.items():
            wait_listening("127.0.0.1", port, process)
        listen = f"{self.address}:{self.port}" if self.address else str(self.port)
        user = getpass.getuser() if os.geteuid() == 0 else None  # as root, workers run as this same user
        for kind in nginx.TEMP_FOLDERS:
            (self.folder / kind).mkdir(exist_ok=True)
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx.config(listen, self.backends, self.folder, user))
        self.proxy = start(
            [self.nginx_binary, "-q", "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_listening(self.address or "127.0.0.1", self.port, self.proxy, timeout=15)
        except ServeError as error:
            message = self.proxy.stderr.read() if self.proxy.poll() is not None else ""
            raise ServeError(f"nginx did not start: {message.strip() or error}") from None

    def watch(self) -> int:
        """Keep the processes up until interrupted; returns the exit status."""
        failures = 0
        while True:
            time.sleep(0.5)
            if self.proxy.poll() is not None:
                print(f"ganlab-panel: nginx exited ({self.proxy.returncode}); stopping", file=sys.stderr)
                return 1
            for port, process in self.servers.items():
                if process.poll() is None:
                    continue
                failures += 1
                if failures > RESTARTS:
                    print("ganlab-panel: a server process keeps exiting; stopping", file=sys.stderr)
                    return 1
                print(f"ganlab-panel: the process on port {port} exited ({process.returncode}); starting it again",
                      file=sys.stderr)  # fmt: skip
                self.servers[port] = start(panel_command(port, "127.0.0.1", self.extra), env=self.env)

    def stop(self) -> None:
        """Stop nginx first (no new requests), then every server; kill what has not ended within 10 s."""
        processes = [p for p in (self.proxy, *self.servers.values()) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for child in sorted(self.folder.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        self.folder.rmdir()


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # a service manager's SIGTERM stops the pool as Ctrl-C does


def serve_pool(count: int, port: int, address: str | None, extra: list[str], on_ready=None) -> int:
    """Serve with `count` processes behind nginx until Ctrl-C or SIGTERM; returns the exit status."""
    pool = ProcessPool(count, port or free_port(address or "127.0.0.1"), address, extra)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        pool.start()
        if on_ready is not None:
            on_ready(pool.port)
        return pool.watch()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        pool.stop()
