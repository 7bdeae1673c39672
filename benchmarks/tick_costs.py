"""What each drawn tick of a playing GanLab costs, timed from outside: the app keeps no bookkeeping for
benchmarks. Wraps the page's play-loop tick, trainer.train and trainer.frame on that one object: what a tick
costs beyond training and making the frame is showing it (the views, Bokeh's serialisation and the websocket
writes, which happen when the tick's document hold ends)."""

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
        trainer, loop = app.trainer, app._loop
        train, frame, tick = trainer.train, trainer.frame, loop.tick

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

        def timed_tick():
            self._frame, self._train_s = None, 0.0
            start, cpu = time.perf_counter(), time.thread_time()
            train_cpu = [0.0]

            def counted_train(iterations):
                before = time.thread_time()
                done = timed_train(iterations)
                train_cpu[0] = time.thread_time() - before
                return done

            trainer.train = counted_train
            try:
                tick()
            finally:
                trainer.train = timed_train
            if app.playing and self._frame is not None:  # a drawn tick
                frame_s, frame_cpu_s = self._frame
                wall = time.perf_counter() - start - self._train_s - frame_s
                cpu = time.thread_time() - cpu - train_cpu[0] - frame_cpu_s
                self.append(TickCost(self._train_s, frame_s, wall, frame_cpu_s, cpu))

        trainer.train, trainer.frame, loop.tick = timed_train, timed_frame, timed_tick
