"""The app with a fault built in, served for tests/browser/test_faults.py as /fault_app?fault=...

diverge: GAN Lab's gaussians with learning rates of 1e5, beyond the menu's 1.0: with Adam chosen for
    both networks training blows up a few dozen iterations after Play. (GAN Lab's networks cannot
    diverge at the menu's rates: the generator's tanh and the discriminator's sigmoid bound every
    gradient and Adam bounds every step by the rate; 20,000 iterations at 1.0 leave weights below 30.)
raise: training raises an exception once it has trained a little.
anything else: the app as served, without the pretrained model.
"""

from __future__ import annotations

import panel as pn

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.presets import preset
from ganlab_panel.pages.gan_lab import GanLab

DIVERGING = {**preset("gaussians"), "generator_learning_rate": 1e5, "discriminator_learning_rate": 1e5}
FAILURE = "injected fault: the engine is gone"


def make(fault: str) -> GanLab:
    if fault == "diverge":
        return GanLab(GanConfig(**DIVERGING))
    lab = GanLab(pretrained=False)
    if fault == "raise":
        train = lab.trainer.train

        def train_then_fail(iterations: int) -> int:
            if lab.trainer.iteration > 0:
                raise RuntimeError(FAILURE)
            return train(iterations)

        lab.trainer.train = train_then_fail
    return lab


if pn.state.served:
    make(pn.state.session_args.get("fault", [b""])[0].decode()).servable(title="GAN Lab (faults)")
