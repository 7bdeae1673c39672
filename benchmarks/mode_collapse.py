"""Mode collapse on ring-8 and grid-25: modes captured, % high quality and reverse KL per GAN formulation,
and for a flow (flow matching) at its default settings.

    python benchmarks/mode_collapse.py [--seeds 10] [--iterations N] [--jobs 2]
                                       [--datasets ring8 grid25] [--formulations GAN PacGAN2 ... Flow]

Trains every formulation (five losses, and the log loss with PacGAN packing of 2 and 4) on each dataset
over several seeds (WGAN-GP as its authors trained it on 2-D data: penalty weight 0.1, 5 critic steps,
learning rate 1e-4 and Adam betas (0.5, 0.9), over a quarter of the iterations: SCHEDULES), then prints
mean +- standard error over seeds of the VEEGAN/PacGAN figures (metrics.mode_metrics on 2,500 generated
samples), with the architecture, optimizer, batch, iterations and sample counts used. `--jobs` runs train at
once in worker processes, each with NumPy's BLAS on one
thread. Budget: a full default run (7 formulations x 2 datasets x 10 seeds, 140 runs) must take under 30
minutes with --jobs 2 on the shared 2-core build machine; the last took 11.4 minutes (9.7 s a run on a
quiet machine; 16.9 minutes when other work shared the cores). Its table beside the published VEEGAN and
PacGAN rows is docs/mode-collapse.md.

Datasets are the papers' mixtures scaled into GAN Lab's unit square (distributions.RING8_MODES,
GRID25_MODES): ring radius 0.4 with std 0.004, grid spacing 0.2 with std 0.005, so "within 3 std" means
within 0.012 or 0.015 of a mode's centre.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

import numpy as np

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.metrics import MODE_SAMPLES
from ganlab_panel.experiment import Experiment

DATASETS = ("ring8", "grid25")

COMMON = {
    "noise_dim": 2,
    "noise_type": "gaussian",
    "generator_layers": 1,
    "generator_neurons": 64,
    "discriminator_layers": 1,
    "discriminator_neurons": 64,
    "generator_optimizer": "adam",
    "discriminator_optimizer": "adam",
    "generator_learning_rate": 1e-3,
    "discriminator_learning_rate": 1e-3,
    "k_discriminator": 1,
    "k_generator": 1,
    "batch_size": 128,
    "real_label": 1.0,  # no label smoothing: the papers' GAN
    "engine": "numpy",
}
"""Settings shared by every formulation."""

FORMULATIONS = {
    "GAN": {"loss": "log"},  # non-saturating generator loss, as the papers' GAN baselines train
    "GAN-minimax": {"loss": "minimax"},
    "LSGAN": {"loss": "least_squares"},
    "hinge": {"loss": "hinge"},
    "WGAN-GP": {  # as its authors trained it on 2-D data (gan_toy.py): penalty 0.1, 5 critic steps, rate, betas
        "loss": "wgan_gp",
        "gp_weight": 0.1,
        "k_discriminator": 5,
        "generator_learning_rate": 1e-4,
        "discriminator_learning_rate": 1e-4,
        "adam_beta1": 0.5,
        "adam_beta2": 0.9,
    },
    "PacGAN2": {"loss": "log", "pack": 2},
    "PacGAN4": {"loss": "log", "pack": 4},
    "Flow": {"model": "flow"},  # flow matching at its defaults: COMMON's GAN settings do nothing for it
}
"""Each row's settings over COMMON."""

FLOW_ROWS = ("Flow",)
"""Rows that train a flow: its own defaults (GanConfig's flow_* settings: 3 x 64 SiLU, Adam 1e-3 with cosine
decay over 16,000 iterations, batch 256, gaussian source, 20 midpoint steps; the decay spans a run of another
length), no step decay of the GAN's rates."""

ITERATIONS = 16_000
DECAY = ((0.6, 0.3), (0.75, 0.3), (0.9, 0.3))
"""Step decay of both learning rates: at each (fraction of the run, factor) both are multiplied by factor.
The engines' Adam has a fixed rate; the benchmark lowers it live (config.update keeps Adam's moments)."""

SCHEDULES = {"WGAN-GP": (0.25, ()), "Flow": (1.0, ())}
"""Rows with their own (share of the iterations, decay): WGAN-GP's 5 critic steps make an iteration cost
about 3.5 of the others', so a quarter of the iterations keeps its time (and its critic steps, 20,000 at
the default) near theirs; its paper keeps the learning rate constant."""


def row_schedule(formulation: str, iterations: int, decay) -> tuple[int, tuple]:
    """A row's iterations and decay."""
    share, own_decay = SCHEDULES.get(formulation, (1.0, decay))
    return int(round(share * iterations)), (own_decay if decay else ())


def train_one(task: tuple[str, str, int, int, tuple]) -> dict:
    """Train one (dataset, formulation, seed) and return its mode metrics, seconds and divergence."""
    dataset, formulation, seed, iterations, decay = task
    iterations, decay = row_schedule(formulation, iterations, decay)
    start = time.perf_counter()
    settings = {**COMMON, **FORMULATIONS[formulation]}
    if formulation in FLOW_ROWS:  # its cosine decay spans the run (the default 16,000 at the default length)
        settings["flow_decay_iterations"] = iterations
    experiment = Experiment(**settings, distribution=dataset, seed=seed)
    config = experiment.config
    steps = sorted((int(round(fraction * iterations)), factor) for fraction, factor in decay)
    for until, factor in [*steps, (iterations, None)]:
        experiment.train(max(0, until - experiment.iteration))
        if factor is not None:
            config.update(
                {
                    "generator_learning_rate": config.generator_learning_rate * factor,
                    "discriminator_learning_rate": config.discriminator_learning_rate * factor,
                }
            )
    metrics = experiment.metrics
    return {
        "dataset": dataset,
        "formulation": formulation,
        "seed": seed,
        "modes": metrics["modes"],
        "modes_total": metrics["modes_total"],
        "high_quality": 100 * metrics["high_quality"],
        "mode_kl": metrics["mode_kl"],
        "seconds": time.perf_counter() - start,
        "iterations": experiment.iteration,
        "diverged": experiment.diverged,
    }


def mean_se(values: list[float], digits: int) -> str:
    mean = statistics.mean(values)
    se = statistics.stdev(values) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def describe(iterations: int, decay, seeds: int, formulations) -> str:
    c = COMMON
    flow = GanConfig()
    schedule = ", ".join(f"x{factor:g} at {int(round(fraction * iterations))}" for fraction, factor in decay)
    return "\n".join(
        [
            f"Generator: noise {c['noise_dim']}-D {c['noise_type']} -> {c['generator_layers'] + 1} ReLU layers of "
            f"{c['generator_neurons']} -> tanh 2. Discriminator: {c['discriminator_layers'] + 1} ReLU layers of "
            f"{c['discriminator_neurons']} (input 2 x pack).",
            f"Adam (0.9, 0.999) lr {c['generator_learning_rate']:g} both unless a row says otherwise"
            + (f", step decay {schedule}" if schedule else "")
            + f"; kD {c['k_discriminator']}, kG {c['k_generator']}; batch {c['batch_size']}; real label "
            f"{c['real_label']:g}; {c['engine']} engine.",
            *(
                f"{name}: {', '.join(f'{k} {v}' for k, v in FORMULATIONS[name].items() if k != 'loss')}"
                + (
                    f"; {row_schedule(name, iterations, decay)[0]} iterations, constant rates"
                    if name in SCHEDULES
                    else ""
                )
                + "."
                for name in formulations
                if set(FORMULATIONS[name]) - {"loss", "pack"} and name not in FLOW_ROWS
            ),
            *(
                f"{name}: flow matching, velocity network {flow.flow_layers} x {flow.flow_neurons} "
                f"{flow.flow_activation}, {flow.flow_optimizer} {flow.flow_learning_rate:g} with {flow.flow_schedule} "
                f"decay over the run, batch {flow.flow_batch_size}, "
                f"{flow.flow_source} source, {flow.flow_steps} {flow.flow_method} steps; {c['engine']} engine."
                for name in formulations
                if name in FLOW_ROWS
            ),
            f"{iterations} iterations per run; {seeds} seeds; metrics on {MODE_SAMPLES:,} generated samples "
            "(high quality: within 3 std of the nearest mode; KL(generated || uniform) in nats over the modes, "
            "high-quality samples only).",
        ]
    )


def table(results: list[dict], datasets, formulations) -> str:
    lines = []
    header = f"{'formulation':<13}" + "".join(f"| {d + ': modes / % high quality / KL':<44}" for d in datasets)
    lines += [header, "-" * len(header)]
    for formulation in formulations:
        row = f"{formulation:<13}"
        for dataset in datasets:
            runs = [r for r in results if r["dataset"] == dataset and r["formulation"] == formulation]
            if not runs:
                row += f"| {'-':<44}"
                continue
            cell = " / ".join(
                [
                    mean_se([r["modes"] for r in runs], 1),
                    mean_se([r["high_quality"] for r in runs], 1),
                    mean_se([r["mode_kl"] for r in runs], 2),
                ]
            )
            diverged = sum(r["diverged"] is not None for r in runs)
            row += f"| {cell + (f' ({diverged} diverged)' if diverged else ''):<44}"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per (dataset, formulation)")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--jobs", type=int, default=2, help="runs trained at once (processes)")
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--formulations", nargs="+", choices=list(FORMULATIONS), default=list(FORMULATIONS))
    parser.add_argument("--no-decay", action="store_true", help="keep the learning rates fixed")
    parser.add_argument("--per-seed", action="store_true", help="also print every run's figures")
    args = parser.parse_args()
    decay = () if args.no_decay else DECAY
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # one BLAS thread per run, inherited by the spawned workers

    tasks = [
        (dataset, formulation, seed, args.iterations, decay)
        for dataset in args.datasets
        for formulation in args.formulations
        for seed in range(args.seeds)
    ]
    print(describe(args.iterations, decay, args.seeds, args.formulations), flush=True)
    start = time.perf_counter()
    results = []
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        for result in pool.imap_unordered(train_one, tasks):
            results.append(result)
            if args.per_seed:
                print(
                    f"  {result['dataset']:<7}{result['formulation']:<13}seed {result['seed']:<3}"
                    f"modes {result['modes']:>2}/{result['modes_total']}  hq {result['high_quality']:5.1f}%  "
                    f"KL {result['mode_kl']:.3f}  {result['seconds']:.1f} s",
                    flush=True,
                )
    wall = time.perf_counter() - start
    print()
    print(table(results, args.datasets, args.formulations))
    cpu = sum(r["seconds"] for r in results)
    print(
        f"\n{len(results)} runs in {wall / 60:.1f} min wall with {args.jobs} jobs "
        f"({cpu / len(results):.1f} s per run on average)."
    )


if __name__ == "__main__":
    main()
