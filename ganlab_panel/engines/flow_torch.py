"""The PyTorch flow engine: the velocity network on torch tensors (CPU or CUDA), trained by autograd.

Beside the GAN's torch engine (engines/torch_engine.py), one of the two modules that import torch. Autograd
computes the training step's gradients, so the NumPy engine's written-out backward pass is checked against
it (tests/engines/test_flow_engines.py); the divergence is the same forward-mode formula as NumPy's.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ganlab_panel.engines.flow_base import NETWORK, FlowArchitecture, FlowHyper, check_weights
from ganlab_panel.engines.torch_engine import OPTIMIZERS, THREADS


def _silu_slope(z):
    s = torch.sigmoid(z)
    return s * (1 + z * (1 - s))


ACTIVATIONS = {
    "silu": (F.silu, _silu_slope),
    "relu": (torch.relu, lambda z: (z > 0).to(z.dtype)),
    "tanh": (torch.tanh, lambda z: 1 - torch.tanh(z) ** 2),
}


class TorchFlowEngine:
    """The velocity network as a plain parameter list (`x @ W + b`, no nn.Module overhead)."""

    def __init__(self, architecture: FlowArchitecture, weights, hyper: FlowHyper, device="cpu", dtype=torch.float32):
        torch.set_num_threads(THREADS)
        self.architecture = architecture
        self.device, self.dtype = torch.device(device), dtype
        self._activate, self._slope = ACTIVATIONS[architecture.activation]
        sizes = architecture.sizes
        self.params = [
            torch.zeros(shape, dtype=dtype, device=self.device, requires_grad=True)
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
            for shape in ((fan_in, fan_out), (fan_out,))
        ]
        self.set_weights(weights)
        self._optimizer = None
        self.set_hyper(hyper)

    def _tensor(self, array):
        return torch.as_tensor(np.asarray(array), dtype=self.dtype, device=self.device)

    def _inputs(self, x, t):
        x = self._tensor(x)
        t = self._tensor(t).expand(len(x))
        return torch.cat([x, t[:, None]], dim=1)

    def _forward(self, inputs):
        """The output and each hidden layer's pre-activation."""
        pre, last = [], len(self.params) - 2
        for i in range(0, len(self.params), 2):
            inputs = torch.addmm(self.params[i + 1], inputs, self.params[i])
            if i < last:
                pre.append(inputs)
                inputs = self._activate(inputs)
        return inputs, pre

    # -- training ------------------------------------------------------------------------------------
    def set_hyper(self, hyper: FlowHyper) -> None:
        if self._optimizer is None or self._optimizer.kind != hyper.optimizer:
            self._optimizer = OPTIMIZERS[hyper.optimizer](self.params, hyper.learning_rate)

    def step(self, x0: np.ndarray, x1: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        x0, x1, t = self._tensor(x0), self._tensor(x1), self._tensor(t)
        x_t = x0 + t[:, None] * (x1 - x0)
        output, _ = self._forward(torch.cat([x_t, t[:, None]], dim=1))
        loss = torch.mean((output - (x1 - x0)) ** 2)
        gradients = torch.autograd.grad(loss, self.params)
        self._optimizer.lr = learning_rate
        with torch.no_grad():
            self._optimizer.step(self.params, list(gradients))
        return loss.item()

    def optimizer_state(self) -> dict:
        """As NumpyFlowEngine's, with one array per parameter (W, b, W, b, ...)."""
        optimizer = self._optimizer
        state = {f"{NETWORK}_optimizer": optimizer.kind}
        if optimizer.kind == "adam":
            for name in "mv":
                state[f"{NETWORK}_{name}"] = [m.detach().cpu().numpy().copy() for m in getattr(optimizer, name)]
            state[f"{NETWORK}_step"] = optimizer.t
        return state

    def load_optimizer_state(self, state: dict) -> None:
        optimizer = self._optimizer
        kind = state.get(f"{NETWORK}_optimizer")
        if kind != optimizer.kind:
            raise ValueError(f"{NETWORK}: optimizer state of {kind!r} where the {optimizer.kind!r} optimizer is in use")
        if optimizer.kind != "adam":
            return
        pairs = [
            (m, a) for name in "mv" for m, a in zip(getattr(optimizer, name), state[f"{NETWORK}_{name}"], strict=True)
        ]
        for m, a in pairs:
            if tuple(np.shape(a)) != tuple(m.shape):
                raise ValueError(f"{NETWORK}: Adam moment of shape {np.shape(a)} where {tuple(m.shape)} is needed")
        with torch.no_grad():
            for m, a in pairs:
                m.copy_(self._tensor(a))
        optimizer.t = int(state[f"{NETWORK}_step"])

    # -- inspection ----------------------------------------------------------------------------------
    @torch.no_grad()
    def velocity(self, x: np.ndarray, t) -> np.ndarray:
        return self._forward(self._inputs(x, t))[0].cpu().numpy()

    @torch.no_grad()
    def velocity_divergence(self, x: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
        """The divergence by forward-mode tangents along x and y, as NumpyFlowEngine's (one batched product
        per layer instead of autograd's two backward passes)."""
        output, pre = self._forward(self._inputs(x, t))
        weights = self.params[0::2]
        tangent = self._slope(pre[0])[:, None, :] * weights[0][:2][None]  # (n, 2 directions, width)
        for w, z in zip(weights[1:-1], pre[1:], strict=True):
            tangent = (tangent @ w) * self._slope(z)[:, None, :]
        out = tangent @ weights[-1]  # (n, direction, output)
        return output.cpu().numpy(), (out[:, 0, 0] + out[:, 1, 1]).cpu().numpy()

    def get_weights(self):
        arrays = [p.detach().cpu().numpy().astype(float) for p in self.params]
        return {NETWORK: list(zip(arrays[0::2], arrays[1::2], strict=True))}

    def set_weights(self, weights) -> None:
        given = check_weights(self.architecture.sizes, weights)
        with torch.no_grad():
            for p, a in zip(self.params, [a for pair in given for a in pair], strict=True):
                p.copy_(self._tensor(a))
