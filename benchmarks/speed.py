"""Training speed of both engines, side by side, and frame cost at GAN Lab's default configuration; then the
same for a flow at the flow's defaults.

    python benchmarks/speed.py [--iterations 2000] [--repeats 5] [--flow-only]

Prints iterations/s (median over repeats) of the NumPy and torch engines on one thread (torch on 2 as
well: see THREADS in engines/torch_engine.py), then of both on larger networks, where 'auto' switches
to torch (NUMPY_FASTER_UP_TO in engines/factory.py), and the median cost of one Trainer.frame() for each.
Targets: >= 3,500 iterations/s for NumPy (issue 4) and >= 1,000 for torch (issue 2) on one thread,
< 5 ms per frame. The machine's speed drifts (shared cores), so plain numpy and torch loops for the
same iteration are timed alongside as references. The flow (3 hidden layers of 64 SiLU, batch 256, Adam):
>= 1,000 iterations/s for NumPy on one thread; its frame() is timed per heatmap (none, speed, density at
30 x 30), and its metrics apart.

NumPy's BLAS gets one thread the only way it can, before numpy is first imported (OPENBLAS_NUM_THREADS
below). At GAN Lab's default sizes it makes no measurable difference; at 50-100 neurons on this 2-core
shared machine a second BLAS thread made NumPy up to 3x slower, and far worse at moments when the other
core was busy.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from ganlab_panel.core.trainer import Trainer  # noqa: E402
from ganlab_panel.engines.base import Architecture  # noqa: E402
from ganlab_panel.engines.factory import resolve_engine  # noqa: E402

LARGER = {  # (hidden layers, neurons) of both networks
    "3 hidden layers x 30 neurons": (3, 30),
    "1 hidden layer x 100 neurons": (1, 100),
    "5 hidden layers x 100 neurons": (5, 100),
}


def timed_rates(train, iterations: int, repeats: int) -> list[float]:
    """Iterations per second of `repeats` calls of train(iterations)."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        train(iterations)
        rates.append(iterations / (time.perf_counter() - start))
    return rates


def iterations_per_second(trainer: Trainer, iterations: int, repeats: int) -> list[float]:
    trainer.train(min(200, iterations))  # warm up caches and allocators
    return timed_rates(trainer.train, iterations, repeats)


def _loop(iteration):
    """train(n) for a single-iteration function."""
    return lambda n: [iteration() for _ in range(n)]


def minimal_numpy_rate(iterations: int, repeats: int) -> list[float]:
    """A reference on this machine, now: the same iteration as a plain hand-written numpy loop (samples
    as rows, `x @ W + b`, SGD, log loss; no data handling, no loss reported). The engine's layouts
    (engines/numpy_engine.py) need fewer and cheaper calls than this straightforward version."""
    rng = np.random.default_rng(0)

    def layers(sizes):
        pairs = zip(sizes[:-1], sizes[1:], strict=True)
        return [a for i, o in pairs for a in (rng.normal(0, 0.5, (i, o)), np.zeros(o))]

    def forward(params, x):
        inputs = []
        for i in range(0, len(params), 2):
            inputs.append(x)
            x = x @ params[i] + params[i + 1]
            x = np.maximum(x, 0) if i < len(params) - 2 else x
        return x, inputs

    def backward(params, inputs, grad, update=True):
        """The gradient at the input; SGD on the way if `update` (G's step goes through D, unchanged)."""
        for i in range(len(params) - 2, -1, -2):
            x = inputs[i // 2]
            grad_in = grad @ params[i].T if i or not update else None
            if update:
                params[i] -= 0.1 * (x.T @ grad)
                params[i + 1] -= 0.1 * grad.sum(0)
            grad = grad_in * (x > 0) if i else grad_in
        return grad

    g, d = layers([2, 8, 8, 2]), layers([2, 8, 8, 1])
    real, noise = rng.random((150, 2)), rng.random((150, 2))
    sign = np.concatenate([-np.ones(150), np.ones(150)])[:, None]  # d(-log D(x)) and d(-log(1 - D(G(z))))

    def iteration():
        for _ in range(2):
            logits, inputs = forward(d, np.concatenate([real, np.tanh(forward(g, noise)[0])]))
            backward(d, inputs, 1 / (1 + np.exp(-sign * logits)) * sign / 150)
        fake_pre, g_inputs = forward(g, noise)
        fake = np.tanh(fake_pre)
        logits, d_inputs = forward(d, fake)
        fake_grad = backward(d, d_inputs, -1 / (1 + np.exp(logits)) / 150, update=False)
        backward(g, g_inputs, fake_grad * (1 - fake * fake))

    return timed_rates(_loop(iteration), iterations, repeats)


def minimal_torch_rate(iterations: int, repeats: int) -> list[float]:
    """A reference on this machine, now: the leanest torch loop for the same iteration (raw tensors,
    autograd, SGD; no data handling), so the engine's figure can be read against the machine's speed."""
    import torch
    import torch.nn.functional as F

    def layers(sizes):
        pairs = zip(sizes[:-1], sizes[1:], strict=True)
        return [t.requires_grad_() for a, b in pairs for t in (torch.randn(a, b), torch.zeros(b))]

    def mlp(params, x):
        for i in range(0, len(params), 2):
            x = torch.addmm(params[i + 1], x, params[i])
            x = torch.relu(x) if i < len(params) - 2 else x
        return x

    g, d = layers([2, 8, 8, 2]), layers([2, 8, 8, 1])
    real, noise = torch.rand(150, 2), torch.rand(150, 2)
    targets = torch.cat([torch.ones(150), torch.zeros(150)])

    def step(params, loss):
        with torch.no_grad():
            torch._foreach_add_(params, torch.autograd.grad(loss, params), alpha=-0.1)

    def iteration():
        for _ in range(2):
            with torch.no_grad():
                fake = torch.tanh(mlp(g, noise))
            step(d, F.binary_cross_entropy_with_logits(mlp(d, torch.cat([real, fake]))[:, 0], targets))
        step(g, F.binary_cross_entropy_with_logits(mlp(d, torch.tanh(mlp(g, noise)))[:, 0], targets[:150]))

    return timed_rates(_loop(iteration), iterations, repeats)


def frame_milliseconds(trainer: Trainer, repeats: int = 200, with_metrics: bool = True, train: int = 0) -> list[float]:
    """Costs of trainer.frame(); `train` iterations before each, untimed (a flow keeps its heatmap and metrics
    while its weights stay: playing, they change every frame)."""
    trainer.frame(with_metrics)
    costs = []
    for _ in range(repeats):
        trainer.train(train)
        start = time.perf_counter()
        trainer.frame(with_metrics)
        costs.append((time.perf_counter() - start) * 1e3)
    return costs


def flow_figures(n: int, repeats: int) -> None:
    """The flow's training speed per engine, its frame's cost per heatmap, and its metrics' cost."""
    print("\nFlow matching, default settings: 3 hidden layers x 64 SiLU, batch 256, Adam, 20 midpoint steps")
    print(f"{'engine':<22}{'threads':>8}{'median it/s':>14}{'min':>10}{'max':>10}")
    for engine in ("numpy", "torch"):
        row(engine, 1, iterations_per_second(Trainer(model="flow", distribution="ring8", engine=engine), n, repeats))
    trainer = Trainer(model="flow", distribution="ring8", engine="numpy")
    trainer.train(500)
    for heatmap in ("none", "speed", "density"):
        trainer.config.flow_heatmap = heatmap
        for time_ in (1.0, 0.5):
            trainer.config.flow_time = time_
            costs = frame_milliseconds(trainer, repeats=20, with_metrics=False, train=1)
            median, p90 = statistics.median(costs), sorted(costs)[int(0.9 * len(costs))]
            print(f"flow frame(), heatmap {heatmap:<8} at t = {time_}: median {median:.1f} ms, p90 {p90:.1f} ms")
    costs = []
    for _ in range(5):
        trainer.train(1)  # new weights: the metrics are kept only while the weights stay
        start = time.perf_counter()
        trainer.metrics()
        costs.append((time.perf_counter() - start) * 1e3)
    print(f"flow metrics() (10,000 samples carried by 20 midpoint steps): median {statistics.median(costs):.0f} ms")


def row(name: str, threads: int, rates: list[float], note: str = "") -> None:
    print(f"{name:<22}{threads:>8}{statistics.median(rates):>14.0f}{min(rates):>10.0f}{max(rates):>10.0f}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--flow-only", action="store_true", help="only the flow's figures")
    args = parser.parse_args()
    n, repeats = args.iterations, args.repeats
    if args.flow_only:
        flow_figures(n, repeats)
        return

    import torch

    from ganlab_panel.engines import torch_engine

    blas = os.environ["OPENBLAS_NUM_THREADS"]
    print("GAN Lab default configuration: batch 150, kD 2, kG 1, 1 hidden layer x 8 neurons, SGD, log loss")
    print(f"{'engine':<22}{'threads':>8}{'median it/s':>14}{'min':>10}{'max':>10}")
    row("numpy", 1, iterations_per_second(Trainer(engine="numpy"), n, repeats), f"   (BLAS threads: {blas})")
    for threads in (1, 2):
        torch_engine.THREADS = threads
        trainer = Trainer(engine="torch")
        assert torch.get_num_threads() == threads
        row("torch", threads, iterations_per_second(trainer, n, repeats))
    torch_engine.THREADS = 1
    torch.set_num_threads(1)
    note = "   (reference: this machine's speed right now)"
    row("minimal numpy loop", 1, minimal_numpy_rate(n, repeats), note)
    row("minimal torch loop", 1, minimal_torch_rate(n, repeats), note)

    print("\nLarger networks, both engines on one thread (same batch and steps):")
    print(f"{'networks':<32}{'multiply-adds':>14}{'numpy it/s':>12}{'torch it/s':>12}{'auto picks':>12}")
    for name, (layers, neurons) in LARGER.items():
        settings = dict(generator_layers=layers, generator_neurons=neurons)
        settings.update(discriminator_layers=layers, discriminator_neurons=neurons)
        architecture = Architecture(2, layers, neurons, layers, neurons)
        count = max(20, n * 184 // architecture.multiply_adds)  # about as long as a default run
        rates = {
            engine: statistics.median(iterations_per_second(Trainer(engine=engine, **settings), count, repeats))
            for engine in ("numpy", "torch")
        }
        pick = resolve_engine("auto", architecture)
        print(f"{name:<32}{architecture.multiply_adds:>14,}{rates['numpy']:>12.0f}{rates['torch']:>12.0f}{pick:>12}")

    print()
    for engine in ("numpy", "torch"):
        costs = frame_milliseconds(Trainer(engine=engine))
        median, p90 = statistics.median(costs), sorted(costs)[int(0.9 * len(costs))]
        print(f"frame() with {engine:<6}: median {median:.2f} ms, p90 {p90:.2f} ms")
    flow_figures(n, repeats)


if __name__ == "__main__":
    main()
