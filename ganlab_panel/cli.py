"""The `ganlab-panel` command: serve the app, train headless, export a PyTorch script, list distributions, build
the standalone page.

ganlab-panel serve [--port 5006] [--show] [--processes N]
ganlab-panel train --distribution ring --iterations 3000 --seed 0 --save ring.npz --set batch_size=200
ganlab-panel export-script --distribution ring --set loss=hinge [--from-checkpoint ring.npz] [--out ring.py]
ganlab-panel export-script --model flow --distribution ring8 --set flow_method=euler
ganlab-panel train --model flow --distribution ring8 --iterations 16000 --set flow_steps=50
ganlab-panel nginx-site --listen 80 --backend 10.0.0.11:5101 --backend 10.0.0.12:5101
ganlab-panel distributions
ganlab-panel convert [--out dist/standalone]
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path
from urllib.parse import urlencode

from ganlab_panel.core.config import GanConfig, parse_query
from ganlab_panel.core.distributions import REGISTRY
from ganlab_panel.core.presets import preset
from ganlab_panel.files import checkpoints
from ganlab_panel.serving import launcher, nginx

COMMANDS = ("serve", "train", "export-script", "nginx-site", "distributions", "convert")


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 training diverged or failed, 2 bad usage)."""
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and args.command != "serve":
            raise UsageError(f"unrecognized arguments: {' '.join(extra)}")
        return args.run(args, extra)
    except UsageError as error:
        print(f"ganlab-panel: error: {error} (see ganlab-panel {_command(argv)}--help)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nganlab-panel: interrupted", file=sys.stderr)
        return 130


def _command(argv) -> str:
    argv = sys.argv[1:] if argv is None else argv
    return f"{argv[0]} " if argv and argv[0] in COMMANDS else ""


def _parser() -> Parser:
    parser = Parser(prog="ganlab-panel", description="GAN Lab on the HoloViz stack.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the app (extra options go to `panel serve`)",
        description="Serve the app with `panel serve`; options not listed here are passed on to it.",
    )
    serve.add_argument("--port", type=int, default=5006, help="port to listen on (default %(default)s)")
    serve.add_argument("--address", help="address to listen on (default: panel's)")
    serve.add_argument("--show", action="store_true", help="open the app in a browser")
    serve.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="server processes behind nginx, each browser kept on one (default: one per core if nginx is "
        "installed, else 1)",
    )
    serve.set_defaults(run=_serve)

    train = commands.add_parser(
        "train",
        help="train headless and print KL/JS",
        description="Train with GAN Lab's settings for the distribution (as choosing it in the app does), or a "
        "flow with the flow's defaults, changed by any --set, and print the final KL and JS divergence (and the "
        "modes found, for ring8 and grid25).",
    )
    train.add_argument(
        "--model", choices=["gan", "flow"], default="gan", help="gan, or flow (flow matching) (default %(default)s)"
    )
    train.add_argument("--distribution", default="gaussians", help="one of: " + ", ".join(REGISTRY))
    train.add_argument("--iterations", type=_count, default=1000, help="iterations to train (default %(default)s)")
    train.add_argument("--seed", type=_count, default=0, help="random seed (default %(default)s)")
    train.add_argument("--save", type=Path, metavar="PATH", help="write a checkpoint (.npz) when done")
    _setting_options(train)
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)

    script = commands.add_parser(
        "export-script",
        help="write the experiment as a runnable PyTorch script",
        description="Write one Python file, without ganlab-panel, that trains the experiment as the app does (the "
        "same data, networks, losses, optimizers and seed, so the same first losses) and plots it with "
        "matplotlib: GAN Lab's settings for the distribution (a flow's defaults with --model flow) changed by any "
        "--set, or a checkpoint's settings and weights (a GAN's or a flow's), from which the script starts.",
    )
    script.add_argument(
        "--model", choices=["gan", "flow"], help="gan, or flow (flow matching) (default gan, or the checkpoint's)"
    )
    script.add_argument("--distribution", help="one of: " + ", ".join(REGISTRY) + " (default gaussians)")
    script.add_argument("--iterations", type=_count, default=1000, help="the script's default (default %(default)s)")
    script.add_argument("--seed", type=_count, help="random seed (default 0, or the checkpoint's)")
    _setting_options(script)
    script.add_argument("--from-checkpoint", type=Path, metavar="PATH", help="a checkpoint (.npz) to start from")
    script.add_argument(
        "--out",
        metavar="PATH",
        help="the script's file, - for standard output (default: ganlab-DISTRIBUTION.py, from a checkpoint "
        "ganlab-DISTRIBUTION-iterN.py)",
    )
    script.set_defaults(run=_export_script)

    listing = commands.add_parser("distributions", help="list the distributions")
    listing.set_defaults(run=_distributions)

    site = commands.add_parser(
        "nginx-site",
        help="print the nginx site for processes on several machines (docs/deploy.md)",
        description="Print the nginx `http` block that keeps each browser on one of the given server processes "
        "(the one `serve --processes N` uses on one machine), for /etc/nginx/conf.d/ganlab.conf.",
    )
    site.add_argument("--listen", default="80", help="what nginx listens on: port or host:port (default 80)")
    site.add_argument("--server-name", default="", help="nginx server_name, e.g. lab.school.example")
    site.add_argument("--backend", action="append", required=True, metavar="HOST:PORT",
                      help="a `ganlab-panel serve --processes 1` process; repeat for each")  # fmt: skip
    site.set_defaults(run=_nginx_site)

    convert = commands.add_parser(
        "convert",
        help="build the standalone page (static files, the app runs in the browser)",
        description="Build the package wheel and convert the app with `panel convert --to pyodide-worker` "
        "into a folder of static files; serve it with any web server, e.g. `python -m http.server`.",
    )
    convert.add_argument(
        "--out",
        type=Path,
        default=Path("dist/standalone"),
        metavar="DIR",
        help="folder to write to (default %(default)s)",
    )
    convert.set_defaults(run=_convert)
    return parser


def _setting_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting, e.g. --set generator_learning_rate=0.03 or flow_steps=50 (points as x,y;x,y)",
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


# -- commands ----------------------------------------------------------------------------------------
def _nginx_site(args, extra) -> int:
    for backend in args.backend:
        host, _, port = backend.rpartition(":")
        if not host or not port.isdigit():
            raise UsageError(f"--backend must be HOST:PORT, got {backend!r}")
    print(nginx.site(args.listen, args.backend, args.server_name), end="")
    return 0


def _distributions(args, extra) -> int:
    pretrained = set(checkpoints.available_pretrained())
    width = max(map(len, REGISTRY))
    for name, info in REGISTRY.items():
        notes = ["pretrained model"] if name in pretrained else []
        if info.needs_points:
            notes.append("needs points")
        suffix = f"  ({', '.join(notes)})" if notes else ""
        print(f"{name:<{width}}  {info.title}{suffix}")
    return 0


def _train(args, extra) -> int:
    from ganlab_panel.experiment import Experiment  # imports torch: only for the command that trains

    config = _config(args)
    if args.save is not None and not args.save.parent.is_dir():
        raise UsageError(f"cannot save to {args.save}: folder {args.save.parent} does not exist")
    try:
        experiment = Experiment(config)
    except (ValueError, RuntimeError) as error:  # e.g. drawn data without points, no engine installed
        raise UsageError(str(error)) from None
    what = "flow on " if config.model == "flow" else ""
    bar = None if args.quiet else ProgressBar(f"training {what}{config.distribution}", sys.stderr)
    experiment.train(args.iterations, progress=bar)
    if bar:
        bar.close()
    if experiment.diverged:
        print(f"ganlab-panel: {experiment.diverged}", file=sys.stderr)
        if args.save is not None:
            print("ganlab-panel: no checkpoint saved", file=sys.stderr)
        return 1
    m = experiment.metrics
    line = f"{config.distribution}: iteration {experiment.iteration}  KL {m['kl']:.4f}  JS {m['js']:.4f}"
    if "modes" in m:
        line += f"  modes {m['modes']}/{m['modes_total']}  high quality {100 * m['high_quality']:.1f}%"
    print(line)
    if args.save is not None:
        try:
            experiment.save(args.save)
        except OSError as error:
            print(f"ganlab-panel: cannot save to {args.save}: {error.strerror or error}", file=sys.stderr)
            return 1
        print(f"saved {args.save}")
    return 0


def _config(args, base: dict | None = None) -> GanConfig:
    """The distribution's preset (a GAN's; a flow starts from its defaults) or `base` (a checkpoint's settings),
    then the model and the seed, then each --set in order; the first bad value is reported."""
    if base is None and args.distribution not in REGISTRY:
        raise UsageError(f"unknown distribution {args.distribution!r}; choose one of: {', '.join(REGISTRY)}")
    if base is not None:
        values = dict(base)
    else:
        model = getattr(args, "model", None) or "gan"
        start = preset(args.distribution) if model == "gan" else {"distribution": args.distribution}
        values = {**start, "model": model}
    if args.seed is not None:
        values["seed"] = args.seed
    for item in args.settings:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            values.update(parse_query(urlencode({key.strip(): text.strip()})))
        except ValueError as error:
            raise UsageError(str(error)) from None
    try:
        return GanConfig.from_dict(values)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _export_script(args, extra) -> int:
    from ganlab_panel.files import exports
    from ganlab_panel.files.script_export import export_script

    weights, iteration = None, 0
    if args.from_checkpoint is not None:
        if args.distribution is not None:
            raise UsageError("--distribution goes with no checkpoint: a checkpoint's settings say what it learns")
        try:
            checkpoint = checkpoints.load(args.from_checkpoint)
        except checkpoints.CheckpointError as error:
            raise UsageError(str(error)) from None
        found = checkpoint.config.get("model", "gan")
        if args.model not in (None, found):
            raise UsageError(f"--model {args.model} with a {found} checkpoint: a checkpoint's settings say its model")
        config = _config(args, checkpoint.config)
        weights, iteration = checkpoint.weights, checkpoint.iteration
    else:
        args.distribution = args.distribution or "gaussians"
        config = _config(args)
    try:  # e.g. drawn data without points, or a --set that reshapes the checkpoint's networks
        text = export_script(config, weights, iterations=args.iterations, iteration=iteration)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out or exports.filename("script_weights" if weights else "script", config, iteration))
    try:
        out.write_text(text)
    except OSError as error:
        print(f"ganlab-panel: cannot write {out}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {out}; run it with:  python {out} --iterations {args.iterations}")
    return 0


def _serve(args, extra) -> int:
    for app in launcher.APPS:
        if not app.is_file():
            print(f"ganlab-panel: the app is missing ({app}); reinstall ganlab-panel", file=sys.stderr)
            return 1
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, got {args.port}")
    processes = args.processes
    if processes is None:  # one per core where nginx can sit in front of them, else one
        processes = launcher.default_processes() if nginx.find_nginx() else 1
        if processes == 1 and launcher.default_processes() > 1:
            print("ganlab-panel: nginx is not installed, so one process serves every session "
                  "(see docs/deploy.md)", file=sys.stderr)  # fmt: skip
    elif processes < 1:
        raise UsageError(f"--processes must be at least 1, got {processes}")
    if processes > 1:
        return _serve_pool(args, extra, processes)
    command = launcher.panel_command(args.port, args.address, extra)
    site = f"http://{args.address or 'localhost'}:{args.port}"
    if args.show and not args.port:  # port 0: only the server learns its port, so let it open the pages
        command.append("--show")
    print(f"serving GAN Lab on {site}/app and compare mode on {site}/compare", file=sys.stderr)
    process = subprocess.Popen(command, env=launcher.environment())
    if args.show and args.port:  # one tab on the app: panel's --show opens one per served file
        threading.Thread(target=_open_when_up, args=(_host(args), args.port, "app", process), daemon=True).start()
    # Stopping this command (e.g. a service manager's SIGTERM) must stop the server too, not orphan it.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
    try:
        return process.wait()
    except KeyboardInterrupt:  # the server got the same Ctrl-C; let it shut down cleanly
        return process.wait() or 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve_pool(args, extra, processes: int) -> int:
    def ready(port: int) -> None:
        site = f"http://{args.address or 'localhost'}:{port}"
        print(f"serving GAN Lab on {site}/app and compare mode on {site}/compare ({processes} processes behind "
              "nginx)", file=sys.stderr)  # fmt: skip
        if args.show:
            webbrowser.open_new_tab(f"http://{_host(args)}:{port}/app")

    try:
        return launcher.serve_pool(processes, args.port, args.address, extra, on_ready=ready)
    except launcher.ServeError as error:
        print(f"ganlab-panel: {error}", file=sys.stderr)
        return 1


def _host(args) -> str:
    return "localhost" if args.address in (None, "", "0.0.0.0", "::") else args.address


def _open_when_up(host: str, port: int, path: str, process, timeout: float = 60.0) -> bool:
    """Open http://host:port/path in a browser once the server listens; give up if it exits or never does."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:  # a bare connection: a GET of the page would build a session just to throw it away
            socket.create_connection((host, port), timeout=1).close()
        except OSError:
            time.sleep(0.25)
            continue
        return webbrowser.open_new_tab(f"http://{host}:{port}/{path}")
    return False


def _convert(args, extra) -> int:
    from ganlab_panel.standalone import build as standalone

    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out must be a folder, but {args.out} is a file")
    try:
        site = standalone.build(args.out, log=lambda line: print(line, file=sys.stderr))
    except standalone.BuildError as error:
        print(f"ganlab-panel: {error}", file=sys.stderr)
        return 1
    files = ", ".join(p.name for p in (site.page, site.worker, site.resources, site.wheel))
    print(f"standalone site written to {site.folder} ({files})")
    print(f"serve it:  python -m http.server --directory {site.folder} 8000")
    print("then open: http://localhost:8000/  (the first load fetches Pyodide and packages from CDNs)")
    return 0


# -- progress ----------------------------------------------------------------------------------------
class ProgressBar:
    """A one-line progress bar redrawn in place: `label [#####-----] 1200/3000 40% 950 it/s`."""

    WIDTH = 30
    INTERVAL = 0.1  # seconds between redraws, so a fast run does not flood the terminal

    def __init__(self, label: str, stream):
        self.label, self.stream = label, stream
        self.start = self._drawn_at = time.perf_counter()
        self._line = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self._drawn_at < self.INTERVAL:
            return
        self._drawn_at = now
        filled = self.WIDTH * done // total if total else self.WIDTH
        rate = done / max(now - self.start, 1e-9)
        line = f"{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{total}"
        line += f" {100 * done // total if total else 100}% {rate:,.0f} it/s"
        self.stream.write("\r" + line.ljust(self._line))
        self.stream.flush()
        self._line = len(line)

    def close(self) -> None:
        if self._line:
            self.stream.write("\n")
            self.stream.flush()


if __name__ == "__main__":
    sys.exit(main())
