"""Real data from a CSV file: x, y columns (a header is optional), rescaled into the view.

Every bad row is reported with its line number, and nothing is loaded unless the whole file is good:
a teacher fixing a file wants the full list at once, and half a data set would be a silent surprise.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

MAX_BYTES = 1_000_000
"""Largest file read (about 40,000 rows of two numbers)."""
MAX_ROWS = 10_000
"""Most points kept: plenty for a 2-D distribution, and the settings (URL, checkpoints) carry them."""
REPORTED_ROWS = 5
"""Bad rows named in the message; the count says how many there were in all."""
MARGIN = 0.05
"""Points are scaled, keeping their aspect ratio, to fill [MARGIN, 1 - MARGIN] in their longer direction."""


def load_csv_points(source: str | bytes | Path) -> np.ndarray:
    """Parse CSV text, bytes or a file path into an (N, 2) float array in the unit square; raises
    ValueError saying what is wrong (with line numbers) and loads nothing if any row is bad."""
    data = Path(source).read_bytes() if isinstance(source, Path) else source
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ValueError(f"the CSV file is {len(data):,} bytes; at most {MAX_BYTES:,} are read")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(f"the CSV file is not UTF-8 text ({error.reason} at byte {error.start})") from None
    elif len(data) > MAX_BYTES:
        raise ValueError(f"the CSV text is {len(data):,} characters; at most {MAX_BYTES:,} are read")
    return rescale(_parse(data))


def _parse(text: str) -> np.ndarray:
    points, bad, header_seen = [], [], False
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValueError(f"the CSV file cannot be read: {error}") from None
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue  # blank lines are harmless
        if len(cells) < 2:
            bad.append(f"line {line}: expected 2 columns (x, y), got {len(cells)}")
            continue
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            if not points and not header_seen and not bad:  # a header names the columns
                header_seen = True
            else:
                bad.append(f"line {line}: {cells[0]!r}, {cells[1]!r} are not two numbers")
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            bad.append(f"line {line}: {cells[0]!r}, {cells[1]!r} are not finite numbers")
            continue
        points.append((x, y))
        if len(points) > MAX_ROWS:
            raise ValueError(f"the CSV file has more than {MAX_ROWS:,} points; at most {MAX_ROWS:,} are read")
    if bad:
        more = f" (and {len(bad) - REPORTED_ROWS} more)" if len(bad) > REPORTED_ROWS else ""
        raise ValueError(f"{len(bad)} bad row(s) in the CSV file: {'; '.join(bad[:REPORTED_ROWS])}{more}")
    if not points:
        raise ValueError("the CSV file has no points: expected rows of x, y numbers")
    return np.asarray(points, dtype=float)


def rescale(points: np.ndarray) -> np.ndarray:
    """Fit points into the unit square with a margin, keeping their aspect ratio and centring them."""
    largest = float(np.abs(points).max())
    if largest > 1:  # into [-1, 1] first: sums and spans of numbers near float's limit would overflow
        points = points / largest
    low, high = points.min(axis=0), points.max(axis=0)
    span = float((high - low).max())
    if span == 0:
        return np.full_like(points, 0.5)
    # offsets from the low corner over the span: no step overflows or rounds a tiny centre away
    return 0.5 + ((points - low) / span - (high - low) / span / 2) * (1 - 2 * MARGIN)
