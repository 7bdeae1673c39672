"""GAN formulations as data: D's and G's losses as functions of discriminator logits.

Written against a tiny `ops` namespace (mean, sigmoid, log_sigmoid, relu, step) so every engine computes the
very same formula. Working from logits keeps log D and log(1 - D) finite where D saturates.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

REAL_LABEL = 0.95
"""GAN Lab's one-sided label smoothing: the real term of D's log loss is scaled by 0.95 (a setting)."""

LOSSES = {
    "log": "Non-saturating (GAN Lab): D = -[r mean log D(x) + mean log(1 - D(G(z)))]; G = -mean log D(G(z)).",
    "minimax": "Minimax (the original paper): D as for log loss; G = mean log(1 - D(G(z))), which saturates.",
    "least_squares": "Least squares: D = mean (D(x) - 1)^2 + mean D(G(z))^2; G = mean (D(G(z)) - 1)^2.",
    "hinge": "Hinge: D = mean max(0, 1 - f(x)) + mean max(0, 1 + f(G(z))); G = -mean f(G(z)), f = D's logit.",
    "wgan_gp": (
        "WGAN-GP: D = mean f(G(z)) - mean f(x) + 10 mean (|grad f(x^)| - 1)^2 at points x^ between real and fake "
        "samples; G = -mean f(G(z))."
    ),
}
"""Each formulation's losses in one line (r is the real label, 0.95 in GAN Lab)."""

CRITIC_LOSSES = ("hinge", "wgan_gp")
"""Losses that use D's logit f itself, a critic's score, rather than D = sigmoid(f): frames show f."""

SHIFT_INVARIANT_LOSSES = ("wgan_gp",)
"""Losses unchanged by adding a constant to f (hinge's margins at +-1 fix its zero), so f's level means nothing:
frames centre f, and D's output bias gets a gradient of exactly 0 (mean - mean leaves ~1e-17 of rounding,
which Adam, dividing by the gradient's size, would turn into steps of the full learning rate)."""

PENALISED_LOSSES = ("wgan_gp",)
"""Losses with a gradient penalty: a D step needs the interpolation weights (`mix`) of its points."""

GP_LAMBDA = 10.0
"""WGAN-GP's penalty weight in its paper (Gulrajani et al. 2017); the gp_weight setting's default."""


def _unknown(kind: str) -> ValueError:
    return ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}")


def discriminator_loss(kind: str, real_logits, fake_logits, ops, real_label: float = REAL_LABEL):
    """D's loss on a real and a fake batch (log D = log_sigmoid(logit), log(1 - D) = log_sigmoid(-logit))."""
    if kind in ("log", "minimax"):
        return -(real_label * ops.mean(ops.log_sigmoid(real_logits)) + ops.mean(ops.log_sigmoid(-fake_logits)))
    if kind == "least_squares":
        return ops.mean((ops.sigmoid(real_logits) - 1) ** 2) + ops.mean(ops.sigmoid(fake_logits) ** 2)
    if kind == "hinge":
        return ops.mean(ops.relu(1 - real_logits)) + ops.mean(ops.relu(1 + fake_logits))
    if kind == "wgan_gp":  # the critic's part; engines add gradient_penalty, which needs D's input gradient
        return ops.mean(fake_logits) - ops.mean(real_logits)
    raise _unknown(kind)


def generator_loss(kind: str, fake_logits, ops):
    """G's loss on a fake batch."""
    if kind == "log":
        return -ops.mean(ops.log_sigmoid(fake_logits))
    if kind == "minimax":
        return ops.mean(ops.log_sigmoid(-fake_logits))  # log(1 - D): flat where D is sure it is fake
    if kind == "least_squares":
        return ops.mean((ops.sigmoid(fake_logits) - 1) ** 2)
    if kind in ("hinge", "wgan_gp"):
        return -ops.mean(fake_logits)
    raise _unknown(kind)


def discriminator_loss_gradient(kind: str, real_logits, fake_logits, ops, real_label: float = REAL_LABEL):
    """d(D's loss)/d(logit) for the real and the fake batch: the start of D's backward pass."""
    n_real, n_fake = len(real_logits), len(fake_logits)
    if kind == "hinge":  # max(0, 1 - f) has slope -1 where f < 1; max(0, 1 + f) slope 1 where f > -1
        return -ops.step(1 - real_logits) / n_real, ops.step(1 + fake_logits) / n_fake
    if kind == "wgan_gp":
        return 0 * real_logits - 1 / n_real, 0 * fake_logits + 1 / n_fake
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    if kind in ("log", "minimax"):
        return -real_label / n_real * (1 - real), fake / n_fake
    if kind == "least_squares":
        return 2 / n_real * (real - 1) * real * (1 - real), 2 / n_fake * fake * fake * (1 - fake)
    raise _unknown(kind)


def generator_loss_gradient(kind: str, fake_logits, ops):
    """d(G's loss)/d(logit) for the fake batch: the start of G's backward pass (through D)."""
    n = len(fake_logits)
    if kind in ("hinge", "wgan_gp"):
        return 0 * fake_logits - 1 / n  # the same slope everywhere, as an array like the logits
    fake = ops.sigmoid(fake_logits)
    if kind == "log":
        return -(1 - fake) / n
    if kind == "minimax":
        return -fake / n
    if kind == "least_squares":
        return 2 / n * (fake - 1) * fake * (1 - fake)
    raise _unknown(kind)


def gradient_penalty(norms, ops, weight: float = GP_LAMBDA):
    """WGAN-GP's penalty from the lengths of D's input gradients at the interpolated points:
    weight mean((|g| - 1)^2)."""
    return weight * ops.mean((norms - 1) ** 2)


def gradient_penalty_slope(norms, weight: float = GP_LAMBDA):
    """d(gradient_penalty)/d(each norm): where the penalty's backward pass starts."""
    return 2 * weight / len(norms) * (norms - 1)


def _np_mean(x):
    return np.add.reduce(x) / len(x)  # np.mean's sum and division without its Python wrapper (3x the cost here)


def _np_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


NUMPY_OPS = SimpleNamespace(
    mean=_np_mean,
    sigmoid=_np_sigmoid,
    log_sigmoid=lambda x: -np.logaddexp(0, -x),
    relu=lambda x: np.maximum(x, 0),
    step=lambda x: (x > 0).astype(x.dtype),  # relu's slope, in the logits' own precision
)
