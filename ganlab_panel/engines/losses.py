"""GAN formulations as data: one `Loss` record per formulation, D's and G's losses as functions of D's logits.

Written against a tiny `ops` namespace (mean, sigmoid, log_sigmoid, relu, step) so every engine computes the
very same formula. Working from logits keeps log D and log(1 - D) finite where D saturates. Adding a loss is
adding its record to LOSSES: the config's options, the loss menu, slow motion's captions and both engines
follow from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

REAL_LABEL = 0.95
"""GAN Lab's one-sided label smoothing: the real term of D's log loss is scaled by 0.95 (a setting)."""

GP_LAMBDA = 10.0
"""WGAN-GP's penalty weight in its paper (Gulrajani et al. 2017); the gp_weight setting's default."""


@dataclass(frozen=True)
class Loss:
    """One GAN formulation. Values average over the batch; gradients are d(loss)/d(logit), one per logit: the
    start of each backward pass. Captions are per sample, with {r} for the real label and {lam} for the
    penalty weight."""

    name: str
    title: str  # the loss menu's label
    summary: str  # both losses in one line (r is the real label, 0.95 in GAN Lab)
    discriminator_caption: str  # slow motion's, for D's loss
    generator_caption: str
    discriminator: Callable  # (real_logits, fake_logits, ops, real_label) -> D's loss
    generator: Callable  # (fake_logits, ops) -> G's loss
    discriminator_gradient: Callable  # (real_logits, fake_logits, ops, real_label) -> (real, fake) gradients
    generator_gradient: Callable  # (fake_logits, ops) -> gradient
    critic: bool = False
    """It uses D's logit f itself, a critic's score, rather than D = sigmoid(f): frames show f."""
    shift_invariant: bool = False
    """It is unchanged by adding a constant to f (hinge's margins at +-1 fix its zero), so f's level means
    nothing: frames centre f, and D's output bias gets a gradient of exactly 0 (mean - mean leaves ~1e-17 of
    rounding, which Adam, dividing by the gradient's size, would turn into steps of the full learning rate)."""
    penalised: bool = False
    """It adds a gradient penalty (gradient_penalty): a D step needs the interpolation weights (`mix`)."""
    max_learning_rates: Mapping[str, float] | None = None
    """Optimizer kind -> the largest learning rate it trains with; choosing the loss in the page lowers larger
    ones (lowered_learning_rates)."""


def _log_discriminator(real_logits, fake_logits, ops, real_label):
    # log D = log_sigmoid(logit), log(1 - D) = log_sigmoid(-logit)
    return -(real_label * ops.mean(ops.log_sigmoid(real_logits)) + ops.mean(ops.log_sigmoid(-fake_logits)))


def _log_discriminator_gradient(real_logits, fake_logits, ops, real_label):
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    return -real_label / len(real_logits) * (1 - real), fake / len(fake_logits)


def _least_squares_discriminator_gradient(real_logits, fake_logits, ops, real_label):
    real, fake = ops.sigmoid(real_logits), ops.sigmoid(fake_logits)
    n_real, n_fake = len(real_logits), len(fake_logits)
    return 2 / n_real * (real - 1) * real * (1 - real), 2 / n_fake * fake * fake * (1 - fake)


def _least_squares_generator_gradient(fake_logits, ops):
    fake = ops.sigmoid(fake_logits)
    return 2 / len(fake_logits) * (fake - 1) * fake * (1 - fake)


def _critic_generator(fake_logits, ops):
    return -ops.mean(fake_logits)


def _critic_generator_gradient(fake_logits, ops):
    return 0 * fake_logits - 1 / len(fake_logits)  # the same slope everywhere, as an array like the logits


_LOG_CAPTION = "log loss: -[{r} log D(real) + log(1 - D(fake))]"

LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            name="log",
            title="Log loss (non-saturating)",
            summary="Non-saturating (GAN Lab): D = -[r mean log D(x) + mean log(1 - D(G(z)))]; G = -mean log D(G(z)).",
            discriminator_caption=_LOG_CAPTION,
            generator_caption="log loss, non-saturating: -log D(fake)",
            discriminator=_log_discriminator,
            generator=lambda fake_logits, ops: -ops.mean(ops.log_sigmoid(fake_logits)),
            discriminator_gradient=_log_discriminator_gradient,
            generator_gradient=lambda fake_logits, ops: -(1 - ops.sigmoid(fake_logits)) / len(fake_logits),
        ),
        Loss(
            name="minimax",
            title="Minimax",
            summary="Minimax (the original paper): D as for log loss; G = mean log(1 - D(G(z))), which saturates.",
            discriminator_caption=_LOG_CAPTION,
            generator_caption="minimax: log(1 - D(fake)), whose gradient vanishes where D is sure a sample is fake",
            discriminator=_log_discriminator,
            # log(1 - D): flat where D is sure it is fake
            generator=lambda fake_logits, ops: ops.mean(ops.log_sigmoid(-fake_logits)),
            discriminator_gradient=_log_discriminator_gradient,
            generator_gradient=lambda fake_logits, ops: -ops.sigmoid(fake_logits) / len(fake_logits),
        ),
        Loss(
            name="least_squares",
            title="Least squares",
            summary="Least squares: D = mean (D(x) - 1)^2 + mean D(G(z))^2; G = mean (D(G(z)) - 1)^2.",
            discriminator_caption="least squares: (D(real) - 1)² + D(fake)²",
            generator_caption="least squares: (D(fake) - 1)²",
            discriminator=lambda real_logits, fake_logits, ops, real_label: (
                ops.mean((ops.sigmoid(real_logits) - 1) ** 2) + ops.mean(ops.sigmoid(fake_logits) ** 2)
            ),
            generator=lambda fake_logits, ops: ops.mean((ops.sigmoid(fake_logits) - 1) ** 2),
            discriminator_gradient=_least_squares_discriminator_gradient,
            generator_gradient=_least_squares_generator_gradient,
        ),
        Loss(
            name="hinge",
            title="Hinge",
            summary="Hinge: D = mean max(0, 1 - f(x)) + mean max(0, 1 + f(G(z))); G = -mean f(G(z)), f = D's logit.",
            discriminator_caption="hinge on D's score f: max(0, 1 - f(real)) + max(0, 1 + f(fake))",
            generator_caption="hinge: -f(fake)",
            discriminator=lambda real_logits, fake_logits, ops, real_label: (
                ops.mean(ops.relu(1 - real_logits)) + ops.mean(ops.relu(1 + fake_logits))
            ),
            generator=_critic_generator,
            # max(0, 1 - f) has slope -1 where f < 1; max(0, 1 + f) slope 1 where f > -1
            discriminator_gradient=lambda real_logits, fake_logits, ops, real_label: (
                -ops.step(1 - real_logits) / len(real_logits),
                ops.step(1 + fake_logits) / len(fake_logits),
            ),
            generator_gradient=_critic_generator_gradient,
            critic=True,
        ),
        Loss(
            name="wgan_gp",
            title="WGAN-GP",
            summary=(
                "WGAN-GP: D = mean f(G(z)) - mean f(x) + 10 mean (|grad f(x^)| - 1)^2 at points x^ between real and "
                "fake samples; G = -mean f(G(z))."
            ),
            discriminator_caption=(
                "WGAN-GP on the critic's score f: f(fake) - f(real) + {lam} (|∇f(x̂)| - 1)² at x̂ between them"
            ),
            generator_caption="WGAN-GP: -f(fake)",
            # the critic's part; engines add gradient_penalty, which needs D's input gradient
            discriminator=lambda real_logits, fake_logits, ops, real_label: (
                ops.mean(fake_logits) - ops.mean(real_logits)
            ),
            generator=_critic_generator,
            discriminator_gradient=lambda real_logits, fake_logits, ops, real_label: (
                0 * real_logits - 1 / len(real_logits),
                0 * fake_logits + 1 / len(fake_logits),
            ),
            generator_gradient=_critic_generator_gradient,
            critic=True,
            shift_invariant=True,
            penalised=True,
            # the penalty (at the paper's lambda 10) multiplies the critic's steps: measured, 2,000 iterations on
            # each of GAN Lab's presets without divergence at these; at SGD 0.1 it diverges within 2
            max_learning_rates={"sgd": 0.01, "adam": 0.001},
        ),
    )
}
"""Every formulation by name, in the loss menu's order."""


def lookup(kind: str) -> Loss:
    """The record of loss `kind`; ValueError naming the choices if there is none."""
    try:
        return LOSSES[kind]
    except (KeyError, TypeError):  # TypeError: an unhashable kind
        raise ValueError(f"unknown loss {kind!r}; choose one of: {', '.join(LOSSES)}") from None


def discriminator_loss(kind: str, real_logits, fake_logits, ops, real_label: float = REAL_LABEL):
    """D's loss on a real and a fake batch (for WGAN-GP without its penalty, which needs D's input gradient)."""
    return lookup(kind).discriminator(real_logits, fake_logits, ops, real_label)


def generator_loss(kind: str, fake_logits, ops):
    """G's loss on a fake batch."""
    return lookup(kind).generator(fake_logits, ops)


def discriminator_loss_gradient(kind: str, real_logits, fake_logits, ops, real_label: float = REAL_LABEL):
    """d(D's loss)/d(logit) for the real and the fake batch: the start of D's backward pass."""
    return lookup(kind).discriminator_gradient(real_logits, fake_logits, ops, real_label)


def generator_loss_gradient(kind: str, fake_logits, ops):
    """d(G's loss)/d(logit) for the fake batch: the start of G's backward pass (through D)."""
    return lookup(kind).generator_gradient(fake_logits, ops)


def lowered_learning_rates(loss: str, optimizers: Mapping[str, str], rates: Mapping[str, float]) -> dict[str, float]:
    """The rates that loss `loss`'s cap lowers: {network: its cap} for each network whose rate (`rates`, by
    network) is above the cap for its optimizer kind (`optimizers`, by network); {} for a loss without one."""
    caps = lookup(loss).max_learning_rates
    if caps is None:
        return {}
    return {net: caps[kind] for net, kind in optimizers.items() if kind in caps and rates[net] > caps[kind]}


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
