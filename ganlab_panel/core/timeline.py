"""Timeline: the frames an experiment went through, within a memory cap, with training states kept every
so many iterations so that training can resume from an earlier point (rewind).

When the cap is reached the timeline thins itself, as History does: every other frame goes and the
spacing between kept states doubles. The whole run stays covered, evenly, at a resolution that halves
each time; the first frame and the latest are always kept, and so is the first state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ganlab_panel.core.frame import Frame
from ganlab_panel.core.training_state import TrainingState

MAX_BYTES = 24 * 2**20
"""Frames and states together. At GAN Lab's defaults a frame holds ~15 KB of its own (fake samples,
30 x 30 heatmap, manifold, gradients, predictions: 13.5 KB of float32 plus ~1.8 KB of objects; the real
samples and the noise are the same arrays in every frame of a run and count once) and a state ~5.8 KB
(1.7 KB of weights with SGD; Adam's moments add 3.5 KB). Playing at ~20 frames/s and ~600 iterations/s
a frame comes every ~30 iterations, so 100 iterations cost ~52 KB: 24 MiB holds ~1,500 frames and ~450
states, ~75 s of play and ~45,000 iterations, before the first thinning; after it the whole run stays
covered at half the resolution. Small enough for several sessions on one server (browsers hold none of
it), large enough that scrubbing back through a typical run of a few thousand iterations finds every
frame that was drawn."""

CHECKPOINT_EVERY = 100
"""Iterations between kept training states before any thinning. A state is ~40% of a frame's bytes and
takes ~0.16 ms to copy; every 100 iterations is every ~3 frames while playing, so resuming lands at
most 100 iterations (a blink at 600 iterations/s) before the chosen frame."""

FRAME_OVERHEAD = 1_800
"""Bytes of Python objects per frame beside its arrays' data (the Frame, array headers, its metrics and
heatmap scale; measured with tracemalloc at GAN Lab's defaults)."""


def _moment(frame: Frame) -> tuple[int, int, int]:
    return frame.position  # a FlowFrame's too


def _arrays(frame: Frame) -> list[np.ndarray]:
    """The memory a frame's arrays hold: each view counts as the array it looks into (the real samples
    shown are a view of the trainer's whole pool of real data, which they keep alive)."""
    return [v if v.base is None else v.base for v in vars(frame).values() if isinstance(v, np.ndarray)]


class Timeline:
    """Frames in order of training, at most `max_bytes` of them and of the TrainingStates kept every
    `spacing` iterations (`checkpoint_every` at first, doubled by each thinning).

    Frames are numbered as recorded. After k thinnings only every 2^k-th is kept, whether it was recorded
    before the thinning or after, so the kept frames stay evenly spread over the run; the latest frame is
    kept whatever its number until the next one comes, and a frame holding a state is always kept."""

    def __init__(self, max_bytes: int = MAX_BYTES, checkpoint_every: int = CHECKPOINT_EVERY):
        if max_bytes <= 0 or checkpoint_every <= 0:
            raise ValueError("max_bytes and checkpoint_every must be positive")
        self.max_bytes = max_bytes
        self.checkpoint_every = checkpoint_every
        self.clear()

    def clear(self) -> None:
        """Forget every frame and state; the spacing goes back to checkpoint_every."""
        self._frames: list[Frame] = []
        self._states: list[TrainingState | None] = []  # parallel to _frames
        self._numbers: list[int] = []  # parallel to _frames: the order in which each was recorded
        self._arrays: dict[int, list] = {}  # id(array) -> [array, frames holding it]: shared arrays count once
        self._nbytes = 0
        self._last_state_iteration: int | None = None
        self._stride = 1  # recorded frames per kept frame
        self._next_number = 0
        self.spacing = self.checkpoint_every

    # -- recording -----------------------------------------------------------------------------------
    def record(self, frame: Frame, state: Callable[[], TrainingState]) -> None:
        """Append a frame, keeping `state()` with it when the last kept state is `spacing` iterations
        back (or there is none). A diverged frame is skipped. A frame of the same moment (iteration and
        step counts) as the latest replaces it; one from before the latest (a rewound or reset run)
        first drops the frames after its moment: a timeline is one run, in order."""
        if frame.diverged:
            return
        moment = _moment(frame)
        replaced_state, number = False, self._next_number
        if self._frames and moment <= _moment(self._frames[-1]):
            earlier = len(self._frames) - 1
            while earlier >= 0 and _moment(self._frames[earlier]) > moment:
                earlier -= 1
            if earlier >= 0 and _moment(self._frames[earlier]) == moment:
                replaced_state = self._states[earlier] is not None  # settings may have changed since: take anew
                earlier -= 1
            self._keep(earlier + 1)
            number = self._next_number
        elif len(self._frames) > 1 and self._numbers[-1] % self._stride and self._states[-1] is None:
            self._keep(len(self._frames) - 1)  # the latest was kept only for being the latest
        self._next_number = number + 1
        self._frames.append(frame)
        self._numbers.append(number)
        self._count(frame, +1)
        last = self._last_state_iteration
        if replaced_state or last is None or frame.iteration >= last + self.spacing:
            kept = state()
            self._states.append(kept)
            self._nbytes += kept.nbytes
            self._last_state_iteration = frame.iteration
        else:
            self._states.append(None)
        while self._nbytes > self.max_bytes and self._thin():
            pass

    def _count(self, frame: Frame, sign: int) -> None:
        """Add (+1) or remove (-1) a frame's bytes; an array shared by frames counts while any holds it."""
        self._nbytes += sign * FRAME_OVERHEAD
        for array in _arrays(frame):
            entry = self._arrays.get(id(array))
            if entry is None:
                entry = self._arrays[id(array)] = [array, 0]
            if entry[1] == 0 or entry[1] + sign == 0:
                self._nbytes += sign * array.nbytes
            entry[1] += sign
            if entry[1] == 0:
                del self._arrays[id(array)]

    def _thin(self) -> bool:
        """Double the state spacing and drop the states now closer together than it (never the first),
        then every other frame (never the first, the latest, or one with a state). False if nothing went."""
        self.spacing *= 2
        self._stride *= 2
        dropped, last = False, None
        for i, kept in enumerate(self._states):
            if kept is None:
                continue
            iteration = self._frames[i].iteration
            if last is None or iteration >= last + self.spacing:
                last = iteration
            else:
                self._states[i] = None
                self._nbytes -= kept.nbytes
                dropped = True
        self._last_state_iteration = last
        final = len(self._frames) - 1
        kept_frames = []
        for i, entry in enumerate(zip(self._frames, self._states, self._numbers, strict=True)):
            if entry[2] % self._stride == 0 or i == final or entry[1] is not None:
                kept_frames.append(entry)
            else:
                self._count(entry[0], -1)
                dropped = True
        self._frames, self._states, self._numbers = (list(column) for column in zip(*kept_frames, strict=True))
        return dropped

    # -- going back ----------------------------------------------------------------------------------
    def truncate(self, index: int) -> None:
        """Drop the frames and states after `index` (resuming from there)."""
        self._keep(self._index(index) + 1)

    def _keep(self, count: int) -> None:
        """Keep only the first `count` frames and their states."""
        dropped_state = False
        for frame, kept in zip(self._frames[count:], self._states[count:], strict=True):
            self._count(frame, -1)
            if kept is not None:
                self._nbytes -= kept.nbytes
                dropped_state = True
        del self._frames[count:], self._states[count:], self._numbers[count:]
        self._next_number = self._numbers[-1] + 1 if self._numbers else 0
        if not self._frames:  # a new run: frames and states as dense as at first
            self._stride, self.spacing = 1, self.checkpoint_every
        if dropped_state:
            iterations = [f.iteration for f, s in zip(self._frames, self._states, strict=True) if s is not None]
            self._last_state_iteration = iterations[-1] if iterations else None

    def state_at_or_before(self, index: int) -> tuple[int, TrainingState] | None:
        """The latest kept state at or before frame `index`, with its frame's index; None if there is none."""
        for i in range(self._index(index), -1, -1):
            if self._states[i] is not None:
                return i, self._states[i]
        return None

    def has_state(self, index: int) -> bool:
        return self._states[self._index(index)] is not None

    # -- reading -------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._frames)

    def frame(self, index: int) -> Frame:
        return self._frames[self._index(index)]

    def frames(self) -> Iterator[Frame]:
        """The frames in order (a GIF's)."""
        return iter(list(self._frames))

    def iterations(self) -> list[int]:
        return [frame.iteration for frame in self._frames]

    @property
    def latest(self) -> int:
        """Index of the latest frame (-1 while empty)."""
        return len(self._frames) - 1

    @property
    def nbytes(self) -> int:
        """Approximate memory held by the frames (shared arrays once) and the states."""
        return self._nbytes

    def _index(self, index: int) -> int:
        """A frame index, negative ones counting from the end as in a list."""
        n = len(self._frames)
        if not -n <= index < n:
            raise IndexError(f"frame {index} of a timeline of {n}")
        return index % n
