"""Real Frames from small trainers: the views are tested on what the trainer actually produces."""

from __future__ import annotations

import pytest

from ganlab_panel.core.trainer import Trainer


@pytest.fixture(scope="session")
def frame():
    """A 2D-noise frame after a few iterations on the ring."""
    trainer = Trainer(distribution="ring", seed=1)
    trainer.train(5)
    return trainer.frame()


@pytest.fixture(scope="session")
def frame_1d():
    """A 1D-noise frame: the manifold is a curve."""
    trainer = Trainer(distribution="line", noise_dim=1, seed=2)
    trainer.train(3)
    return trainer.frame()


@pytest.fixture(scope="session")
def frames():
    """Frames 0..3 of one experiment, one iteration apart (the first has NaN losses)."""
    trainer = Trainer(seed=3)
    result = [trainer.frame()]
    for _ in range(3):
        trainer.iterate()
        result.append(trainer.frame())
    return result
