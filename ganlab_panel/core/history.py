"""Bounded time series of losses and metrics: neighbouring points are merged in pairs so memory stays flat."""

from __future__ import annotations

import numpy as np


class _Series:
    """One series: stored points each average `stride` appended values, plus a partial block in progress."""

    __slots__ = ("xs", "ys", "stride", "pending_x", "pending_y", "pending", "last")

    def __init__(self):
        self.xs, self.ys = [], []
        self.stride = 1
        self.pending_x = self.pending_y = 0.0
        self.pending = 0
        self.last = float("nan")


class History:
    """Append-only series keyed by name, each at most `capacity` points however long training runs.

    When a series fills up, all its points are averaged in neighbouring pairs and later points are
    averaged in blocks of the doubled size: the whole run stays covered at an even resolution (the first
    point stays near the start, the last is the latest block). Amortised O(1) per point.
    """

    def __init__(self, capacity: int = 2000):
        if capacity < 4:
            raise ValueError("history capacity must be at least 4")
        self.capacity = capacity
        self._series: dict[str, _Series] = {}

    def append(self, iteration: float, **values: float) -> None:
        for name, value in values.items():
            s = self._series.get(name)
            if s is None:
                s = self._series[name] = _Series()
            s.last = value
            s.pending_x += iteration
            s.pending_y += value
            s.pending += 1
            if s.pending == s.stride:
                s.xs.append(s.pending_x / s.stride)
                s.ys.append(s.pending_y / s.stride)
                s.pending_x = s.pending_y = 0.0
                s.pending = 0
                if len(s.xs) >= self.capacity:  # leave room for the partial block shown by `series`
                    self._compact(s)

    @staticmethod
    def _compact(s: _Series) -> None:
        if len(s.xs) % 2:  # an odd last point is half of the next, doubled block
            s.pending_x, s.pending_y = s.xs.pop() * s.stride, s.ys.pop() * s.stride
            s.pending = s.stride
        s.xs = np.asarray(s.xs, dtype=float).reshape(-1, 2).mean(axis=1).tolist()
        s.ys = np.asarray(s.ys, dtype=float).reshape(-1, 2).mean(axis=1).tolist()
        s.stride *= 2

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, values) of one series; empty arrays when it has no points yet."""
        s = self._series.get(name)
        if s is None:
            return np.empty(0), np.empty(0)
        xs, ys = list(s.xs), list(s.ys)
        if s.pending:
            xs.append(s.pending_x / s.pending)
            ys.append(s.pending_y / s.pending)
        return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)

    def names(self) -> list[str]:
        return list(self._series)

    def last(self, name: str, default: float = float("nan")) -> float:
        """The latest value appended (not averaged)."""
        s = self._series.get(name)
        return s.last if s is not None else default

    def clear(self) -> None:
        self._series.clear()

    def truncate(self, iteration: float) -> None:
        """Forget points after `iteration` (going back to an earlier state). An averaged point counts by
        its mean iteration; a partial block reaching past `iteration` goes whole."""
        for name, s in list(self._series.items()):
            if s.pending and s.pending_x / s.pending > iteration:
                s.pending_x = s.pending_y = 0.0
                s.pending = 0
            keep = int(np.searchsorted(s.xs, iteration, side="right"))
            del s.xs[keep:], s.ys[keep:]
            if s.pending:
                s.last = s.pending_y / s.pending
            elif s.xs:
                s.last = s.ys[-1]
            else:
                del self._series[name]

    def __len__(self) -> int:
        return max((len(s.xs) + (s.pending > 0) for s in self._series.values()), default=0)
