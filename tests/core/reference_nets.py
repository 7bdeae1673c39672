"""Plain-numpy references for the engine tests: GAN Lab's MLP written the obvious way, its input gradient,
central differences, and seeded weights. Shared by test_engine, test_numpy_engine and test_formulations."""

from __future__ import annotations

import numpy as np

from ganlab_panel.engines.base import initial_weights


def mlp(layers, x):
    """GAN Lab's network: x @ W + b with ReLU between layers, none after the last."""
    for i, (w, b) in enumerate(layers):
        x = x @ w + b
        if i < len(layers) - 1:
            x = np.maximum(x, 0)
    return x


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def input_gradient(layers, x):
    """df/dx of the MLP at each row of x, by a plain backward pass through the masks of x's forward pass."""
    masks = []
    for w, b in layers[:-1]:
        x = x @ w + b
        masks.append(x > 0)
        x = np.maximum(x, 0)
    grad = np.ones((len(x), 1)) @ layers[-1][0].T
    for (w, _), mask in zip(layers[-2::-1], masks[::-1], strict=True):
        grad = (grad * mask) @ w.T
    return grad


def numerical_gradient(f, layers, h=1e-6):
    """Central differences of f(layers) for every weight and bias, in float64."""
    gradients = []
    for array in (a for layer in layers for a in layer):
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + h
            up = f(layers)
            array[index] = saved - h
            down = f(layers)
            array[index] = saved
            gradient[index] = (up - down) / (2 * h)
        gradients.append(gradient)
    return gradients


def seeded_weights(architecture, seed=0, scale=1.0, bias=0.0):
    """GAN Lab's initial weights for both networks, weights scaled by `scale`; GAN Lab starts with zero
    biases, and `bias` > 0 adds noise to them to check that biases are used and updated everywhere."""
    rng = np.random.default_rng(seed)
    weights = {
        "generator": initial_weights(architecture.generator_sizes, rng),
        "discriminator": initial_weights(architecture.discriminator_sizes, rng),
    }
    return {
        net: [(scale * w, b + bias * rng.standard_normal(b.shape)) for w, b in layers]
        for net, layers in weights.items()
    }


def flat(weights, net):
    """One network's arrays in order: W1, b1, W2, b2, ..."""
    return [a for layer in weights[net] for a in layer]
