"""An experiment as a runnable, readable PyTorch script: one file, no ganlab_panel import, that builds the same
data, networks, losses and optimizers from the same seed, trains, and plots the result with matplotlib.

    text = export_script(config)                      # from the seed's initial weights
    text = export_script(config, engine.get_weights(), iteration=trainer.iteration)   # from the current ones

It writes text only: neither torch nor matplotlib is imported here. Each model family has a template, a
function (config, weights, iterations, iteration) -> str in TEMPLATES, chosen by the config's `model` setting
('gan' where there is none). script_parts.py holds what every template shares.
"""

from __future__ import annotations

from collections.abc import Callable

from ganlab_panel.files import script_flow, script_gan

ITERATIONS = 1000
"""The script's default number of iterations (its --iterations changes it)."""

TEMPLATES: dict[str, Callable[..., str]] = {
    "gan": script_gan.build,
    "flow": script_flow.build,
}
"""Model family (the config's `model`) -> its script's template."""


def export_script(config, weights: dict | None = None, *, iterations: int = ITERATIONS, iteration: int = 0) -> str:
    """The Python source of a script that trains `config`'s experiment as the app does, `iterations` iterations
    by default. With `weights` (an engine's get_weights(), the networks `config` describes) embedded, the script
    starts from them unless run with --no-from-weights; `iteration` is theirs, for the script's header.
    ValueError for a model family without a template, or weights of other shapes."""
    model = getattr(config, "model", "gan")
    if model not in TEMPLATES:
        raise ValueError(f"no script template for model {model!r}; there is one for: {', '.join(TEMPLATES)}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    return TEMPLATES[model](config, weights, iterations=iterations, iteration=iteration)
