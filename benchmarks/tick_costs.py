"""What each drawn tick of a playing GanLab costs, timed from outside: the app keeps no bookkeeping for
benchmarks. Wraps the page's trainer.train, trainer.frame and _show on that one object."""

from __future__ import annotations

import time
from collections import deque
from typing import NamedTuple


class TickCost(NamedTuple):
    """Wall seconds training, making the frame and showing it (views, Bokeh's serialisation and websocket
    writes), then the frame's and the showing's CPU seconds (this thread's)."""

    train_s: float
    frame_s: float
    show_s: float
    frame_cpu_s: float
    show_cpu_s: float


class TickCosts(deque):
    """The latest drawn ticks' TickCosts of `app` while it plays (a deque: clear() starts a new window)."""

    def __init__(self, app, keep: int = 500):
        super().__init__(maxlen=keep)
        self._train_s, self._frame = 0.0, None
        trainer, train, frame, show = app.trainer, app.trainer.train, app.trainer.frame, app._show

        def timed_train(iterations):
            start = time.perf_counter()
            done = train(iterations)
            self._train_s = time.perf_counter() - start
            return done

        def timed_frame(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            made = frame(*args, **kwargs)
            self._frame = (time.perf_counter() - start, time.thread_time() - cpu)
            return made

        def timed_show(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            show(*args, **kwargs)
            if app.playing and self._frame is not None:
                frame_s, frame_cpu_s = self._frame
                shown = (time.perf_counter() - start, time.thread_time() - cpu)
                self.append(TickCost(self._train_s, frame_s, shown[0], frame_cpu_s, shown[1]))
            self._frame = None

        trainer.train, trainer.frame, app._show = timed_train, timed_frame, timed_show
