"""The server's memory as a class comes and goes: 50 sessions opened and closed, 10 at a time.

    python benchmarks/memory.py [--sessions 50] [--batch 10] [--play 2]

Starts `ganlab-panel serve` (as benchmarks/load.py does) and, for each batch, opens that many sessions with
Bokeh's Python client, plays each for --play seconds, switches it to the ring distribution (new networks)
and plays on briefly, closes them all, waits until the server has destroyed them (its unused-session
lifetime is 1 s), and prints the server's resident memory. A session that left something behind (a running
callback, a document, a trainer) shows as memory that grows with every batch.
"""

from __future__ import annotations

import argparse
import time

from load import AppServer, Student, wait_for

DESTROYED_S = 3.0
"""Seconds after the last tab closes by which the server has destroyed its sessions (lifetime 1 s, checked
every 0.5 s)."""


def batch(url: str, count: int, play_s: float) -> int:
    """Open `count` sessions, train in each, change its distribution, close them; the iterations trained."""
    from panel.models import ReactiveHTML

    students = []
    for _ in range(count):
        student = Student(url, probe_s=1e9)
        student.start()
        student.ready.wait(120)
        if student.error is not None:
            raise RuntimeError("a client could not open the app") from student.error
        students.append(student)
    for student in students:
        student.click_play()
    wait_for(lambda: all(s.label == "Pause" for s in students), "every session to play")
    time.sleep(play_s)
    for student in students:  # a click on the ring's thumbnail, as the picker's script reports one
        picker = next(
            m for m in student.session.document.select({"type": ReactiveHTML}) if "picked" in m.data.properties()
        )
        student.call(lambda p=picker: setattr(p.data, "picked", f"ring#{time.time()}"))
    time.sleep(play_s / 2)
    trained = sum(s.iterations[-1][1] for s in students if s.iterations)
    for student in students:
        student.close()
    for student in students:
        student.join(30)
    return trained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--play", type=float, default=2.0, help="seconds each session trains before switching")
    args = parser.parse_args()
    server = AppServer()
    try:
        time.sleep(1.0)
        start = server.rss_mib()
        print(f"{'sessions':>8} {'server RSS MiB':>14} {'since start':>11}")
        print(f"{0:>8} {start:>14.1f} {0:>+11.1f}", flush=True)
        rss = []
        for opened in range(args.batch, args.sessions + 1, args.batch):
            batch(server.url, args.batch, args.play)
            time.sleep(DESTROYED_S)
            rss.append(server.rss_mib())
            print(f"{opened:>8} {rss[-1]:>14.1f} {rss[-1] - start:>+11.1f}", flush=True)
    finally:
        server.stop()
    if len(rss) > 1:
        growth = rss[-1] - rss[0]
        later = args.sessions - args.batch
        print(
            f"after the first {args.batch} sessions: {growth:+.1f} MiB over {later} more "
            f"({growth * 1024 / later:+.0f} KiB per session)"
        )


if __name__ == "__main__":
    main()
