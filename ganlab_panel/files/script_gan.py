"""The GAN's script: GAN Lab's two MLPs in torch.nn, the config's loss, optimizers and steps, written out for the
one experiment (only its loss, its noise, its data), so that a reader sees that experiment and nothing else.

It computes what the torch engine does (engines/torch_engine.py), in float32, by autograd and torch.optim
instead of the engine's written-out backward pass and optimizers: the same formulas, so the same losses
within rounding. tests/core/test_script_export.py holds it to the app's first losses.
"""

from __future__ import annotations

import re

from ganlab_panel.engines import losses
from ganlab_panel.engines.base import Architecture
from ganlab_panel.files import checkpoints
from ganlab_panel.files import script_parts as parts
from ganlab_panel.files.script_parts import fill
from ganlab_panel.render.colors import FAKE_COLOR, REAL_COLOR

NETWORKS = ("generator", "discriminator")

LOSS_CODE = {  # loss -> (D's loss, G's loss): the bodies of discriminator_loss and generator_loss
    "log": (
        '''"""Log loss: -[r mean log D(real) + mean log(1 - D(fake))], D = sigmoid(logit), r the real label
    (below 1: GAN Lab's one-sided label smoothing). log_sigmoid keeps log D finite where D saturates."""
    return -(REAL_LABEL * F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())''',
        '''"""Non-saturating: -mean log D(fake), steep where D is sure a sample is fake."""
    return -F.logsigmoid(fake_logits).mean()''',
    ),
    "minimax": (
        '''"""Log loss: -[r mean log D(real) + mean log(1 - D(fake))], D = sigmoid(logit), r the real label
    (below 1: GAN Lab's one-sided label smoothing). log_sigmoid keeps log D finite where D saturates."""
    return -(REAL_LABEL * F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())''',
        '''"""Minimax, the original paper's: mean log(1 - D(fake)), flat where D is sure a sample is fake."""
    return F.logsigmoid(-fake_logits).mean()''',
    ),
    "least_squares": (
        '''"""Least squares: mean (D(real) - 1)^2 + mean D(fake)^2, D = sigmoid(logit)."""
    return ((torch.sigmoid(real_logits) - 1) ** 2).mean() + (torch.sigmoid(fake_logits) ** 2).mean()''',
        '''"""Least squares: mean (D(fake) - 1)^2."""
    return ((torch.sigmoid(fake_logits) - 1) ** 2).mean()''',
    ),
    "hinge": (
        '''"""Hinge on D's score f (its logit, no sigmoid): mean max(0, 1 - f(real)) + mean max(0, 1 + f(fake))."""
    return torch.relu(1 - real_logits).mean() + torch.relu(1 + fake_logits).mean()''',
        '''"""-mean f(fake): G pushes its samples up D's score."""
    return -fake_logits.mean()''',
    ),
    "wgan_gp": (
        '''"""The critic's part of WGAN-GP: mean f(fake) - mean f(real), f = D's logit (no sigmoid); the step
    adds the gradient penalty."""
    return fake_logits.mean() - real_logits.mean()''',
        '''"""-mean f(fake): G pushes its samples up the critic's score."""
    return -fake_logits.mean()''',
    ),
}

PENALTY = '''
def gradient_penalty(discriminator, real, fake, mix):
    """WGAN-GP's penalty: GP_WEIGHT mean (|grad f(x)| - 1)^2 at x = e real + (1 - e) fake, one weight e in
    [0, 1) per D input."""
    e = torch.from_numpy(mix).float()[:, None]
    x = (e * real + (1 - e) * fake).requires_grad_()
    # create_graph: the penalty's own gradient (through this gradient) trains D
    (gradient,) = torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)
    norms = torch.linalg.vector_norm(gradient, dim=1)
    return GP_WEIGHT * ((norms - 1) ** 2).mean()
'''

SHIFT_INVARIANT = """
    # The loss is unchanged by adding a constant to f, so the output bias's gradient is exactly 0; rounding
    # leaves ~1e-8, which Adam (dividing by the gradient's size) would turn into full-size steps.
    discriminator[-1].bias.grad.zero_()"""

LOAD_WEIGHTS = '''
def load_weights(generator, discriminator):
    """The app's weights when it exported this script (WEIGHTS, at the end of this file): float32 numbers in
    parameters() order, as torch.nn.utils.parameters_to_vector gives them."""
    values = torch.from_numpy(np.frombuffer(base64.b64decode(WEIGHTS), dtype="<f4").copy())
    networks = (generator, discriminator)
    sizes = [sum(p.numel() for p in network.parameters()) for network in networks]
    for network, part in zip(networks, values.split(sizes)):
        torch.nn.utils.vector_to_parameters(part, network.parameters())
'''

MAIN = """

def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)  # networks this small train fastest on one thread
    rngs = {name: np.random.default_rng([args.seed, stream]) for name, stream in STREAMS.items()}
    generator, discriminator = networks(rngs["weights"])$use_weights
    pool = sample_real(REAL_POOL, rngs["data"]).astype(np.float32)
    start = time.perf_counter()
    losses = train(generator, discriminator, pool, rngs, args.iterations, args.every)
    print(f"{len(losses['generator'])} iterations in {time.perf_counter() - start:.2f} s")
    if args.losses:
        with open(args.losses, "w") as file:
            json.dump(losses, file)
    if args.out:
        shown_noise = sample_noise(SHOWN_FAKE, rngs["shown"])
        plot(generator, discriminator, pool[:SHOWN_REAL], shown_noise, losses, args.out, args.show)
"""

BODY = '''
# -- networks ------------------------------------------------------------------------------------------
def mlp(sizes, rng):
    """Linear layers with ReLU between them, initialised as GAN Lab does: the first layer's weights N(0, 1/2),
    later layers' N(0, 1/fan_in), biases 0; drawn as (fan_in, fan_out), the app's layout and order."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        std = 1 / np.sqrt(2) if i == 0 else 1 / np.sqrt(fan_in)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(rng.normal(0, std, (fan_in, fan_out)).T))
            linear.bias.zero_()
        layers += [linear, nn.ReLU()]
    return layers[:-1]  # no ReLU after the output layer


def networks(rng):
    """The generator (noise -> a point, tanh keeps it in [-1, 1]) and the discriminator (PACK points -> a logit
    f; D = sigmoid(f) is the probability the points are real)."""
    generator = nn.Sequential(*mlp(GENERATOR_SIZES, rng), nn.Tanh())
    discriminator = nn.Sequential(*mlp(DISCRIMINATOR_SIZES, rng))
    return generator, discriminator

$load_weights

def pack(points):
    """PacGAN: PACK consecutive samples side by side make one input of D."""
    return points.reshape(-1, 2 * PACK)


# -- losses --------------------------------------------------------------------------------------------
def discriminator_loss(real_logits, fake_logits):
    $discriminator_loss


def generator_loss(fake_logits):
    $generator_loss

$penalty

# -- training ------------------------------------------------------------------------------------------
def discriminator_step(generator, discriminator, optimizer, real, noise$mix_argument):
    """One update of D on a real batch and G(noise); returns D's loss before the update."""
    with torch.no_grad():  # G is not trained in D's step
        fake = generator(torch.from_numpy(noise))
    real, fake = pack(torch.from_numpy(real)), pack(fake)
    logits = discriminator(torch.cat([real, fake]))[:, 0]
    loss = discriminator_loss(logits[: len(real)], logits[len(real) :])$add_penalty
    optimizer.zero_grad()
    loss.backward()$shift_invariant
    optimizer.step()
    return loss.item()


def generator_step(generator, discriminator, optimizer, noise):
    """One update of G through D (whose weights stay); returns G's loss before the update."""
    logits = discriminator(pack(generator(torch.from_numpy(noise))))[:, 0]
    loss = generator_loss(logits)
    optimizer.zero_grad()
    loss.backward()  # leaves gradients in D too: D's step clears them before its own
    optimizer.step()
    return loss.item()


def train(generator, discriminator, pool, rngs, iterations, every):
    """Each iteration D_STEPS discriminator steps then G_STEPS generator steps, as the app's; returns each
    iteration's losses (those of its last steps). Stops early if a loss becomes NaN or infinite."""
    d_optimizer = $d_optimizer
    g_optimizer = $g_optimizer
    real, noise = real_batches(pool, BATCH_SIZE), noise_batches(rngs["noise"], BATCH_SIZE)
    losses = {"discriminator": [], "generator": []}
    d_loss = g_loss = math.nan  # a network with no steps keeps a NaN loss, as in the app
    for iteration in range(1, iterations + 1):
        for _ in range(D_STEPS):
            d_loss = discriminator_step(generator, discriminator, d_optimizer, next(real), next(noise)$mix_stream)
        for _ in range(G_STEPS):
            g_loss = generator_step(generator, discriminator, g_optimizer, next(noise))
        if not math.isfinite($stepped):  # the losses of the networks that stepped
            print(f"iteration {iteration}: D loss {d_loss}, G loss {g_loss}; lower the learning rates")
            break
        losses["discriminator"].append(d_loss)
        losses["generator"].append(g_loss)
        if every and iteration % every == 0:
            print(f"iteration {iteration:6d}   D loss {d_loss:8.4f}   G loss {g_loss:8.4f}")
    return losses


# -- the picture ---------------------------------------------------------------------------------------
def plot(generator, discriminator, real, noise, losses, path, show):
    """GAN Lab's view: D's heatmap with the real samples (green) and fake ones (purple); and the losses."""
    plt = pyplot(show)
    if plt is None:
        return
    cells = (np.arange(RESOLUTION) + 0.5) / RESOLUTION
    x, y = np.meshgrid(cells, cells)
    points = torch.from_numpy(np.column_stack([x.ravel(), y.ravel()]).astype(np.float32))
    with torch.no_grad():
        # with packing, D of a point is D of the point packed with copies of itself
        f = discriminator(points.repeat(1, PACK))[:, 0].numpy()
        fake = generator(torch.from_numpy(noise)).numpy()
    figure, (view, chart) = plt.subplots(1, 2, figsize=(12, 5))
    $heatmap
    shade = shade.reshape(RESOLUTION, RESOLUTION)
    image = view.imshow(shade, origin="lower", extent=(0, 1, 0, 1), cmap="PRGn", **scale)
    figure.colorbar(image, ax=view, label=label)
    view.scatter(*real.T, s=5, color="$real_color", label="real")
    view.scatter(*fake.T, s=5, color="$fake_color", label="fake")
    view.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", title="Real and fake samples")
    view.legend(loc="upper right")
    for name, values in losses.items():
        chart.plot(range(1, len(values) + 1), values, label=f"{name}'s loss")
    chart.set(xlabel="iteration", title="Losses")
    chart.legend()
    save_plot(plt, figure, path, show)

'''

HEATMAP = {  # how the plot shades D's logit f at each cell, and the colour bar's label
    "probability": '''shade, scale = 1 / (1 + np.exp(-f)), {"vmin": 0, "vmax": 1}
    label = "D(x), the probability that x is real"''',
    "critic": '''shade = f - np.median(f)  # only differences of this critic's score mean anything
    spread = max(float(np.abs(shade).max()), 1e-6)
    scale, label = {"vmin": -spread, "vmax": spread}, "f(x), the critic's score (centred)"''',
    "critic_uncentred": '''shade, spread = f, max(float(np.abs(f).max()), 1e-6)
    scale, label = {"vmin": -spread, "vmax": spread}, "f(x), the critic's score"''',
}


def build(config, weights=None, iterations: int = 1000, iteration: int = 0) -> str:
    """The GAN's script for `config`; with `weights` (the engine's) embedded, from which it starts by default."""
    architecture = Architecture.from_config(config)
    loss = losses.lookup(config.loss)
    embedded = weights is not None
    if embedded:  # shapes and finiteness, as a checkpoint's are checked
        checkpoints.check_architecture(checkpoints.Checkpoint(config.to_dict(), weights, iteration))
    batch = -(-config.batch_size // config.pack) * config.pack  # the trainer's rounding up to whole packs
    discriminator_code, generator_code = LOSS_CODE[config.loss]
    stepped = " + ".join(
        name for name, steps in (("d_loss", config.k_discriminator), ("g_loss", config.k_generator)) if steps
    )
    heatmap = "critic" if loss.shift_invariant else "critic_uncentred" if loss.critic else "probability"
    body = fill(
        BODY,
        load_weights=LOAD_WEIGHTS if embedded else "",
        discriminator_loss=discriminator_code,
        generator_loss=generator_code,
        penalty=PENALTY if loss.penalised else "",
        mix_argument=", mix_rng" if loss.penalised else "",
        add_penalty="\n    loss = loss + gradient_penalty(discriminator, real, fake, mix_rng.random(len(real)))"
        if loss.penalised
        else "",
        shift_invariant=SHIFT_INVARIANT if loss.shift_invariant else "",
        d_optimizer=_optimizer(config, "discriminator", "D"),
        g_optimizer=_optimizer(config, "generator", "G"),
        mix_stream=', rngs["mix"]' if loss.penalised else "",
        stepped=stepped,
        heatmap=HEATMAP[heatmap],
        real_color=REAL_COLOR,
        fake_color=FAKE_COLOR,
    )
    main = fill(
        MAIN,
        use_weights="\n    if args.from_weights:\n        load_weights(generator, discriminator)" if embedded else "",
    )
    settings = _settings(config, architecture, batch, iterations)
    sections = [
        _imports(embedded, "F." in discriminator_code + generator_code) + "\n\n" + settings,
        parts.stream_constants(),
        parts.data_code(config),
        parts.noise_code(config),
        body,
        parts.plot_code(),
        parts.arguments_code("gan.png", embedded, iteration),
        main,
    ]
    data = [d for d in (parts.sampler(config)[1],) if d]
    if embedded:
        data.append(parts.embedded_floats("WEIGHTS", parts.parameter_vector(weights, NETWORKS)))
    if data:
        sections.append(parts.section("data, at the end as it may be long"))
        sections += data
    sections.append('if __name__ == "__main__":\n    main()')
    text = "\n\n\n".join(s.strip("\n") for s in sections if s.strip()) + "\n"
    text = _header(config, architecture, batch, loss, embedded, iteration) + "\n\n" + text
    text = re.sub(r"\n{4,}", "\n\n\n", text)  # an empty optional part leaves no gap
    return re.sub(r"^# -- (.*?) -+$", lambda m: parts.section(m.group(1)), text, flags=re.M)


def _header(config, architecture: Architecture, batch: int, loss, embedded: bool, iteration: int) -> str:
    rows = [("data", parts.data_text(config)), ("noise", parts.noise_text(config))]
    for net, output in (("generator", "tanh output"), ("discriminator", "a logit out")):
        sizes = " -> ".join(map(str, getattr(architecture, f"{net}_sizes")))
        layers, neurons = getattr(config, f"{net}_layers"), getattr(config, f"{net}_neurons")
        text = f"{sizes} ({_count(layers, 'hidden layer')} of {neurons} neurons as GAN Lab counts them), ReLU, "
        text += f"{output}; {_optimizer_text(config, net)}"
        if net == "discriminator" and config.pack > 1:
            text += f"; PacGAN packing: D judges {config.pack} samples side by side"
        rows.append((net, text))
    loss_text = loss.summary
    if config.loss in ("log", "minimax"):
        loss_text += f" Real label r = {config.real_label!r}."
    if loss.penalised:
        loss_text += f" Penalty weight {config.gp_weight!r}."
    rows.append(("loss", loss_text))
    steps = f"{_count(config.k_discriminator, 'discriminator step')} (kD), then "
    steps += f"{_count(config.k_generator, 'generator step')} (kG)"
    rows += [("iteration", f"{steps}, on batches of {batch}"), ("seed", str(config.seed))]
    if embedded:
        rows.append(("weights", f"the app's at iteration {iteration}, at the end of this file: training starts there"))
    return parts.header(
        "A GAN learning 2-D points: a GAN Lab experiment exported by ganlab-panel as plain PyTorch.",
        rows,
        "It needs numpy, torch and, for the plot, matplotlib; nothing of ganlab-panel. For the same seed it gives "
        "the app's losses (its torch engine's, in float32): every random number comes from the app's numpy "
        "streams, in the app's order. Autograd rounds differently from the app's written-out gradients, so after "
        "some iterations (tens to hundreds: training a GAN magnifies any difference) the two runs drift apart, "
        "as two runs on different machines may.",
        "python this_file.py --iterations 2000 --out gan.png    (--help lists the options)",
    )


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def _optimizer_text(config, net: str) -> str:
    kind, rate = getattr(config, f"{net}_optimizer"), getattr(config, f"{net}_learning_rate")
    betas = f" (betas {config.adam_beta1!r}, {config.adam_beta2!r})" if kind == "adam" else ""
    return f"{'Adam' if kind == 'adam' else 'SGD'}{betas}, learning rate {rate!r}"


def _imports(embedded: bool, functional: bool) -> str:
    modules = ["argparse", "json", "math", "os", "sys", "time"] + (["base64"] if embedded else [])
    lines = [f"import {m}" for m in sorted(modules)] + ["", "import numpy as np", "import torch"]
    if functional:
        lines.append("import torch.nn.functional as F")
    return "\n".join([*lines, "from torch import nn"])


def _settings(config, architecture: Architecture, batch: int, iterations: int) -> str:
    """The settings as constants, each with the app's name for it."""
    c = config
    lines = [
        "# -- settings (the app's names in the comments) ---------------------------------------------------------",
        f"SEED = {c.seed}  # seed: of the data, the noise and the initial weights",
        f"ITERATIONS = {iterations}  # how many --iterations by default",
        f"NOISE_DIM = {c.noise_dim}  # noise_dim ({c.noise_type} noise)",
        f"GENERATOR_SIZES = {architecture.generator_sizes}  # noise, generator_layers + 1 x generator_neurons, a point",
        f"DISCRIMINATOR_SIZES = {architecture.discriminator_sizes}  # PACK points, discriminator_layers + 1 x "
        "discriminator_neurons, a logit",
        f"PACK = {c.pack}  # pack: samples D judges together (PacGAN)",
        f"BATCH_SIZE = {batch}  # batch_size {c.batch_size}"
        + (", rounded up to whole packs" if batch != c.batch_size else ""),
        f"D_STEPS, G_STEPS = {c.k_discriminator}, {c.k_generator}  # k_discriminator, k_generator: steps per iteration",
        f"D_LEARNING_RATE = {c.discriminator_learning_rate!r}  # discriminator_learning_rate",
        f"G_LEARNING_RATE = {c.generator_learning_rate!r}  # generator_learning_rate",
    ]
    if "adam" in (c.discriminator_optimizer, c.generator_optimizer):
        lines.append(
            f"ADAM_BETAS = ({c.adam_beta1!r}, {c.adam_beta2!r})  # adam_beta1, adam_beta2 (eps 1e-8, as the app's)"
        )
    if c.loss in ("log", "minimax"):
        lines.append(f"REAL_LABEL = {c.real_label!r}  # real_label: the real samples' target in D's loss")
    if losses.lookup(c.loss).penalised:
        lines.append(f"GP_WEIGHT = {c.gp_weight!r}  # gp_weight: WGAN-GP's lambda")
    lines.append(f"RESOLUTION = {c.heatmap_resolution}  # heatmap_resolution: the plot's cells per side")
    return "\n".join(lines)


def _optimizer(config, net: str, short: str) -> str:
    params = f"{net}.parameters(), lr={short}_LEARNING_RATE"
    if getattr(config, f"{net}_optimizer") == "adam":
        return f"torch.optim.Adam({params}, betas=ADAM_BETAS)"
    return f"torch.optim.SGD({params})"
