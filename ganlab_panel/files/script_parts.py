"""What every exported script shares, whatever its model: the header, the real data's sampler (copied from
core/distributions.py), the noise, the app's random streams, arrays embedded as text, and the command line's
common options. A template (script_gan.py) puts them together with its own networks, losses and loop.

Pieces are source text. Where the app's code is plain numpy it is copied (`inspect.getsource`), so the script
draws exactly the app's numbers and never drifts from them.
"""

from __future__ import annotations

import base64
import inspect
import re
import textwrap
from string import Template

import numpy as np

from ganlab_panel.core import distributions
from ganlab_panel.core.trainer import NOISE_CHUNK, REAL_POOL, SHOWN_FAKE, SHOWN_REAL

STREAMS = {"weights": 0, "data": 1, "noise": 2, "shown": 3, "mix": 5}
"""The trainer's random streams, np.random.default_rng([seed, stream]) in Trainer.reset's order (4, the
metrics' samples, has no use in a script)."""

LINE = 100
"""Characters per line of embedded data: the file stays readable in any editor."""
PACKED_ROWS = 30
"""Rows of an array beyond which several go on a line: a drawing's hundreds of points stay a few screens long."""


def fill(template: str, **values) -> str:
    """`template` (dedented, `$name` placeholders) with `values` in: generated code keeps its braces as they are."""
    return Template(textwrap.dedent(template).strip("\n")).substitute(values)


def header(title: str, rows: list[tuple[str, str]], notes: str, usage: str) -> str:
    """The script's docstring: a title, the settings as aligned rows, what it reproduces, how to run it."""
    width = max(len(name) for name, _ in rows) + 2
    lines = [title, "", "Settings:"]
    for name, text in rows:
        wrapped = textwrap.wrap(text, LINE - width - 2) or [""]
        lines += [f"  {name:<{width}}{wrapped[0]}"] + [f"  {'':<{width}}{more}" for more in wrapped[1:]]
    lines += ["", *textwrap.wrap(notes, LINE), "", *(f"    {u}" for u in usage.splitlines())]
    return '#!/usr/bin/env python3\n"""' + "\n".join(lines) + '\n"""'


def noise_text(config) -> str:
    """The noise, as the header names it."""
    if config.noise_type == "uniform":
        return f"{config.noise_dim}-D uniform on [0, 1]"
    return f"{config.noise_dim}-D truncated gaussian, mean 0.5, std 0.25, within 2 std"


def data_text(config) -> str:
    info = distributions.REGISTRY[config.distribution]
    points = f", {len(config.points)} points" if info.needs_points else ""
    return f"{info.title}: {config.distribution}{points}"


# -- the real data -------------------------------------------------------------------------------------------------
def sampler(config) -> tuple[str, str]:
    """(code defining `sample_real(n, rng)`, data for the end of the file): the app's sampler of the config's
    distribution. Drawn or loaded points go to the end of the file, since there may be thousands."""
    info = distributions.REGISTRY[config.distribution]
    distributions.make_sampler(config.distribution, config.points or None)  # ValueError: drawn data needs points
    if info.needs_points:
        jitter = info.jitter
        code = fill(
            '''
            def sample_real(n, rng):
                """A point of POINTS (at the end of this file) picked uniformly$jitter_doc."""
                picked = POINTS[rng.integers(0, len(POINTS), n)]$jitter_code
                return picked
            ''',
            jitter_doc=f", plus gaussian jitter of std {jitter!r}" if jitter else "",
            jitter_code=f"\n    picked = picked + {jitter!r} * rng.standard_normal((n, 2))" if jitter else "",
        )
        return code, array_literal("POINTS", distributions.validate_points(config.points))
    note = f"# The real data: {info.title!r}, sampled as the app samples it (ganlab_panel/core/distributions.py)"
    return note + "\n" + copied_function(info.sampler, "sample_real"), ""


def copied_function(function, name: str) -> str:
    """A module-level function's source renamed `name`, with the numpy arrays and numbers it reads (module
    globals, or a closure's cells) as constants before it, their names in capitals."""
    code = textwrap.dedent(inspect.getsource(function))
    code = re.sub(r"^def \w+\(", f"def {name}(", code, count=1, flags=re.M)
    constants = []
    cells = dict(zip(function.__code__.co_freevars, (c.cell_contents for c in function.__closure__ or ()), strict=True))
    for var in sorted(set(function.__code__.co_names) | set(cells)):
        value = cells[var] if var in cells else function.__globals__.get(var)
        if isinstance(value, (np.ndarray, float)):
            constant = var.strip("_").upper()
            code = re.sub(rf"\b{var}\b", constant, code)
            is_array = isinstance(value, np.ndarray)
            constants.append(array_literal(constant, value) if is_array else f"{constant} = {float(value)!r}")
    return "\n".join(constants + ["\n\n" * bool(constants) + code.rstrip()])


def array_literal(name: str, array: np.ndarray) -> str:
    """`NAME = np.array([...])` with every number exact (repr), laid out as ruff format would: on one line if it
    fits, else a row a line; beyond PACKED_ROWS rows, several rows a line (left alone by `fmt: off`)."""
    array = np.asarray(array, dtype=float)
    if array.ndim == 1:
        items = [repr(float(x)) for x in array]
    else:
        items = ["[" + ", ".join(repr(float(x)) for x in row) + "]" for row in array]
    one_line = f"{name} = np.array([{', '.join(items)}])"
    if len(one_line) <= LINE:
        return one_line
    if len(items) <= PACKED_ROWS:
        return f"{name} = np.array(\n    [\n" + "".join(f"        {item},\n" for item in items) + "    ]\n)"
    lines = [""]
    for item in items:
        if lines[-1] and len(lines[-1]) + len(item) + 2 > LINE - 8:
            lines.append("")
        lines[-1] += f"{item}, "
    body = "\n".join(f"        {line.rstrip()}" for line in lines)
    return f"# fmt: off\n{name} = np.array(\n    [\n{body}\n    ]\n)\n# fmt: on"


def section(title: str) -> str:
    """A section's comment line: `# -- title ---...`, LINE characters long."""
    return f"# -- {title} ".ljust(LINE, "-")


def data_code(config) -> str:
    """The real data: the app's sampler, its pool of real samples and the endless batches cycling through it."""
    code, _ = sampler(config)
    return (
        code
        + "\n\n\n"
        + fill(
            '''
        def real_batches(pool, size):
            """Endless real batches: the app draws REAL_POOL samples once and cycles through them."""
            start = 0
            while True:
                yield pool[np.arange(start, start + size) % len(pool)]
                start = (start + size) % len(pool)
        '''
        )
    )


# -- the noise -----------------------------------------------------------------------------------------------------
def noise_code(config) -> str:
    """`sample_noise(n, rng)` of the config's noise type, and `noise_batches`, which draws as the app does."""
    if config.noise_type == "uniform":
        draw = '''
            def sample_noise(n, rng):
                """Uniform noise on [0, 1), drawn in float32 as the app does."""
                return rng.random((n, NOISE_DIM), dtype=np.float32)
            '''
    else:
        draw = '''
            def sample_noise(n, rng):
                """Truncated gaussian noise, mean 0.5, std 0.25: a draw beyond 2 std is drawn again (as GAN Lab's
                tf.truncatedNormal), in float32 as the app does."""
                z = rng.standard_normal((n, NOISE_DIM), dtype=np.float32)
                bad = np.abs(z) > 2
                while bad.any():
                    z[bad] = rng.standard_normal(int(bad.sum()), dtype=np.float32)
                    bad = np.abs(z) > 2
                return 0.5 + 0.25 * z
            '''
    batches = '''
        def noise_batches(rng, size):
            """Endless noise batches, NOISE_CHUNK batches drawn at a time: the app's chunks, hence its numbers (the
            redrawn gaussian tails depend on them)."""
            while True:
                yield from np.split(sample_noise(NOISE_CHUNK * size, rng), NOISE_CHUNK)
        '''
    return fill(draw) + "\n\n\n" + fill(batches)


def stream_constants(streams: dict[str, int] = STREAMS, own: str | None = None) -> str:
    """The constants that make the script draw the app's random numbers (`streams`: those the script uses); `own`,
    the model's constant lines after REAL_POOL (by default the GAN's: its noise chunks and shown samples)."""
    if own is None:
        own = f"NOISE_CHUNK = {NOISE_CHUNK}  # noise batches drawn at once\n"
        own += f"SHOWN_REAL, SHOWN_FAKE = {SHOWN_REAL}, {SHOWN_FAKE}  # samples in the plot, as in the app's view"
    return (
        fill(
            """
        # How the app draws its random numbers: kept, the same seed gives the app's numbers
        STREAMS = $streams  # np.random.default_rng([seed, stream])
        REAL_POOL = $pool  # real samples drawn once, then cycled through
        """,
            streams="{" + ", ".join(f'"{name}": {stream}' for name, stream in streams.items()) + "}",
            pool=REAL_POOL,
        )
        + "\n"
        + own
    )


# -- embedded weights ----------------------------------------------------------------------------------------------
def embedded_floats(name: str, values: np.ndarray) -> str:
    """`NAME = ("...")`: float32 values, little-endian, in base64, LINE characters a line: 4 bytes a number,
    where their text would take 10 to 20 (the largest networks hold ~100,000)."""
    text = base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")
    lines = [text[i : i + LINE - 6] for i in range(0, len(text), LINE - 6)]
    return f"{name} = (\n" + "\n".join(f'    "{line}"' for line in lines) + "\n)"


def parameter_vector(weights: dict, networks: tuple[str, ...]) -> np.ndarray:
    """Engine weights ({net: [(W, b), ...]}, W of shape (fan_in, fan_out)) as one float32 vector in torch's
    order: network by network, each layer's weight in nn.Linear's layout (fan_out, fan_in), then its bias,
    which torch.nn.utils.vector_to_parameters reads back. float32 is what the torch engine and the script
    train in, so nothing is lost."""
    parts = [a for net in networks for w, b in weights[net] for a in (np.asarray(w).T.ravel(), np.asarray(b).ravel())]
    return np.concatenate(parts).astype(np.float32)


# -- the plot and the command line ---------------------------------------------------------------------------------
def plot_code() -> str:
    """`pyplot(show)` and `save_plot`: matplotlib where installed, a window only where one can open."""
    return fill(
        '''
        def can_show():
            """A window can open: on macOS and Windows, or where Linux has a display (X11, Wayland)."""
            display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            return sys.platform in ("darwin", "win32") or bool(display)


        def pyplot(show):
            """matplotlib.pyplot, or None without matplotlib (training needs none); to files only unless `show`."""
            try:
                import matplotlib
            except ImportError:
                print("no plot: matplotlib is not installed (pip install matplotlib)")
                return None
            if not show:
                matplotlib.use("Agg")  # no window, so no GUI toolkit needed
            import matplotlib.pyplot as plt

            return plt


        def save_plot(plt, figure, path, show):
            figure.tight_layout()
            figure.savefig(path, dpi=100)
            print(f"plot written to {path}")
            if show and plt.get_backend().lower() != "agg":  # MPLBACKEND=Agg, as in CI, means no window
                plt.show()
            plt.close(figure)
        '''
    )


def arguments_code(out: str, embedded: bool, iteration: int) -> str:
    """`parse_args(argv)`: the options every exported script has; --from-weights where weights are embedded."""
    weights = fill(
        """
            parser.add_argument(
                "--from-weights",
                action=argparse.BooleanOptionalAction,
                default=True,
                help="start from the app's weights at iteration $iteration (at the end of this file), or with "
                "--no-from-weights from the seed's initial weights (default: from the app's)",
            )
        """,
        iteration=iteration,
    )
    return fill(
        """
        def parse_args(argv=None):
            parser = argparse.ArgumentParser(description="Train this experiment, print its losses and plot the result.")
            parser.add_argument("--iterations", type=int, default=ITERATIONS, help="default %(default)s")
            parser.add_argument("--seed", type=int, default=SEED, help="of data, noise, weights (default %(default)s)")
            parser.add_argument("--out", default="$out", help="the plot's PNG file, '' for none (default %(default)s)")
            parser.add_argument("--no-show", action="store_true", help="never open a window (else: where one can)")
            parser.add_argument("--losses", metavar="FILE", help="write every iteration's losses to FILE (JSON)")
            parser.add_argument("--every", type=int, default=100, metavar="N", help="print losses every N iterations")
        $weights
            args = parser.parse_args(argv)
            args.show = not args.no_show and can_show()
            return args
        """,
        out=out,
        weights=("    " + weights.replace("\n", "\n    ")) if embedded else "",
    )
