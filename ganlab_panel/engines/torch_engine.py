"""The PyTorch engine: GAN Lab's two MLPs trained with torch autograd. The only module importing torch."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from .. import losses
from .base import Architecture, Hyper

THREADS = 1
"""Measured by benchmarks/speed.py: one thread is faster for these tiny networks (no sync cost)."""

TORCH_OPS = SimpleNamespace(mean=torch.mean, sigmoid=torch.sigmoid, log_sigmoid=F.logsigmoid)


class Sgd:
    """Plain gradient descent. torch.optim's per-step bookkeeping costs more than these tiny updates."""

    kind = "sgd"

    def __init__(self, params, lr=0.1):
        self.lr = lr

    def step(self, params, gradients):
        torch._foreach_add_(params, gradients, alpha=-self.lr)


class Adam:
    """Adam (beta1 0.9, beta2 0.999, eps 1e-8) with torch.optim.Adam's bias correction."""

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


class TorchEngine:
    """Generator and discriminator as plain parameter lists (`x @ W + b`): no nn.Module overhead,
    which dominates at these sizes."""

    def __init__(self, architecture: Architecture, weights, hyper: Hyper, device="cpu", dtype=torch.float32):
        torch.set_num_threads(THREADS)
        self.architecture = architecture
        self.device = torch.device(device)
        self.dtype = dtype
        self.generator = self._parameters(weights["generator"])
        self.discriminator = self._parameters(weights["discriminator"])
        self.hyper = None
        self._optimizers = {}
        self._constants = {}  # loss targets and weights, per batch size
        self.set_hyper(hyper)

    # -- networks ------------------------------------------------------------------------------------
    def _parameters(self, layers):
        return [
            torch.tensor(np.asarray(a), dtype=self.dtype, device=self.device).requires_grad_()
            for layer in layers
            for a in layer
        ]

    @staticmethod
    def _mlp(params, x):
        last = len(params) - 2
        for i in range(0, len(params), 2):
            x = torch.addmm(params[i + 1], x, params[i])
            if i < last:
                x = torch.relu(x)
        return x

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
        self.hyper = hyper

    def discriminator_step(self, real: np.ndarray, noise: np.ndarray) -> float:
        with torch.no_grad():
            fake = self._generate(self._tensor(noise))
        logits = self._mlp(self.discriminator, torch.cat([self._tensor(real), fake]))[:, 0]
        if self.hyper.loss == "log":
            targets, weights = self._log_loss_weights(len(real), len(fake))
            loss = F.binary_cross_entropy_with_logits(logits, targets, weights, reduction="sum")
        else:
            loss = losses.discriminator_loss(self.hyper.loss, logits[: len(real)], logits[len(real) :], TORCH_OPS)
        return self._update("discriminator", loss, self.discriminator)

    def generator_step(self, noise: np.ndarray) -> float:
        logits = self._mlp(self.discriminator, self._generate(self._tensor(noise)))[:, 0]
        if self.hyper.loss == "log":
            loss = F.binary_cross_entropy_with_logits(logits, self._ones(len(logits)))
        else:
            loss = losses.generator_loss(self.hyper.loss, logits, TORCH_OPS)
        return self._update("generator", loss, self.generator)

    # The log loss as one fused op (a quarter faster per step than composing losses.py's formula,
    # which it equals: tests check both): weighted binary cross-entropy with labels 1 / 0.
    def _log_loss_weights(self, n_real, n_fake):
        key = (n_real, n_fake)
        if key not in self._constants:
            targets = torch.cat([torch.ones(n_real), torch.zeros(n_fake)])
            weights = torch.cat([torch.full((n_real,), losses.REAL_LABEL / n_real), torch.full((n_fake,), 1 / n_fake)])
            self._constants[key] = (targets.to(self.device, self.dtype), weights.to(self.device, self.dtype))
        return self._constants[key]

    def _ones(self, n):
        if n not in self._constants:
            self._constants[n] = torch.ones(n, device=self.device, dtype=self.dtype)
        return self._constants[n]

    def _update(self, net, loss, params) -> float:
        gradients = torch.autograd.grad(loss, params)  # only this network's: G's step leaves D alone
        with torch.no_grad():
            self._optimizers[net].step(params, gradients)
        return loss.item()

    # -- inspection ----------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, noise: np.ndarray) -> np.ndarray:
        return self._generate(self._tensor(noise)).cpu().numpy().astype(float)

    @torch.no_grad()
    def discriminate(self, points: np.ndarray) -> np.ndarray:
        return torch.sigmoid(self._mlp(self.discriminator, self._tensor(points))[:, 0]).cpu().numpy().astype(float)

    def discriminator_gradient(self, points: np.ndarray) -> np.ndarray:
        x = self._tensor(points).requires_grad_()
        prediction = torch.sigmoid(self._mlp(self.discriminator, x))
        (gradient,) = torch.autograd.grad(prediction.sum(), x)
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
