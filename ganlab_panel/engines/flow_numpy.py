"""The NumPy flow engine: the velocity network v(x, t), its training step and its exact divergence, written
out in numpy (the standalone page has no torch).

The layouts are the GAN's NumPy engine's (engines/numpy_engine.py): samples are columns, a layer's input
carries a last row of ones and its weights the bias as last row, so `W.T @ x + b` is one product; the layers
are views into one flat array, and so are their gradients. Buffers are kept per batch size, so a step
allocates nothing. float32 by default: at 3 x 64 neurons the matrix products are most of a step and float32
halves them (the parity tests run float64). tests/engines/test_flow_engines.py holds it to torch's autograd.
"""

from __future__ import annotations

import numpy as np

from ganlab_panel.engines.flow_base import NETWORK, FlowArchitecture, FlowHyper, check_weights
from ganlab_panel.engines.numpy_engine import OPTIMIZERS, _views

DTYPE = np.float32

KEPT_SIZES = 6
"""Batch sizes whose buffers are kept: training's, and the few point counts a frame evaluates."""


# -- activations: in place on a layer's pre-activation, keeping what the slope needs ----------------------
def _silu(x, aux):
    """x <- x sigmoid(x), aux <- sigmoid(x); sigmoid by tanh, which cannot overflow as exp(-x) can."""
    np.multiply(x, 0.5, out=aux)
    np.tanh(aux, out=aux)
    aux *= 0.5
    aux += 0.5
    x *= aux


def _silu_slope(a, aux, out):
    """silu'(z) = s + a (1 - s), from the activation a = z s and s = sigmoid(z)."""
    np.subtract(1, aux, out=out)
    out *= a
    out += aux


def _relu(x, aux):
    np.maximum(x, 0, out=x)


def _relu_slope(a, aux, out):
    np.greater(a, 0, out=out)  # 0 at z = 0, as torch's


def _tanh(x, aux):
    np.tanh(x, out=x)


def _tanh_slope(a, aux, out):
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)


ACTIVATION_OPS = {"silu": (_silu, _silu_slope), "relu": (_relu, _relu_slope), "tanh": (_tanh, _tanh_slope)}


class _Buffers:
    """One batch size's arrays: each layer's input (features + 1, n) with a last row of ones, the output, the
    activations' kept values, and scratch for the backward pass."""

    def __init__(self, sizes: list[int], n: int, dtype):
        width = max(sizes[1:-1])
        self.inputs = [np.ones((size + 1, n), dtype) for size in sizes[:-1]]
        self.output = np.empty((sizes[-1], n), dtype)
        self.aux = [np.empty((size, n), dtype) for size in sizes[1:-1]]
        self.slope = np.empty((width, n), dtype)
        self.grads = [np.empty((width, n), dtype) for _ in range(2)]
        self.target = np.empty((sizes[-1], n), dtype)
        self.tangents: list[np.ndarray] | None = None  # the divergence's, made on its first use


class VelocityNet:
    """An MLP with `activation` between layers and none after the last; `layers[k]` is layer k's weights
    with its bias as last row, a view into `flat`; `gradients[k]` the same for the gradient."""

    def __init__(self, sizes: list[int], activation: str, dtype=DTYPE):
        self.sizes, self.dtype = sizes, dtype
        self._activate, self._slope = ACTIVATION_OPS[activation]
        shapes = [(n_in + 1, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.flat = np.zeros(sum(rows * cols for rows, cols in shapes), dtype)
        self.flat_gradient = np.zeros_like(self.flat)
        self.layers = _views(self.flat, shapes)
        self.gradients = _views(self.flat_gradient, shapes)
        self._kept: dict[int, _Buffers] = {}

    def buffers(self, n: int) -> _Buffers:
        buffers = self._kept.get(n)
        if buffers is None:
            if len(self._kept) >= KEPT_SIZES:
                self._kept.clear()
            buffers = self._kept[n] = _Buffers(self.sizes, n, self.dtype)
        return buffers

    def forward(self, buffers: _Buffers) -> np.ndarray:
        """From the input the caller wrote into inputs[0][:-1], every layer's activations; the output (2, n)."""
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            if k < last:
                hidden = buffers.inputs[k + 1][:-1]
                np.dot(layer.T, buffers.inputs[k], out=hidden)
                self._activate(hidden, buffers.aux[k])
            else:
                np.dot(layer.T, buffers.inputs[k], out=buffers.output)
        return buffers.output

    def backward(self, buffers: _Buffers, output_grad: np.ndarray) -> None:
        """Every layer's weight gradient into `gradients`, given the loss's gradient at the output (2, n)."""
        grad = output_grad
        for k in range(len(self.layers) - 1, -1, -1):
            np.dot(buffers.inputs[k], grad.T, out=self.gradients[k])
            if k == 0:
                return
            rows = self.sizes[k]
            below, slope = buffers.grads[k % 2][:rows], buffers.slope[:rows]
            np.dot(self.layers[k][:-1], grad, out=below)
            self._slope(buffers.inputs[k][:-1], buffers.aux[k - 1], slope)
            below *= slope
            grad = below

    def divergence(self, buffers: _Buffers) -> np.ndarray:
        """After forward(buffers): dvx/dx + dvy/dy per column, exactly, by forward-mode tangents along x and
        y carried together as (2, width, n): t_1 = slope_1 * W_0[x or y], t_k+1 = slope_k+1 * (W_k^T t_k);
        the output's tangent along x gives dvx/dx, along y dvy/dy. About twice a forward pass."""
        n = buffers.output.shape[1]
        if buffers.tangents is None:  # kept, as the other buffers: fresh large arrays cost page faults
            width = max(self.sizes[1:-1])
            buffers.tangents = [np.empty((2, width, n), self.dtype) for _ in range(2)]
        rows = self.sizes[1]
        slope, tangent = buffers.slope[:rows], buffers.tangents[0][:, :rows]
        self._slope(buffers.inputs[1][:-1], buffers.aux[0], slope)
        np.multiply(self.layers[0][:2, :, None], slope, out=tangent)
        for k in range(1, len(self.layers) - 1):
            rows = self.sizes[k + 1]
            below = buffers.tangents[k % 2][:, :rows]
            np.matmul(self.layers[k][:-1].T, tangent, out=below)
            slope = buffers.slope[:rows]
            self._slope(buffers.inputs[k + 1][:-1], buffers.aux[k], slope)
            below *= slope
            tangent = below
        out = np.matmul(self.layers[-1][:-1].T, tangent)  # (direction, output, n)
        return out[0, 0] + out[1, 1]


class NumpyFlowEngine:
    """The velocity network and its optimizer; arrays in and out are (samples, coordinates)."""

    def __init__(self, architecture: FlowArchitecture, weights, hyper: FlowHyper, dtype=DTYPE):
        self.architecture = architecture
        self.net = VelocityNet(architecture.sizes, architecture.activation, dtype)
        self.set_weights(weights)
        self._optimizer = None
        self.set_hyper(hyper)

    # -- training ------------------------------------------------------------------------------------
    def set_hyper(self, hyper: FlowHyper) -> None:
        if self._optimizer is None or self._optimizer.kind != hyper.optimizer:
            # a new kind of optimizer has no meaningful state to carry over
            self._optimizer = OPTIMIZERS[hyper.optimizer](self.net.flat.size, hyper.learning_rate, self.net.dtype)

    def step(self, x0: np.ndarray, x1: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        loss = self._backpropagate(x0, x1, t)
        self._optimizer.lr = learning_rate
        self._optimizer.step(self.net.flat, self.net.flat_gradient)
        return loss

    def loss_and_gradients(self, x0: np.ndarray, x1: np.ndarray, t: np.ndarray):
        """The step's loss and its gradient per layer, [(dW, db), ...], without updating anything."""
        loss = self._backpropagate(x0, x1, t)
        return loss, [(g[:-1].copy(), g[-1].copy()) for g in self.net.gradients]

    def _backpropagate(self, x0, x1, t) -> float:
        """Forward at x_t = x0 + t (x1 - x0) and back from the squared error to x1 - x0: the loss, and
        every layer's gradient in net.gradients."""
        net = self.net
        buffers = net.buffers(len(t))
        inputs, target = buffers.inputs[0], buffers.target
        np.subtract(x1.T, x0.T, out=target)
        np.multiply(target, t, out=inputs[:2])
        inputs[:2] += x0.T
        inputs[2] = t
        error = np.subtract(net.forward(buffers), target, out=buffers.output)
        loss = float(np.vdot(error, error)) / error.size
        error *= 2 / error.size  # d mean(error^2) / d output
        net.backward(buffers, error)
        return loss

    def optimizer_state(self) -> dict:
        """'velocity_optimizer' the kind; for Adam its count and moments, one flat array each (VelocityNet.flat's)."""
        optimizer = self._optimizer
        state = {f"{NETWORK}_optimizer": optimizer.kind}
        if optimizer.kind == "adam":
            state.update({f"{NETWORK}_step": optimizer.t, f"{NETWORK}_m": [optimizer.m.copy()]})
            state[f"{NETWORK}_v"] = [optimizer.v.copy()]
        return state

    def load_optimizer_state(self, state: dict) -> None:
        """Adopt an optimizer_state() of this engine with the same optimizer kind (set_hyper first)."""
        optimizer = self._optimizer
        kind = state.get(f"{NETWORK}_optimizer")
        if kind != optimizer.kind:
            raise ValueError(f"{NETWORK}: optimizer state of {kind!r} where the {optimizer.kind!r} optimizer is in use")
        if optimizer.kind == "adam":
            (m,), (v,) = state[f"{NETWORK}_m"], state[f"{NETWORK}_v"]
            if np.shape(m) != optimizer.m.shape or np.shape(v) != optimizer.v.shape:
                raise ValueError(f"{NETWORK}: Adam moments of shape {np.shape(m)} where {optimizer.m.shape} is needed")
            optimizer.m[...], optimizer.v[...], optimizer.t = m, v, int(state[f"{NETWORK}_step"])

    # -- inspection ----------------------------------------------------------------------------------
    def _forward(self, x: np.ndarray, t) -> _Buffers:
        buffers = self.net.buffers(len(x))
        buffers.inputs[0][:2] = np.asarray(x).T
        buffers.inputs[0][2] = t
        self.net.forward(buffers)
        return buffers

    def velocity(self, x: np.ndarray, t) -> np.ndarray:
        return self._forward(x, t).output.T.copy()

    def velocity_divergence(self, x: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
        buffers = self._forward(x, t)
        return buffers.output.T.copy(), self.net.divergence(buffers)

    def get_weights(self):
        return {NETWORK: [(layer[:-1].astype(float), layer[-1].astype(float)) for layer in self.net.layers]}

    def set_weights(self, weights) -> None:
        given = check_weights(self.net.sizes, weights)  # all checked before anything is copied
        for layer, (w, b) in zip(self.net.layers, given, strict=True):
            layer[:-1], layer[-1] = w, b
