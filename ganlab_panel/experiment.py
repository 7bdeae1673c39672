"""The headless face of ganlab_panel, for scripts, notebooks and the CLI.

exp = Experiment(distribution="ring", seed=0)
exp.train(2000)
exp.metrics        # {'kl': ..., 'js': ...}
exp.frame()        # everything the app would draw, as numpy arrays

Experiment(model="flow", distribution="ring8", seed=0).train(16000).metrics  # a flow: the same, its FlowFrame
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ganlab_panel.core import distributions
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.core.metrics import SCORE_SAMPLES, grid_js
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.files import checkpoints

CHUNK = 100  # iterations between divergence checks and progress reports


class Experiment:
    """A configuration and the trainer that follows it."""

    def __init__(self, config: GanConfig | None = None, **settings):
        self.config = config if config is not None else GanConfig()
        if settings:
            self.config.update(settings)
        self.trainer = Trainer(self.config)

    def train(self, iterations: int, progress: Callable[[int, int], None] | None = None) -> Experiment:
        """Train up to `iterations` more iterations (fewer if training diverges, see `diverged`)."""
        if iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {iterations}")
        done = 0
        while done < iterations and not self.trainer.diverged:
            done += self.trainer.train(min(CHUNK, iterations - done))
            if progress:
                progress(min(done, iterations), iterations)
        return self

    @property
    def metrics(self) -> dict:
        """KL and JS divergence (bits) between real and generated samples, now; for ring8 and grid25 also the
        mode-collapse figures (metrics.mode_metrics)."""
        return self.trainer.metrics()

    def score(self, samples: int = SCORE_SAMPLES, seed: int = 0) -> float:
        """GAN Lab's grid JS (bits) between `samples` fresh real and generated samples drawn from `seed`:
        the model's quality, without the sampling noise of `metrics`' fixed 10,000 samples."""
        c = self.config
        rng = np.random.default_rng(seed)
        real = distributions.sample(c.distribution, samples, rng, c.points or None)
        return grid_js(real, self.trainer.sample(samples, rng))

    def frame(self) -> Frame | FlowFrame:
        return self.trainer.frame()

    @property
    def iteration(self) -> int:
        return self.trainer.iteration

    @property
    def diverged(self) -> str | None:
        return self.trainer.diverged

    @property
    def history(self):
        return self.trainer.history

    def reset(self) -> None:
        self.trainer.reset()

    def save(self, path) -> None:
        """Write configuration, weights and iteration to an .npz checkpoint (no pickle)."""
        checkpoints.save(path, self.config, self.trainer.engine.get_weights(), self.trainer.iteration)

    def load_state(self, checkpoint: checkpoints.Checkpoint) -> None:
        """Adopt a checkpoint's configuration, weights and iteration (validated before anything changes); one of
        the other model (a flow's into a GAN experiment, or the reverse) is refused, changing nothing."""
        checkpoints.check_architecture(checkpoint)
        checkpoints.check_model(checkpoint, self.config.model)
        self.trainer.restore(checkpoint.state())

    @classmethod
    def load(cls, path) -> Experiment:
        checkpoint = checkpoints.load(path)
        experiment = cls(GanConfig.from_dict(checkpoint.config))
        experiment.trainer.restore(checkpoint.state())
        return experiment

    @classmethod
    def pretrained(cls, distribution: str) -> Experiment:
        """GAN Lab's shipped model for a distribution, trained by scripts/train_pretrained.py."""
        return cls.load(checkpoints.pretrained_path(distribution))
