"""Bounded time series of losses and metrics: old points are merged in pairs so memory stays flat."""

from __future__ import annotations

import numpy as np


class History:
    """Append-only series keyed by name, each at most `capacity` points however long training runs.

    When a series fills up, its older half is averaged in pairs: recent training keeps full resolution,
    early training keeps its shape at coarser resolution. Amortised O(1) per point.
    """

    def __init__(self, capacity: int = 2000):
        if capacity < 4:
            raise ValueError("history capacity must be at least 4")
        self.capacity = capacity
        self._series: dict[str, tuple[list, list]] = {}

    def append(self, iteration: float, **values: float) -> None:
        for name, value in values.items():
            xs, ys = self._series.setdefault(name, ([], []))
            xs.append(iteration)
            ys.append(value)
            if len(xs) > self.capacity:
                self._compact(xs, ys)

    def _compact(self, xs: list, ys: list) -> None:
        half = (self.capacity // 2) & ~1  # an even count of old points, merged pairwise
        for data in (xs, ys):
            old = np.asarray(data[:half], dtype=float).reshape(-1, 2).mean(axis=1)
            data[:half] = old.tolist()

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, values) of one series; empty arrays when it has no points yet."""
        xs, ys = self._series.get(name, ([], []))
        return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)

    def names(self) -> list[str]:
        return list(self._series)

    def last(self, name: str, default: float = float("nan")) -> float:
        ys = self._series.get(name, ([], []))[1]
        return ys[-1] if ys else default

    def clear(self) -> None:
        self._series.clear()

    def __len__(self) -> int:
        return max((len(xs) for xs, _ in self._series.values()), default=0)
