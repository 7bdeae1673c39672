"""The Timeline: frames of a run within a memory cap, the whole run covered, training states at a spacing,
going back to one of them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ganlab_panel.core.timeline import Timeline
from ganlab_panel.core.trainer import Trainer

OWN = ("fake", "heatmap", "manifold", "manifold_stretch", "gradients", "real_predictions", "fake_predictions")


@pytest.fixture(scope="module")
def trained():
    """A frame and a state of a real trainer, which the long-run tests stamp with other moments."""
    trainer = Trainer()
    trainer.train(50)
    return trainer.frame(), trainer.state()


def _at(frame, state, iteration):
    """The frame and state as if taken at `iteration` (kD 2, kG 1), with arrays of their own as a real
    frame has, and the real samples and noise shared with every other frame of the run."""
    moment = {"iteration": iteration, "discriminator_steps": 2 * iteration, "generator_steps": iteration}
    own = {name: getattr(frame, name).copy() for name in OWN}
    return replace(frame, **moment, **own), replace(state, **moment)


def _own_bytes(frame):
    return sum(getattr(frame, name).nbytes for name in OWN)


def _record(timeline, frame, state, calls=None):
    def take():
        if calls is not None:
            calls.append(state.iteration)
        return state

    timeline.record(frame, take)


def _state_iterations(timeline):
    return [timeline.frame(i).iteration for i in range(len(timeline)) if timeline.has_state(i)]


def test_memory_stays_capped_and_the_whole_run_stays_covered(trained):
    frame, state = trained
    cap = 60 * _own_bytes(frame)  # some 50 frames: thinned nine times over 20,000
    timeline = Timeline(max_bytes=cap, checkpoint_every=100)
    most = 0
    for i in range(20_000):
        _record(timeline, *_at(frame, state, 10 * i))
        most = max(most, timeline.nbytes)
    assert most <= cap
    assert len(timeline) > 20 and timeline.nbytes > cap / 3  # thinning halves, it does not empty

    iterations = np.array(timeline.iterations())
    assert iterations[0] == 0 and iterations[-1] == 10 * 19_999 and timeline.latest == len(timeline) - 1
    assert np.all(np.diff(iterations) > 0)
    gaps = np.diff(iterations)[:-1]  # the latest frame is always there, at whatever gap
    assert gaps.max() <= 2 * np.median(gaps)  # evenly spread: a state's frame may sit between two others
    assert [f.iteration for f in timeline.frames()] == list(iterations)


def test_shared_arrays_count_once(trained):
    frame, state = trained
    timeline = Timeline()
    _record(timeline, *_at(frame, state, 0))
    first = timeline.nbytes
    assert first > _own_bytes(frame) + frame.real.base.nbytes + frame.noise.nbytes + state.nbytes - 1
    for i in range(1, 11):
        _record(timeline, *_at(frame, state, i))  # no state kept: 100 iterations apart
    added = (timeline.nbytes - first) / 10
    assert _own_bytes(frame) <= added < _own_bytes(frame) + frame.real.nbytes  # not the real samples again


def test_states_are_kept_at_the_spacing_and_taken_only_then(trained):
    frame, state = trained
    timeline = Timeline(max_bytes=10**9, checkpoint_every=100)
    calls = []
    for i in range(40):
        _record(timeline, *_at(frame, state, 30 * i), calls)
    kept = _state_iterations(timeline)
    assert calls == kept == [0, 120, 240, 360, 480, 600, 720, 840, 960, 1080]
    assert timeline.spacing == 100

    cap = 200 * _own_bytes(frame)
    timeline = Timeline(max_bytes=cap, checkpoint_every=100)
    for i in range(2000):
        _record(timeline, *_at(frame, state, 30 * i))
    kept = _state_iterations(timeline)
    assert timeline.spacing > 100 and kept[0] == 0
    assert np.diff(kept).min() >= timeline.spacing
    assert np.diff(kept).max() < 2 * timeline.spacing  # a state is dropped only where another is near
    assert timeline.nbytes <= cap


def test_state_at_or_before_finds_the_latest_kept_state(trained):
    frame, state = trained
    timeline = Timeline(checkpoint_every=100)
    for i in range(10):
        _record(timeline, *_at(frame, state, 30 * i))  # states at frames 0 (iteration 0) and 4 (120)
    assert [timeline.has_state(i) for i in (0, 3, 4, 5)] == [True, False, True, False]
    index, found = timeline.state_at_or_before(7)
    assert index == 4 and found.iteration == 120 == timeline.frame(4).iteration
    assert timeline.state_at_or_before(3)[0] == 0
    assert timeline.state_at_or_before(-1)[0] == 8  # counting from the end, as a list does
    with pytest.raises(IndexError):
        timeline.frame(10)


def test_truncate_drops_the_frames_and_states_after_a_point(trained):
    frame, state = trained
    timeline = Timeline(checkpoint_every=100)
    sizes = []
    for i in range(20):
        _record(timeline, *_at(frame, state, 30 * i))
        sizes.append(timeline.nbytes)
    timeline.truncate(5)
    assert len(timeline) == 6 and timeline.latest == 5 and timeline.nbytes == sizes[5]
    assert _state_iterations(timeline) == [0, 120]
    _record(timeline, *_at(frame, state, 160))  # 40 after the last state at 120: none kept
    _record(timeline, *_at(frame, state, 220))
    assert timeline.iterations()[-2:] == [160, 220] and _state_iterations(timeline) == [0, 120, 220]

    timeline.clear()
    assert len(timeline) == 0 and timeline.nbytes == 0 and timeline.latest == -1


def test_same_moment_replaces_earlier_moment_drops_the_future_diverged_is_skipped(trained):
    frame, state = trained
    timeline = Timeline(checkpoint_every=100)
    for i in range(6):
        _record(timeline, *_at(frame, state, 30 * i))
    again, again_state = _at(frame, state, 150)
    calls = []
    _record(timeline, again, again_state, calls)  # e.g. redrawn after a view setting changed
    assert len(timeline) == 6 and timeline.frame(-1) is again and calls == []
    _record(timeline, *_at(frame, state, 120), calls)  # held a state: taken anew, settings may differ
    assert timeline.iterations() == [0, 30, 60, 90, 120] and calls == [120]
    _record(timeline, *_at(frame, state, 45))  # a rewound run goes on from 45
    assert timeline.iterations() == [0, 30, 45] and _state_iterations(timeline) == [0]

    _record(timeline, replace(_at(frame, state, 300)[0], diverged="The discriminator's loss became nan"), state)
    assert timeline.iterations() == [0, 30, 45]
    _record(timeline, *_at(frame, state, 0))  # a reset run starts over
    assert timeline.iterations() == [0] and timeline.spacing == 100


def test_resuming_from_a_kept_state_replays_the_run():
    """The play loop's use: record a frame every 10 iterations, thinning on the way; go back to a frame,
    resume from the state at or before it, and the frames recorded anew are the first run's."""
    settings = {"generator_optimizer": "adam", "discriminator_optimizer": "adam"}
    settings |= {"generator_learning_rate": 0.01, "discriminator_learning_rate": 0.01}
    trainer = Trainer(**settings)
    first = trainer.frame(with_metrics=False)
    timeline = Timeline(max_bytes=30 * _own_bytes(first), checkpoint_every=40)
    reference = {}
    for _ in range(60):
        trainer.train(10)
        frame = trainer.frame(with_metrics=False)
        reference[frame.iteration] = frame
        timeline.record(frame, trainer.state)
    assert timeline.spacing > 40  # thinned on the way

    index, state = timeline.state_at_or_before(len(timeline) // 2)
    trainer.restore(state)
    timeline.truncate(index)
    assert trainer.iteration == timeline.frame(-1).iteration
    while trainer.iteration < 600:
        trainer.train(10)
        frame = trainer.frame(with_metrics=False)
        np.testing.assert_array_equal(frame.fake, reference[frame.iteration].fake)
        np.testing.assert_array_equal(frame.heatmap, reference[frame.iteration].heatmap)
        timeline.record(frame, trainer.state)
    assert timeline.frame(-1).iteration == 600 and timeline.frame(0).iteration == 10
