"""The NumPy engine: GAN Lab's two MLPs with their forward and backward passes written out in numpy.

It needs nothing but numpy, so the app trains where torch is absent (the browser build), and for GAN
Lab's small networks it is also the faster engine (benchmarks/speed.py): a step is some forty numpy
calls on arrays of a few hundred numbers, so it costs what the calls cost, and a numpy call costs a
fraction of a torch call.

The formulas are the torch engine's (engines/torch_engine.py), from losses.py with NUMPY_OPS, so the
two engines train alike; tests/core/test_numpy_engine.py holds them to it. Three layouts save calls:
- samples are columns: a layer's activations are (features, batch), so every elementwise operation
  runs along contiguous rows as long as the batch;
- a layer's input carries a last row of ones and its weights W (fan_in, fan_out) are stored with the
  bias b as an extra last row, so `W.T @ x + b` is one matrix product, and so is the gradient of W and b;
- a network's layers are views into one flat array, and their gradients into another, so an optimizer
  step is a few operations whatever the depth.
Training steps reuse their activation buffers; what a caller gets back is always a fresh array.
"""

from __future__ import annotations

import math

import numpy as np

from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture, Hyper, check_optimizer_kinds, packs
from ganlab_panel.engines.losses import NUMPY_OPS

DTYPE = np.float64
"""float64, though the torch engine uses float32: at GAN Lab's sizes float32 is no faster (measured
~4,400 iterations/s either way at the defaults: call overhead, not arithmetic), and a comparison with
torch in float64 then checks the formulas to ~1e-10. float32 would be ~2x faster at 50-100 neurons."""

KEPT_BATCH_SIZES = 4
"""Training reuses activation buffers per batch size; a few sizes are live at once (batch, real + fake)."""


class Sgd:
    """Plain gradient descent on a network's flat parameter array."""

    kind = "sgd"

    def __init__(self, size: int, lr: float = 0.1, dtype=DTYPE):
        self.lr = lr

    def step(self, params: np.ndarray, gradient: np.ndarray) -> None:
        gradient *= self.lr  # the gradient buffer is overwritten by the next backward pass anyway
        params -= gradient


class Adam:
    """Adam (betas 0.9, 0.999 unless set, eps 1e-8) with torch.optim.Adam's bias correction."""

    kind = "adam"
    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, size: int, lr: float = 0.001, dtype=DTYPE):
        self.lr = lr
        self.t = 0
        self.m = np.zeros(size, dtype)  # the parameters' dtype: a float32 network (the flow's) keeps float32 moments
        self.v = np.zeros(size, dtype)

    def step(self, params: np.ndarray, gradient: np.ndarray) -> None:
        self.t += 1
        self.m += (1 - self.beta1) * (gradient - self.m)  # torch's lerp towards the gradient
        self.v *= self.beta2
        self.v += (1 - self.beta2) * gradient * gradient
        denominator = np.sqrt(self.v)
        denominator /= math.sqrt(1 - self.beta2**self.t)
        denominator += self.eps
        params -= self.lr / (1 - self.beta1**self.t) * (self.m / denominator)


OPTIMIZERS = {"sgd": Sgd, "adam": Adam}


class Network:
    """An MLP with ReLU between layers and none after the last. `layers[k]` is layer k's weights with its
    bias as last row, a view into `flat`; `gradients[k]` the same for the gradient, in `flat_gradient`."""

    def __init__(self, sizes: list[int]):
        self.sizes = sizes
        shapes = [(n_in + 1, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.flat = np.zeros(sum(rows * cols for rows, cols in shapes), DTYPE)
        self.flat_gradient = np.zeros_like(self.flat)
        self.layers = _views(self.flat, shapes)
        self.gradients = _views(self.flat_gradient, shapes)
        self._kept: dict[int, list[np.ndarray]] = {}

    def activations(self, n: int, keep: bool = False) -> list[np.ndarray]:
        """Buffers for a batch of n: each layer's input (features + 1, n), its last row ones, then the
        output (outputs, n). Training keeps them for the next step; other calls get their own."""
        buffers = self._kept.get(n) if keep else None
        if buffers is None:
            buffers = [np.ones((size + 1, n), DTYPE) for size in self.sizes[:-1]]
            buffers.append(np.empty((self.sizes[-1], n), DTYPE))
            if keep:
                if len(self._kept) >= KEPT_BATCH_SIZES:
                    self._kept.clear()
                self._kept[n] = buffers
        return buffers

    def forward(self, activations: list[np.ndarray]) -> np.ndarray:
        """From the input the caller wrote into activations[0][:-1], fill every layer's activations;
        returns the output before the final activation (outputs, n)."""
        last = len(self.layers) - 1
        for k, layer in enumerate(self.layers):
            if k < last:
                hidden = activations[k + 1][:-1]
                np.dot(layer.T, activations[k], out=hidden)
                np.maximum(hidden, 0, out=hidden)
            else:
                np.dot(layer.T, activations[k], out=activations[k + 1])
        return activations[-1]

    def backward(self, activations, output_grad: np.ndarray, weights: bool = True, input_grad: bool = True):
        """Given the loss's gradient at the output (outputs, n): every layer's gradient into `gradients`
        (if `weights`), and the gradient at the input (features, n) (if `input_grad`, else None).
        A layer's input is the previous ReLU's output, so `input > 0` is that ReLU's mask."""
        grad = output_grad
        for k in range(len(self.layers) - 1, -1, -1):
            if weights:
                np.dot(activations[k], grad.T, out=self.gradients[k])
            if k == 0 and not input_grad:
                return None
            w = self.layers[k][:-1]  # the bias row does not reach the input
            # with a single output this is an outer product, which broadcasting computes at half the cost
            grad = w * grad if len(grad) == 1 else np.dot(w, grad)
            if k > 0:
                grad *= activations[k][:-1] > 0
        return grad

    def tangent_backward(self, activations, direction: np.ndarray, output_grad: np.ndarray) -> None:
        """Add to `gradients` the weight gradient of output_grad . f'(x; direction), the derivative of the
        output along `direction` (features, n) at the inputs x whose forward pass filled `activations`.

        With the ReLU masks of that pass held fixed (they are piecewise constant, so their derivative
        is 0 almost everywhere), f'(x; v) is the masked network without biases applied to v: tangents
        t_0 = v, t_k+1 = mask_k+1 * (W_k^T t_k). Backpropagating output_grad through that linear network
        gives W_k the gradient t_k (outer) delta_k+1, with delta_k = mask_k * (W_k delta_k+1); biases
        get nothing. This is the second-order term the gradient penalty needs (see _gradient_penalty)."""
        last = len(self.layers) - 1
        tangents = [direction]
        for k in range(last):
            tangent = self.layers[k][:-1].T @ tangents[-1]
            tangent *= activations[k + 1][:-1] > 0
            tangents.append(tangent)
        grad = output_grad
        for k in range(last, -1, -1):
            self.gradients[k][:-1] += tangents[k] @ grad.T
            if k > 0:
                w = self.layers[k][:-1]
                grad = w * grad if len(grad) == 1 else w @ grad
                grad *= activations[k][:-1] > 0


def _packed(rows: np.ndarray, pack: int) -> np.ndarray:
    """PacGAN's D inputs as columns: (n, 2) samples -> (2 x pack, n / pack), `pack` consecutive rows each."""
    return rows.reshape(-1, 2 * pack).T


def _unpacked(columns: np.ndarray) -> np.ndarray:
    """The inverse of _packed for column-major samples: (2 x pack, n / pack) -> (2, n)."""
    return columns.T.reshape(-1, 2).T


def _views(flat: np.ndarray, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
    views, start = [], 0
    for rows, cols in shapes:
        views.append(flat[start : start + rows * cols].reshape(rows, cols))
        start += rows * cols
    return views


class NumpyEngine:
    """Generator and discriminator as two Networks; arrays in and out are (samples, coordinates)."""

    def __init__(self, architecture: Architecture, weights, hyper: Hyper):
        self.architecture = architecture
        self.generator = Network(architecture.generator_sizes)
        self.discriminator = Network(architecture.discriminator_sizes)
        self.set_weights(weights)
        self.hyper = None
        self._optimizers = {}
        self.set_hyper(hyper)

    # -- training ------------------------------------------------------------------------------------
    def set_hyper(self, hyper: Hyper) -> None:
        for net, network in (("generator", self.generator), ("discriminator", self.discriminator)):
            kind = getattr(hyper, f"{net}_optimizer")
            optimizer = self._optimizers.get(net)
            if optimizer is None or optimizer.kind != kind:
                # A new kind of optimizer has no meaningful state to carry over.
                optimizer = self._optimizers[net] = OPTIMIZERS[kind](network.flat.size)
            optimizer.lr = getattr(hyper, f"{net}_learning_rate")  # Adam's moments survive an lr change
            if kind == "adam":  # and a change of betas: they weigh the next gradients, not the stored averages
                optimizer.beta1, optimizer.beta2 = hyper.adam_beta1, hyper.adam_beta2
        self.hyper = hyper

    def optimizer_state(self) -> dict:
        """Copies of Adam's moments and step counts per network (SGD keeps none): '<net>_optimizer' names
        the kind, '<net>_step', '<net>_m' and '<net>_v' hold Adam's count and moments, as lists of arrays
        (here one flat array per network, the layout of Network.flat)."""
        state = {}
        for net, optimizer in self._optimizers.items():
            state[f"{net}_optimizer"] = optimizer.kind
            if optimizer.kind == "adam":
                state.update(
                    {f"{net}_step": optimizer.t, f"{net}_m": [optimizer.m.copy()], f"{net}_v": [optimizer.v.copy()]}
                )
        return state

    def load_optimizer_state(self, state: dict) -> None:
        """Adopt optimizer_state()'s values; the optimizer kinds (set_hyper's) must match."""
        check_optimizer_kinds(self._optimizers, state)
        for net, optimizer in self._optimizers.items():
            if optimizer.kind == "adam":
                (m,), (v,) = state[f"{net}_m"], state[f"{net}_v"]
                if m.shape != optimizer.m.shape or v.shape != optimizer.v.shape:
                    raise ValueError(f"{net}: Adam moments of shape {m.shape} where {optimizer.m.shape} is needed")
                optimizer.m[...], optimizer.v[...], optimizer.t = m, v, int(state[f"{net}_step"])

    def discriminator_step(self, real: np.ndarray, noise: np.ndarray, mix: np.ndarray | None = None) -> float:
        generator, discriminator, loss_kind = self.generator, self.discriminator, losses.lookup(self.hyper.loss)
        pack = self.architecture.pack
        n_real, n_fake = packs(len(real), pack), packs(len(noise), pack)
        noise_in = generator.activations(len(noise), keep=True)
        noise_in[0][:-1] = noise.T
        points = discriminator.activations(n_real + n_fake, keep=True)
        inputs = points[0][:-1]  # real samples, then fake ones
        if pack == 1:
            inputs[:, :n_real] = real.T
            np.tanh(generator.forward(noise_in), out=inputs[:, n_real:])
        else:
            inputs[:, :n_real] = _packed(real, pack)
            inputs[:, n_real:] = _packed(np.tanh(generator.forward(noise_in)).T, pack)
        logits = discriminator.forward(points)[0]
        real_logits, fake_logits = logits[:n_real], logits[n_real:]
        real_label = self.hyper.real_label
        loss = loss_kind.discriminator(real_logits, fake_logits, NUMPY_OPS, real_label)
        real_grad, fake_grad = loss_kind.discriminator_gradient(real_logits, fake_logits, NUMPY_OPS, real_label)
        discriminator.backward(points, np.concatenate([real_grad, fake_grad])[None], input_grad=False)
        if loss_kind.penalised:
            loss = loss + self._gradient_penalty(inputs[:, :n_real], inputs[:, n_real:], mix)
        if loss_kind.shift_invariant:
            discriminator.gradients[-1][-1] = 0  # see losses.Loss.shift_invariant
        self._optimizers["discriminator"].step(discriminator.flat, discriminator.flat_gradient)
        return float(loss)

    def _gradient_penalty(self, real: np.ndarray, fake: np.ndarray, mix: np.ndarray | None) -> float:
        """WGAN-GP's penalty lambda mean_i (|g_i| - 1)^2 (lambda: hyper.gp_weight), g_i = grad_x f(x_i) at
        x_i = e_i real_i + (1 - e_i) fake_i (columns of D inputs): adds its gradient to D's and returns its value.

        d(|g| - 1)^2 / d theta = 2 (|g| - 1) g/|g| . dg/d theta = c d/d theta [v . g] with v = g held fixed
        and c = 2 (|g| - 1) / |g| (times lambda / n); v . g = f'(x; v), f's derivative along v, whose
        weight gradient Network.tangent_backward computes in closed form (a double backward pass without autograd)."""
        if mix is None:
            raise ValueError(f"loss {self.hyper.loss!r} needs the interpolation weights `mix` for its penalty")
        discriminator, n = self.discriminator, len(mix)
        if n > min(real.shape[1], fake.shape[1]):
            raise ValueError(f"{n} interpolation weights for {real.shape[1]} real and {fake.shape[1]} fake inputs")
        between = discriminator.activations(n, keep=True)
        between[0][:-1] = mix * real[:, :n] + (1 - mix) * fake[:, :n]
        discriminator.forward(between)
        g = discriminator.backward(between, np.ones((1, n), DTYPE), weights=False)
        with np.errstate(over="ignore", invalid="ignore"):  # a blown-up critic: the trainer reports the inf loss
            norms = np.sqrt(np.add.reduce(g * g))
            slope = losses.gradient_penalty_slope(norms, self.hyper.gp_weight)
            # c = slope / |g|; where |g| = 0, g is 0 too and so is the penalty's gradient (autograd's convention)
            c = np.divide(slope, norms, out=np.zeros_like(norms), where=norms > 0)
        discriminator.tangent_backward(between, g, c[None])
        return float(losses.gradient_penalty(norms, NUMPY_OPS, self.hyper.gp_weight))

    def generator_step(self, noise: np.ndarray) -> float:
        generator, discriminator, loss_kind = self.generator, self.discriminator, losses.lookup(self.hyper.loss)
        pack = self.architecture.pack
        noise_in = generator.activations(len(noise), keep=True)
        noise_in[0][:-1] = noise.T
        points = discriminator.activations(packs(len(noise), pack), keep=True)
        if pack == 1:
            fake = np.tanh(generator.forward(noise_in), out=points[0][:-1])
        else:
            fake = np.tanh(generator.forward(noise_in))
            points[0][:-1] = _packed(fake.T, pack)
        logits = discriminator.forward(points)[0]
        loss = loss_kind.generator(logits, NUMPY_OPS)
        logit_grad = loss_kind.generator_gradient(logits, NUMPY_OPS)[None]
        # through D to its input (D's own weights are not updated), back to every packed sample, then
        # through tanh and G
        fake_grad = discriminator.backward(points, logit_grad, weights=False)
        if pack > 1:
            fake_grad = _unpacked(fake_grad)
        fake_grad *= 1 - fake * fake
        generator.backward(noise_in, fake_grad, input_grad=False)
        self._optimizers["generator"].step(generator.flat, generator.flat_gradient)
        return float(loss)

    # -- inspection ----------------------------------------------------------------------------------
    def generate(self, noise: np.ndarray) -> np.ndarray:
        activations = self.generator.activations(len(noise))
        activations[0][:-1] = np.asarray(noise).T
        return np.tanh(self.generator.forward(activations)).T.copy()

    def critic(self, points: np.ndarray) -> np.ndarray:
        return self._discriminator_logits(points)[0][0]

    def critic_gradient(self, points: np.ndarray) -> np.ndarray:
        _, activations = self._discriminator_logits(points)
        return self._input_gradient(activations, np.ones((1, len(points)), DTYPE))

    def _input_gradient(self, activations, output_grad) -> np.ndarray:
        """Gradient at each point, summed over its `pack` copies: (n, 2)."""
        grad = self.discriminator.backward(activations, output_grad, weights=False)
        return grad.reshape(self.architecture.pack, 2, -1).sum(0).T.copy()

    def _discriminator_logits(self, points):
        """D's logits and activations for single points; with packing each point fills a whole pack."""
        activations = self.discriminator.activations(len(points))
        activations[0][:-1] = np.tile(np.asarray(points).T, (self.architecture.pack, 1))
        return self.discriminator.forward(activations), activations

    def get_weights(self):
        def pairs(network):
            return [(layer[:-1].copy(), layer[-1].copy()) for layer in network.layers]

        return {"generator": pairs(self.generator), "discriminator": pairs(self.discriminator)}

    def set_weights(self, weights) -> None:
        copies = []  # check both networks before copying anything, so a bad checkpoint changes nothing
        for network, net in ((self.generator, "generator"), (self.discriminator, "discriminator")):
            given = list(weights[net])
            if len(given) != len(network.layers):
                raise ValueError(f"{net}: expected {len(network.layers)} layers, got {len(given)}")
            for layer, pair in zip(network.layers, given, strict=True):
                if len(pair) != 2:
                    raise ValueError(f"{net}: a layer is a (weights, bias) pair, got {len(pair)} arrays")
                for target, array in ((layer[:-1], pair[0]), (layer[-1], pair[1])):
                    if np.shape(array) != target.shape:
                        raise ValueError(f"{net}: weight of shape {np.shape(array)} where {target.shape} is needed")
                    copies.append((target, array))
        for target, array in copies:
            target[...] = array
