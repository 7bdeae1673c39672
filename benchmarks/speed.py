"""Training speed and frame cost at GAN Lab's default configuration.

    python benchmarks/speed.py [--iterations 2000] [--repeats 5]

Prints iterations/s (median over repeats) of the torch engine with 1 and 2 threads (the engine uses the
faster; see THREADS in engines/torch_engine.py) and the median cost of one Trainer.frame().
Targets (issue 2): >= 1,000 iterations/s on one thread, < 5 ms per frame. The machine's speed drifts
(shared cores), so a minimal torch loop for the same iteration is timed alongside as a reference.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ganlab_panel.trainer import Trainer


def iterations_per_second(trainer: Trainer, iterations: int, repeats: int) -> list[float]:
    trainer.train(200)  # warm up caches and allocators
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.train(iterations)
        rates.append(iterations / (time.perf_counter() - start))
    return rates


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

    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            iteration()
        rates.append(iterations / (time.perf_counter() - start))
    return rates


def frame_milliseconds(trainer: Trainer, repeats: int = 200) -> list[float]:
    trainer.frame()
    costs = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.frame()
        costs.append((time.perf_counter() - start) * 1e3)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import torch

    from ganlab_panel.engines import torch_engine

    print("GAN Lab default configuration: batch 150, kD 2, kG 1, 1 hidden layer x 8 neurons, SGD, log loss")
    print(f"{'engine':<22}{'threads':>8}{'median it/s':>14}{'min':>10}{'max':>10}")
    for threads in (1, 2):
        torch_engine.THREADS = threads
        trainer = Trainer(engine="torch")
        assert torch.get_num_threads() == threads
        rates = iterations_per_second(trainer, args.iterations, args.repeats)
        print(f"{'torch':<22}{threads:>8}{statistics.median(rates):>14.0f}{min(rates):>10.0f}{max(rates):>10.0f}")
    torch_engine.THREADS = 1
    torch.set_num_threads(1)
    reference = statistics.median(minimal_torch_rate(args.iterations, args.repeats))
    print(f"{'minimal torch loop':<22}{1:>8}{reference:>14.0f}   (reference: this machine's speed right now)")
    costs = frame_milliseconds(Trainer(engine="torch"))
    print(f"frame(): median {statistics.median(costs):.2f} ms, p90 {sorted(costs)[int(0.9 * len(costs))]:.2f} ms")


if __name__ == "__main__":
    main()
