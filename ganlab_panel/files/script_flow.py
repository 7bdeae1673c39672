"""The flow's script: the velocity network in torch.nn, conditional flow matching's loss, the optimizer and its
learning-rate schedule, the chosen source and ODE steps, written out for the one experiment, so that a reader sees
that experiment and nothing else.

It computes what the torch flow engine does (engines/flow_torch.py) in float32, with torch.optim instead of the
engine's optimizers: the same formulas, so the same losses within rounding. The data are standardised as the
app's are (core/flow_sampling.py): the network sees (x - 0.5) / 0.25. tests/core/test_script_flow.py holds it to
the app's losses.
"""

from __future__ import annotations

import re

from ganlab_panel.core import flow_run
from ganlab_panel.core.flow_sampling import CENTRE, SCALE, UNIFORM_HALF_WIDTH
from ganlab_panel.engines.flow_base import ACTIVATIONS, LOWEST_RATE, NETWORK, FlowArchitecture
from ganlab_panel.files import checkpoints
from ganlab_panel.files import script_parts as parts
from ganlab_panel.files.script_parts import fill
from ganlab_panel.render.colors import FAKE_COLOR, REAL_COLOR

STREAMS = {"weights": 0, "data": 1, "training": 2, "shown": 3}
"""The flow trainer's random streams (core/flow_run.FlowRun): 2 draws each step's source points and times."""

SOURCE_CODE = {
    "gaussian": '''
        def sample_source(n, rng):
            """The source: N(0, I) in the network's coordinates (N(0.5, 0.25^2) per axis in the unit square), drawn
            in float32 as the app draws it."""
            return rng.standard_normal((n, 2), dtype=np.float32)
        ''',
    "uniform": '''
        def sample_source(n, rng):
            """The source: uniform over [-$half, $half]^2 in the network's coordinates (the unit square), drawn in
            float32 as the app draws it."""
            return (rng.random((n, 2), dtype=np.float32) - 0.5) * $width
        ''',
}

SHOWN_CODE = {  # the app draws the shown batch of both sources from the "shown" stream, gaussian first
    "gaussian": "return sample_source(SHOWN_SAMPLES, rng)",
    "uniform": "rng.standard_normal((SHOWN_SAMPLES, 2), dtype=np.float32)  # the gaussian one, drawn first\n    "
    "return sample_source(SHOWN_SAMPLES, rng)",
}

SCHEDULE_CODE = {
    "cosine": '''
        def learning_rate(iteration):
            """The rate of the step after `iteration` steps: a cosine from LEARNING_RATE down to LOWEST_RATE of it at
            DECAY_ITERATIONS, then level, so training goes on slowly rather than stopping dead."""
            progress = min(iteration, DECAY_ITERATIONS) / DECAY_ITERATIONS
            return LEARNING_RATE * (LOWEST_RATE + (1 - LOWEST_RATE) * 0.5 * (1 + math.cos(math.pi * progress)))
        ''',
    "constant": '''
        def learning_rate(iteration):
            """The same rate at every step."""
            return LEARNING_RATE
        ''',
}

METHOD_CODE = {
    "midpoint": '''
        def ode_step(network, x, t, h):
            """One midpoint step of dx/dt = v(x, t) from t to t + h: half a step along v, then the whole step along
            v there."""
            middle = x + (0.5 * h) * velocity(network, x, t)
            return x + h * velocity(network, middle, t + 0.5 * h)
        ''',
    "euler": '''
        def ode_step(network, x, t, h):
            """One Euler step of dx/dt = v(x, t) from t to t + h: along v at the step's start."""
            return x + h * velocity(network, x, t)
        ''',
}

LOAD_WEIGHTS = '''
def load_weights(network):
    """The app's weights when it exported this script (WEIGHTS, at the end of this file): float32 numbers in
    parameters() order, as torch.nn.utils.parameters_to_vector gives them."""
    values = torch.from_numpy(np.frombuffer(base64.b64decode(WEIGHTS), dtype="<f4").copy())
    torch.nn.utils.vector_to_parameters(values, network.parameters())
'''

BODY = '''
$source_code


def shown_source(rng):
    """The source batch the app shows (and this script plots): SHOWN_SAMPLES points."""
    $shown_code


# -- the velocity network ---------------------------------------------------------------------------------
def velocity_network(rng):
    """(x, y, t) -> hidden layers with ACTIVATION between them -> (vx, vy). nn.Linear's own initialisation,
    weights and biases uniform in +-1/sqrt(fan_in), drawn as the app draws them: a layer's weights as
    (fan_in, fan_out), then its biases."""
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        linear = nn.Linear(fan_in, fan_out)
        bound = 1 / math.sqrt(fan_in)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(rng.uniform(-bound, bound, (fan_in, fan_out)).T))
            linear.bias.copy_(torch.from_numpy(rng.uniform(-bound, bound, fan_out)))
        layers += [linear, ACTIVATION()]
    return nn.Sequential(*layers[:-1])  # no activation after the output layer

$load_weights

def velocity(network, x, t):
    """v(x, t) at points x (n, 2), t a number or one per point: the time is the network's third input."""
    t = torch.as_tensor(t, dtype=torch.float32).expand(len(x))
    return network(torch.cat([x, t[:, None]], dim=1))


# -- training -----------------------------------------------------------------------------------------------
$schedule_code


def train_step(network, optimizer, x0, x1, t, rate):
    """Conditional flow matching: on the straight path from a source point x0 to a data point x1, at
    x_t = (1 - t) x0 + t x1, the velocity should be x1 - x0. The loss is the mean squared error over the batch
    and both coordinates; returns it, before the update at learning rate `rate`."""
    x0, x1, t = torch.from_numpy(x0), torch.from_numpy(x1), torch.from_numpy(t)
    x_t = x0 + t[:, None] * (x1 - x0)  # (1 - t) x0 + t x1, computed as the app computes it
    loss = torch.mean((velocity(network, x_t, t) - (x1 - x0)) ** 2)
    optimizer.param_groups[0]["lr"] = rate
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train(network, pool, rng, iterations, start, every):
    """`iterations` steps, the first at iteration `start` of the learning-rate schedule; each draws a data
    batch from the pool in order, then the source points and the times (uniform on [0, 1)), as the app does.
    Returns each step's loss; stops early if one becomes NaN or infinite."""
    optimizer = $optimizer
    data = real_batches(pool, BATCH_SIZE)
    losses = []
    for iteration in range(start, start + iterations):
        x1 = next(data)
        x0 = sample_source(BATCH_SIZE, rng)
        t = rng.random(BATCH_SIZE, dtype=np.float32)
        rate = learning_rate(iteration)
        loss = train_step(network, optimizer, x0, x1, t, rate)
        if not math.isfinite(loss):
            print(f"iteration {iteration + 1}: loss {loss}; lower the learning rate")
            break
        losses.append(loss)
        if every and (iteration + 1) % every == 0:
            print(f"iteration {iteration + 1:6d}   loss {loss:8.4f}   learning rate {rate:.3g}")
    return losses


# -- sampling -----------------------------------------------------------------------------------------------
$method_code


@torch.no_grad()
def sample(network, source, steps=STEPS):
    """Source points (n, 2) carried from t = 0 to 1 by `steps` equal ODE steps: every step's positions,
    (steps + 1, n, 2), the last the samples."""
    times = np.linspace(0, 1, steps + 1)
    x, path = torch.from_numpy(source), [source]
    for t0, t1 in zip(times[:-1], times[1:]):
        x = ode_step(network, x, float(t0), float(t1 - t0))
        path.append(x.numpy())
    return np.stack(path)


def to_square(points):
    """The network's coordinates back to the unit square."""
    return points * SCALE + CENTRE


# -- the picture --------------------------------------------------------------------------------------------
def plot(network, real, source, losses, start, path, show):
    """The real data (green), the source batch carried to t = 1 (purple) and the paths of PATHS of them; the
    loss."""
    plt = pyplot(show)
    if plt is None:
        return
    paths = to_square(sample(network, source))
    figure, (view, chart) = plt.subplots(1, 2, figsize=(12, 5))
    view.plot(paths[:, :PATHS, 0], paths[:, :PATHS, 1], color="$fake_color", alpha=0.35, linewidth=0.8)
    view.scatter(*paths[0, :PATHS].T, s=8, color="$fake_color", alpha=0.35, label="source (t = 0)")
    view.scatter(*real.T, s=5, color="$real_color", label="real")
    view.scatter(*paths[-1].T, s=5, color="$fake_color", label="samples (t = 1)")
    view.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", title=f"Real data, samples and {PATHS} paths")
    view.legend(loc="upper right")
    chart.plot(range(start + 1, start + len(losses) + 1), losses)
    chart.set(xlabel="iteration", title="Flow matching loss")
    save_plot(plt, figure, path, show)
'''

MAIN = """

def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)  # networks this small train fastest on one thread
    rngs = {name: np.random.default_rng([args.seed, stream]) for name, stream in STREAMS.items()}
    network = velocity_network(rngs["weights"])
    start = 0$use_weights
    data = sample_real(REAL_POOL, rngs["data"]).astype(np.float32)
    pool = (data - CENTRE) / SCALE  # what the network sees: the unit square is [-2, 2]^2
    begun = time.perf_counter()
    losses = train(network, pool, rngs["training"], args.iterations, start, args.every)
    print(f"{len(losses)} iterations in {time.perf_counter() - begun:.2f} s")
    if args.losses:
        with open(args.losses, "w") as file:
            json.dump({"loss": losses}, file)
    if args.out:
        plot(network, data[:SHOWN_REAL], shown_source(rngs["shown"]), losses, start, args.out, args.show)
"""

USE_WEIGHTS = """
    if args.from_weights:
        load_weights(network)
        start = WEIGHTS_ITERATION  # the learning-rate schedule goes on where the app's was"""


def build(config, weights=None, iterations: int = 1000, iteration: int = 0) -> str:
    """The flow's script for `config`; with `weights` (the engine's) embedded, from which it starts by default."""
    architecture = FlowArchitecture.from_config(config)
    embedded = weights is not None
    if embedded:  # shapes and finiteness, as a checkpoint's are checked
        checkpoints.check_architecture(checkpoints.Checkpoint(config.to_dict(), weights, iteration))
    optimizer = "torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)  # betas 0.9, 0.999, eps 1e-8: the app's"
    if config.flow_optimizer == "sgd":
        optimizer = "torch.optim.SGD(network.parameters(), lr=LEARNING_RATE)"
    body = fill(
        BODY,
        source_code=fill(SOURCE_CODE[config.flow_source], half=UNIFORM_HALF_WIDTH, width=2 * UNIFORM_HALF_WIDTH),
        shown_code=SHOWN_CODE[config.flow_source],
        load_weights=LOAD_WEIGHTS if embedded else "",
        schedule_code=fill(SCHEDULE_CODE[config.flow_schedule]),
        optimizer=optimizer,
        method_code=fill(METHOD_CODE[config.flow_method]),
        real_color=REAL_COLOR,
        fake_color=FAKE_COLOR,
    )
    own = f"SHOWN_REAL, SHOWN_SAMPLES = {flow_run.SHOWN_REAL}, {flow_run.SHOWN_SAMPLES}  # as in the app's view\n"
    own += f"PATHS = {flow_run.PATHS}  # paths plotted: the first PATHS of the shown batch, as in the app's view"
    sections = [
        _imports(embedded) + "\n\n" + _settings(config, architecture, iterations, embedded, iteration),
        parts.stream_constants(STREAMS, own),
        parts.data_code(config),
        body,
        parts.plot_code(),
        parts.arguments_code("flow.png", embedded, iteration),
        fill(MAIN, use_weights=USE_WEIGHTS if embedded else ""),
    ]
    data = [d for d in (parts.sampler(config)[1],) if d]
    if embedded:
        data.append(parts.embedded_floats("WEIGHTS", parts.parameter_vector(weights, (NETWORK,))))
    if data:
        sections.append(parts.section("data, at the end as it may be long"))
        sections += data
    sections.append('if __name__ == "__main__":\n    main()')
    text = "\n\n\n".join(s.strip("\n") for s in sections if s.strip()) + "\n"
    text = _header(config, architecture, embedded, iteration) + "\n\n" + text
    text = re.sub(r"\n{4,}", "\n\n\n", text)  # an empty optional part leaves no gap
    return re.sub(r"^# -- (.*?) -+$", lambda m: parts.section(m.group(1)), text, flags=re.M)


def _header(config, architecture: FlowArchitecture, embedded: bool, iteration: int) -> str:
    c = config
    source = {
        "gaussian": "gaussian, mean 0.5, std 0.25 per axis (N(0, I) as the network sees it)",
        "uniform": "uniform over the unit square",
    }[c.flow_source]
    network = f"{' -> '.join(map(str, architecture.sizes))} ({c.flow_layers} hidden layer{'s' * (c.flow_layers != 1)} "
    network += f"of {c.flow_neurons}), {ACTIVATIONS[c.flow_activation]}; in (x, y, t), out (vx, vy)"
    rows = [("data", parts.data_text(c)), ("source", source), ("network", network)]
    rows.append(("optimizer", f"{_optimizer_text(c)}, learning rate {c.flow_learning_rate!r}, {_schedule_text(c)}"))
    rows.append(
        (
            "loss",
            "conditional flow matching: the mean squared error of v(x_t, t) to x1 - x0, x_t = (1 - t) x0 + t x1 "
            "between a source point x0 and a data point x1, t uniform on [0, 1]",
        )
    )
    rows.append(("iteration", f"one step on batches of {c.flow_batch_size}"))
    rows.append(("sampling", f"{c.flow_steps} {c.flow_method} step{'s' * (c.flow_steps != 1)} from t = 0 to 1"))
    rows.append(("seed", str(c.seed)))
    if embedded:
        rows.append(("weights", f"the app's at iteration {iteration}, at the end of this file: training starts there"))
    return parts.header(
        "A flow learning 2-D points by flow matching: a ganlab-panel experiment exported as plain PyTorch.",
        rows,
        "It needs numpy, torch and, for the plot, matplotlib; nothing of ganlab-panel. For the same seed it gives "
        "the app's losses (its torch engine's, in float32; the NumPy engine's within rounding): every random "
        "number comes from the app's numpy streams, in the app's order. The network sees the points standardised, "
        "(x - 0.5) / 0.25, as the app's does.",
        "python this_file.py --iterations 4000 --out flow.png    (--help lists the options)",
    )


def _optimizer_text(config) -> str:
    return "Adam (betas 0.9, 0.999)" if config.flow_optimizer == "adam" else "SGD"


def _schedule_text(config) -> str:
    if config.flow_schedule == "constant":
        return "constant"
    return f"cosine decay to {LOWEST_RATE:.0%} of it over {config.flow_decay_iterations:,} iterations, then level"


def _imports(embedded: bool) -> str:
    modules = ["argparse", "json", "math", "os", "sys", "time"] + (["base64"] if embedded else [])
    lines = [f"import {m}" for m in sorted(modules)] + ["", "import numpy as np", "import torch"]
    return "\n".join([*lines, "from torch import nn"])


def _settings(config, architecture: FlowArchitecture, iterations: int, embedded: bool, iteration: int) -> str:
    """The settings as constants, each with the app's name for it."""
    c = config
    lines = [
        "# -- settings (the app's names in the comments) ---",
        f"SEED = {c.seed}  # seed: of the data, the source draws and the initial weights",
        f"ITERATIONS = {iterations}  # how many --iterations by default",
        f"SIZES = {architecture.sizes}  # (x, y, t), flow_layers x flow_neurons, (vx, vy)",
        f"ACTIVATION = nn.{ACTIVATIONS[c.flow_activation]}  # flow_activation",
        f"BATCH_SIZE = {c.flow_batch_size}  # flow_batch_size",
        f"LEARNING_RATE = {c.flow_learning_rate!r}  # flow_learning_rate ({c.flow_optimizer}, flow_optimizer)",
    ]
    if c.flow_schedule == "cosine":
        lines.append(f"DECAY_ITERATIONS = {c.flow_decay_iterations}  # flow_decay_iterations: the cosine's length")
        lines.append(f"LOWEST_RATE = {LOWEST_RATE!r}  # where the cosine ends, a share of LEARNING_RATE")
    lines.append(f"STEPS = {c.flow_steps}  # flow_steps: {c.flow_method} steps (flow_method) from t = 0 to 1")
    lines.append(f"CENTRE, SCALE = {CENTRE!r}, {SCALE!r}  # the network sees (x - CENTRE) / SCALE")
    if embedded:
        lines.append(f"WEIGHTS_ITERATION = {iteration}  # the embedded weights' iteration")
    return "\n".join(lines)
