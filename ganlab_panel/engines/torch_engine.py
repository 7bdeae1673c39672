"""The PyTorch engine: GAN Lab's two MLPs on torch tensors (CPU or CUDA). The only module importing torch.

The backward pass is written out (a dozen lines, `_backward`): for networks this small, autograd's
per-operation bookkeeping cost more than the arithmetic (measured: 787 -> 1,028 iterations/s,
benchmarks/speed.py). tests/core/test_engine.py checks it against autograd on losses.py's formulas.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper, check_optimizer_kinds, packs

THREADS = 1
"""Measured by benchmarks/speed.py: one thread is faster for these tiny networks (no sync cost)."""

TORCH_OPS = SimpleNamespace(
    mean=torch.mean,
    sigmoid=torch.sigmoid,
    log_sigmoid=F.logsigmoid,
    relu=torch.relu,
    step=lambda x: (x > 0).to(x.dtype),
)


class Sgd:
    """Plain gradient descent. torch.optim's per-step bookkeeping costs more than these tiny updates."""

    kind = "sgd"

    def __init__(self, params, lr=0.1):
        self.lr = lr

    def step(self, params, gradients):
        torch._foreach_add_(params, gradients, alpha=-self.lr)


class Adam:
    """Adam (betas 0.9, 0.999 unless set, eps 1e-8) with torch.optim.Adam's bias correction."""

    kind = "adam"
    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, params, lr=0.001):
        self.lr = lr
        self.t = 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self, params, gradients):
        self.t += 1
        torch._foreach_lerp_(self.m, gradients, 1 - self.beta1)
        torch._foreach_mul_(self.v, self.beta2)
        torch._foreach_addcmul_(self.v, gradients, gradients, value=1 - self.beta2)
        denominator = torch._foreach_sqrt(self.v)
        torch._foreach_div_(denominator, (1 - self.beta2**self.t) ** 0.5)
        torch._foreach_add_(denominator, self.eps)
        torch._foreach_addcdiv_(params, self.m, denominator, value=-self.lr / (1 - self.beta1**self.t))


OPTIMIZERS = {"sgd": Sgd, "adam": Adam}


def _forward(params, x):
    """An MLP's output before its final activation, and each layer's input (kept for the backward pass)."""
    inputs, last = [], len(params) - 2
    for i in range(0, len(params), 2):
        inputs.append(x)
        x = torch.addmm(params[i + 1], x, params[i])
        if i < last:
            x = torch.relu(x)
    return x, inputs


def _backward(params, inputs, output_grad, weights=True):
    """Gradients of the loss w.r.t. each parameter (if `weights`) and w.r.t. the MLP's input, given the
    gradient at its output. A layer's input is the previous ReLU's output, so `input > 0` is its mask."""
    gradients = [None] * len(params)
    grad = output_grad
    for i in range(len(params) - 2, -1, -2):
        layer_input = inputs[i // 2]
        if weights:
            gradients[i], gradients[i + 1] = layer_input.T @ grad, grad.sum(0)
        grad = grad @ params[i].T
        if i > 0:
            grad = grad * (layer_input > 0)
    return gradients, grad


def _tangent_backward(params, inputs, direction, output_grad, gradients):
    """Add to `gradients` the weight gradient of output_grad . f'(x; direction), the MLP's derivative
    along `direction` at the inputs whose forward pass gave `inputs`: the masked network without biases
    applied to the direction, then backpropagated (the derivation is NumpyEngine's, Network.tangent_backward)."""
    tangents = [direction]
    for i in range(0, len(params) - 2, 2):
        tangents.append((tangents[-1] @ params[i]) * (inputs[i // 2 + 1] > 0))
    grad = output_grad
    for i in range(len(params) - 2, -1, -2):
        gradients[i] = gradients[i] + tangents[i // 2].T @ grad
        if i > 0:
            grad = (grad @ params[i].T) * (inputs[i // 2] > 0)


class TorchEngine:
    """Generator and discriminator as plain parameter lists (`x @ W + b`): no nn.Module overhead,
    which dominates at these sizes. Autograd is used only for dD/dx in frames."""

    def __init__(self, architecture: Architecture, weights, hyper: Hyper, device="cpu", dtype=torch.float32):
        torch.set_num_threads(THREADS)
        self.architecture = architecture
        self.device = torch.device(device)
        self.dtype = dtype
        self.generator = self._parameters(weights["generator"])
        self.discriminator = self._parameters(weights["discriminator"])
        self.hyper = None
        self._optimizers = {}
        self.set_hyper(hyper)

    # -- networks ------------------------------------------------------------------------------------
    def _parameters(self, layers):
        return [torch.tensor(np.asarray(a), dtype=self.dtype, device=self.device) for layer in layers for a in layer]

    @staticmethod
    def _mlp(params, x):
        return _forward(params, x)[0]

    def _generate(self, noise):
        return torch.tanh(self._mlp(self.generator, noise))

    def _tensor(self, array):
        return torch.as_tensor(np.asarray(array), dtype=self.dtype, device=self.device)

    # -- training ------------------------------------------------------------------------------------
    def set_hyper(self, hyper: Hyper) -> None:
        for net, params in (("generator", self.generator), ("discriminator", self.discriminator)):
            kind = getattr(hyper, f"{net}_optimizer")
            optimizer = self._optimizers.get(net)
            if optimizer is None or optimizer.kind != kind:
                # A new kind of optimizer has no meaningful state to carry over.
                optimizer = self._optimizers[net] = OPTIMIZERS[kind](params)
            optimizer.lr = getattr(hyper, f"{net}_learning_rate")  # Adam's moments survive an lr change
            if kind == "adam":  # and a change of betas: they weigh the next gradients, not the stored averages
                optimizer.beta1, optimizer.beta2 = hyper.adam_beta1, hyper.adam_beta2
        self.hyper = hyper

    def optimizer_state(self) -> dict:
        """Copies of Adam's moments and step counts per network (SGD keeps none), as NumpyEngine's but with
        one array per parameter (W, b, W, b, ...) in the engine's float32."""
        state = {}
        for net, optimizer in self._optimizers.items():
            state[f"{net}_optimizer"] = optimizer.kind
            if optimizer.kind == "adam":
                moments = {name: [t.detach().cpu().numpy().copy() for t in getattr(optimizer, name)] for name in "mv"}
                state.update({f"{net}_step": optimizer.t, f"{net}_m": moments["m"], f"{net}_v": moments["v"]})
        return state

    def load_optimizer_state(self, state: dict) -> None:
        """Adopt optimizer_state()'s values; the optimizer kinds (set_hyper's) must match."""
        check_optimizer_kinds(self._optimizers, state)
        for net, optimizer in self._optimizers.items():
            if optimizer.kind != "adam":
                continue
            pairs = [
                (t, a) for name in "mv" for t, a in zip(getattr(optimizer, name), state[f"{net}_{name}"], strict=True)
            ]
            for t, a in pairs:
                if tuple(np.shape(a)) != tuple(t.shape):
                    raise ValueError(f"{net}: Adam moment of shape {np.shape(a)} where {tuple(t.shape)} is needed")
            with torch.no_grad():
                for t, a in pairs:
                    t.copy_(self._tensor(a))
            optimizer.t = int(state[f"{net}_step"])

    def discriminator_step(self, real: np.ndarray, noise: np.ndarray, mix: np.ndarray | None = None) -> float:
        pack = self.architecture.pack
        packs(len(real), pack), packs(len(noise), pack)  # checks both batches split into whole packs
        fake = self._generate(self._tensor(noise)).reshape(-1, 2 * pack)
        real = self._tensor(real).reshape(-1, 2 * pack)
        logits, inputs = _forward(self.discriminator, torch.cat([real, fake]))
        real_logits, fake_logits = logits[: len(real), 0], logits[len(real) :, 0]
        loss_kind, real_label = losses.lookup(self.hyper.loss), self.hyper.real_label
        loss = loss_kind.discriminator(real_logits, fake_logits, TORCH_OPS, real_label)
        real_grad, fake_grad = loss_kind.discriminator_gradient(real_logits, fake_logits, TORCH_OPS, real_label)
        gradients, _ = _backward(self.discriminator, inputs, torch.cat([real_grad, fake_grad])[:, None])
        if loss_kind.penalised:
            loss = loss + self._gradient_penalty(real, fake, mix, gradients)
        if loss_kind.shift_invariant:
            gradients[-1] = torch.zeros_like(gradients[-1])  # see losses.Loss.shift_invariant
        self._optimizers["discriminator"].step(self.discriminator, gradients)
        return loss.item()

    def _gradient_penalty(self, real, fake, mix, gradients):
        """WGAN-GP's penalty at e real + (1 - e) fake; adds its weight gradient to `gradients` (the closed form
        of NumpyEngine._gradient_penalty) and returns its value."""
        if mix is None:
            raise ValueError(f"loss {self.hyper.loss!r} needs the interpolation weights `mix` for its penalty")
        n = len(mix)
        if n > min(len(real), len(fake)):
            raise ValueError(f"{n} interpolation weights for {len(real)} real and {len(fake)} fake inputs")
        e = self._tensor(mix)[:, None]
        logits, inputs = _forward(self.discriminator, e * real[:n] + (1 - e) * fake[:n])
        _, g = _backward(self.discriminator, inputs, torch.ones_like(logits), weights=False)
        norms = torch.linalg.vector_norm(g, dim=1)
        slope = losses.gradient_penalty_slope(norms, self.hyper.gp_weight)
        c = torch.where(norms > 0, slope / torch.where(norms > 0, norms, 1), 0)  # g = 0: no gradient
        _tangent_backward(self.discriminator, inputs, g, c[:, None], gradients)
        return losses.gradient_penalty(norms, TORCH_OPS, self.hyper.gp_weight)

    def generator_step(self, noise: np.ndarray) -> float:
        pack = self.architecture.pack
        packs(len(noise), pack)
        pre_tanh, generator_inputs = _forward(self.generator, self._tensor(noise))
        fake = torch.tanh(pre_tanh)
        logits, discriminator_inputs = _forward(self.discriminator, fake.reshape(-1, 2 * pack))
        loss_kind = losses.lookup(self.hyper.loss)
        loss = loss_kind.generator(logits[:, 0], TORCH_OPS)
        logit_grad = loss_kind.generator_gradient(logits[:, 0], TORCH_OPS)[:, None]
        # through D to its input (D's own weights are not updated), back to every packed sample, then
        # through tanh and G
        _, fake_grad = _backward(self.discriminator, discriminator_inputs, logit_grad, weights=False)
        fake_grad = fake_grad.reshape(-1, 2)
        gradients, _ = _backward(self.generator, generator_inputs, fake_grad * (1 - fake * fake))
        self._optimizers["generator"].step(self.generator, gradients)
        return loss.item()

    # -- inspection ----------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, noise: np.ndarray) -> np.ndarray:
        return self._generate(self._tensor(noise)).cpu().numpy().astype(float)

    def _critic(self, x):
        """D's logits (n,) for single points: with packing each point fills a whole pack, D([x, ..., x])."""
        return self._mlp(self.discriminator, x.repeat(1, self.architecture.pack))[:, 0]

    @torch.no_grad()
    def critic(self, points: np.ndarray) -> np.ndarray:
        return self._critic(self._tensor(points)).cpu().numpy().astype(float)

    def critic_gradient(self, points: np.ndarray) -> np.ndarray:
        # by autograd: through the copies of a pack, it sums their gradients
        x = self._tensor(points).requires_grad_()
        (gradient,) = torch.autograd.grad(self._critic(x).sum(), x)
        return gradient.cpu().numpy().astype(float)

    def get_weights(self):
        def layers(params):
            arrays = [p.detach().cpu().numpy().astype(float) for p in params]
            return list(zip(arrays[0::2], arrays[1::2], strict=False))

        return {"generator": layers(self.generator), "discriminator": layers(self.discriminator)}

    def set_weights(self, weights) -> None:
        pairs = []  # check both networks before copying anything, so a bad checkpoint changes nothing
        for params, net in ((self.generator, "generator"), (self.discriminator, "discriminator")):
            arrays = [a for layer in weights[net] for a in layer]
            if len(arrays) != len(params):
                raise ValueError(f"{net}: expected {len(params) // 2} layers, got {len(arrays) // 2}")
            for p, a in zip(params, arrays, strict=False):
                if tuple(np.shape(a)) != tuple(p.shape):
                    raise ValueError(f"{net}: weight of shape {np.shape(a)} where {tuple(p.shape)} is needed")
                pairs.append((p, a))
        with torch.no_grad():
            for p, a in pairs:
                p.copy_(self._tensor(a))
