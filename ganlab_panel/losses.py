"""GAN formulations as data: D's and G's losses as functions of discriminator logits.

Written against a tiny `ops` namespace (mean, sigmoid, log_sigmoid) so every engine computes the very
same formula. Working from logits keeps log D and log(1 - D) finite where D saturates.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

REAL_LABEL = 0.95
"""GAN Lab's one-sided label smoothing: the log loss's real term is scaled by 0.95."""

LOSSES = {
    "log": "Log loss: D = -[0.95 mean log D(x) + mean log(1 - D(G(z)))]; G = -mean log D(G(z)).",
    "least_squares": "Least squares: D = mean (D(x) - 1)^2 + mean D(G(z))^2; G = mean (D(G(z)) - 1)^2.",
}


def discriminator_loss(kind: str, real_logits, fake_logits, ops):
    """D's loss on a real and a fake batch (log D = log_sigmoid(logit), log(1 - D) = log_sigmoid(-logit))."""
    if kind == "log":
        return -(REAL_LABEL * ops.mean(ops.log_sigmoid(real_logits)) + ops.mean(ops.log_sigmoid(-fake_logits)))
    if kind == "least_squares":
        return ops.mean((ops.sigmoid(real_logits) - 1) ** 2) + ops.mean(ops.sigmoid(fake_logits) ** 2)
    raise ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}")


def generator_loss(kind: str, fake_logits, ops):
    """G's loss on a fake batch (the non-saturating form for log loss)."""
    if kind == "log":
        return -ops.mean(ops.log_sigmoid(fake_logits))
    if kind == "least_squares":
        return ops.mean((ops.sigmoid(fake_logits) - 1) ** 2)
    raise ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}")


def discriminator_loss_gradient(kind: str, real_logits, fake_logits, ops):
    """d(D's loss)/d(logit) for the real and the fake batch: the start of D's backward pass."""
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    n_real, n_fake = len(real_logits), len(fake_logits)
    if kind == "log":
        return -REAL_LABEL / n_real * (1 - real), fake / n_fake
    if kind == "least_squares":
        return 2 / n_real * (real - 1) * real * (1 - real), 2 / n_fake * fake * fake * (1 - fake)
    raise ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}")


def generator_loss_gradient(kind: str, fake_logits, ops):
    """d(G's loss)/d(logit) for the fake batch: the start of G's backward pass (through D)."""
    fake, n = ops.sigmoid(fake_logits), len(fake_logits)
    if kind == "log":
        return -(1 - fake) / n
    if kind == "least_squares":
        return 2 / n * (fake - 1) * fake * (1 - fake)
    raise ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}")


def _np_mean(x):
    return np.add.reduce(x) / len(x)  # np.mean's sum and division without its Python wrapper (3x the cost here)


def _np_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


NUMPY_OPS = SimpleNamespace(mean=_np_mean, sigmoid=_np_sigmoid, log_sigmoid=lambda x: -np.logaddexp(0, -x))
