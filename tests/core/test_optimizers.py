"""Each engine's SGD and Adam against torch.optim: the same weights and batches, gradients by torch autograd
on an identical float64 model, and torch.optim.SGD / torch.optim.Adam applying them. The engines' own parity
tests compare one engine with the other, so an error both share (the sign of Adam's bias correction, say)
would pass there; here each is held to torch's optimizers on its own."""

from __future__ import annotations

import numpy as np
import pytest
from reference_nets import flat, seeded_weights

from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper
from ganlab_panel.engines.factory import create_engine

torch = pytest.importorskip("torch")

from ganlab_panel.engines.torch_engine import TORCH_OPS, TorchEngine  # noqa: E402  (needs torch)

STEPS = 5
BETAS = (0.5, 0.9)  # not torch's defaults, so betas that are ignored or swapped show
LEARNING_RATES = {"discriminator": 0.03, "generator": 0.02}  # different, so that swapped rates show
CLOSE = {"rtol": 1e-9, "atol": 1e-12}  # both sides compute in float64


def _engine(kind, architecture, weights, hyper):
    """The numpy engine (float64), or the torch engine in float64: float32 rounding, divided by Adam's small
    second moments, would hide nothing but blur the comparison."""
    if kind == "numpy":
        return create_engine("numpy", architecture, weights, hyper)
    return TorchEngine(architecture, weights, hyper, dtype=torch.float64)


class _Reference:
    """GAN Lab's two MLPs as float64 leaf tensors, trained by torch.optim on autograd's gradients of losses.py."""

    def __init__(self, weights, optimizer, loss):
        self.loss = loss
        self.params = {
            net: [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in flat(weights, net)]
            for net in ("generator", "discriminator")
        }
        self.optimizers = {
            net: (
                torch.optim.Adam(params, lr=LEARNING_RATES[net], betas=BETAS, eps=1e-8)
                if optimizer == "adam"
                else torch.optim.SGD(params, lr=LEARNING_RATES[net])
            )
            for net, params in self.params.items()
        }

    @staticmethod
    def _mlp(params, x):
        for i in range(0, len(params), 2):
            x = x @ params[i] + params[i + 1]
            x = torch.relu(x) if i < len(params) - 2 else x
        return x

    def _step(self, net, loss):
        optimizer = self.optimizers[net]
        optimizer.zero_grad()
        grads = torch.autograd.grad(loss, self.params[net])  # only this net's parameters get gradients
        for p, g in zip(self.params[net], grads, strict=True):
            p.grad = g
        optimizer.step()

    def discriminator_step(self, real, noise):
        d, g = self.params["discriminator"], self.params["generator"]
        fake = torch.tanh(self._mlp(g, torch.tensor(noise))).detach()
        real_logits, fake_logits = self._mlp(d, torch.tensor(real))[:, 0], self._mlp(d, fake)[:, 0]
        self._step("discriminator", losses.discriminator_loss(self.loss, real_logits, fake_logits, TORCH_OPS))

    def generator_step(self, noise):
        d, g = self.params["discriminator"], self.params["generator"]
        fake = torch.tanh(self._mlp(g, torch.tensor(noise)))
        self._step("generator", losses.generator_loss(self.loss, self._mlp(d, fake)[:, 0], TORCH_OPS))

    def weights(self, net):
        return [p.detach().numpy() for p in self.params[net]]


@pytest.mark.parametrize("loss", ["log", "least_squares"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("engine_kind", ["numpy", "torch"])
def test_engine_steps_like_torch_optim(engine_kind, optimizer, loss):
    architecture = Architecture(2, 1, 6, 1, 6)
    weights = seeded_weights(architecture, seed=3, scale=1.5, bias=0.1)
    hyper = Hyper(
        loss, optimizer, optimizer, LEARNING_RATES["generator"], LEARNING_RATES["discriminator"],
        adam_beta1=BETAS[0], adam_beta2=BETAS[1],
    )  # fmt: skip
    engine = _engine(engine_kind, architecture, weights, hyper)
    reference = _Reference(weights, optimizer, loss)

    rng = np.random.default_rng(4)
    for step in range(STEPS):  # a fresh batch each step: Adam's moments then average different gradients
        real, noise = rng.random((24, 2)), rng.random((16, 2))
        engine.discriminator_step(real, noise)
        reference.discriminator_step(real, noise)
        noise = rng.random((16, 2))
        engine.generator_step(noise)
        reference.generator_step(noise)
        for net in ("discriminator", "generator"):
            ours, theirs = flat(engine.get_weights(), net), reference.weights(net)
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                np.testing.assert_allclose(a, b, **CLOSE, err_msg=f"{net} array {i} after step {step + 1}")
    # the weights moved, by more than the tolerance: a step that did nothing would not pass
    for net in ("discriminator", "generator"):
        pairs = zip(flat(weights, net), flat(engine.get_weights(), net), strict=True)
        moved = max(np.abs(a - b).max() for a, b in pairs)
        assert moved > 1e-3, net
