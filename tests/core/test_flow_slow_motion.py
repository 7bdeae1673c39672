"""A flow's slow motion as data: a training step's five sub-steps on the step's data, then its sampling run."""

from __future__ import annotations

import pytest

from ganlab_panel.core.flow_slow_motion import SAMPLING_SHOWN, FlowWalk, shown_indices, training_substep
from ganlab_panel.core.trainer import Trainer


@pytest.fixture
def trainer():
    return Trainer(model="flow", flow_neurons=8, flow_steps=20)


def walk_once(trainer, walk):
    needs = walk.needs
    step = trainer.flow_step() if needs == "step" else None
    run = trainer.sampling_run() if needs == "run" else None
    return walk.advance(step, run)


def test_a_walk_is_five_training_sub_steps_then_the_sampling_run_then_again(trainer):
    walk = FlowWalk()
    seen = [walk_once(trainer, walk) for _ in range(5 + SAMPLING_SHOWN + 1)]
    assert [s.phase for s in seen[:5]] == ["training"] * 5
    assert [s.number for s in seen[:5]] == [1, 2, 3, 4, 5]
    assert [s.performs_update for s in seen[:5]] == [False] * 4 + [True]
    sampling = seen[5 : 5 + SAMPLING_SHOWN]
    assert [s.phase for s in sampling] == ["sampling"] * SAMPLING_SHOWN
    assert sampling[-1].index == 20 and sampling[0].before == 0 and sampling[1].before == sampling[0].index
    assert all(s.pace < 1 for s in sampling)
    assert seen[-1].phase == "training" and seen[-1].number == 1
    assert trainer.iteration == 2, "each training walk is one training step"
    assert "0.00 to 0.10" in sampling[0].caption and "midpoint" in sampling[0].caption
    assert seen[4].label == "Training, step 5 of 5: Loss and update"


def test_a_walk_asks_for_the_data_it_needs(trainer):
    walk = FlowWalk()
    with pytest.raises(ValueError, match="flow_step"):
        walk.advance()
    walk.advance(step=trainer.flow_step())
    assert walk.needs is None
    for _ in range(4):
        walk.advance()
    assert walk.needs == "run"
    with pytest.raises(ValueError, match="sampling_run"):
        walk.advance()
    walk.reset()
    assert walk.needs == "step" and walk.current is None


def test_training_captions_carry_the_steps_figures(trainer):
    step = trainer.flow_step()
    last = training_substep(step, 5)
    assert f"{step.loss:.4f}" in last.caption and "0.01" in last.caption
    assert "256 points" in training_substep(step, 1).caption


@pytest.mark.parametrize(("steps", "shown"), [(1, [1]), (3, [1, 2, 3]), (20, list(range(2, 21, 2))), (200, None)])
def test_a_run_shows_at_most_ten_of_its_steps_and_always_the_last(steps, shown):
    indices = list(shown_indices(steps))
    assert indices[-1] == steps and len(indices) == min(steps, SAMPLING_SHOWN)
    if shown is not None:
        assert indices == shown
