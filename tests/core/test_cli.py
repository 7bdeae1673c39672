"""The `ganlab-panel` command line: listing, headless training with a checkpoint, serving, and one-line
errors (exit status 2, never a traceback) for bad input."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ganlab_panel import Experiment, cli
from ganlab_panel.core.distributions import REGISTRY
from ganlab_panel.core.presets import PRESETS
from ganlab_panel.files import checkpoints
from ganlab_panel.serving import launcher

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ganlab_panel", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_distributions_lists_names_titles_and_pretrained_models(capsys):
    assert cli.main(["distributions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(REGISTRY)
    for name in PRESETS:
        (line,) = [line for line in lines if line.split()[0] == name]
        assert REGISTRY[name].title in line and "pretrained model" in line
    (drawing,) = [line for line in lines if line.split()[0] == "drawing"]
    assert "needs points" in drawing and "pretrained" not in drawing


def test_train_prints_divergences_shows_progress_and_saves_a_loadable_checkpoint(tmp_path, capsys):
    path = tmp_path / "ring.npz"
    argv = ["train", "--distribution", "ring", "--iterations", "30", "--seed", "4", "--save", str(path)]
    assert cli.main([*argv, "--set", "batch_size=40", "--set", "generator_learning_rate=0.01"]) == 0
    out, err = capsys.readouterr()
    match = re.search(r"ring: iteration 30\s+KL (\d+\.\d+)\s+JS (\d+\.\d+)", out)
    assert match, out
    assert "30/30" in err and "\r" in err  # the progress bar, redrawn in place, reached the end
    restored = Experiment.load(path)
    assert restored.iteration == 30
    config = restored.config
    assert (config.distribution, config.seed, config.batch_size, config.generator_learning_rate) == (
        "ring",
        4,
        40,
        0.01,
    )
    assert config.discriminator_layers == PRESETS["ring"]["discriminator_layers"]  # the ring's preset was used
    assert f"{restored.metrics['kl']:.4f}" == match[1] and f"{restored.metrics['js']:.4f}" == match[2]


def test_train_is_reproducible_for_a_seed(capsys):
    results = []
    for _ in range(2):
        assert cli.main(["train", "--distribution", "line", "--iterations", "20", "--seed", "2", "--quiet"]) == 0
        out, err = capsys.readouterr()
        results.append(out)
        assert err == ""  # --quiet: no progress bar
    assert results[0] == results[1]


def test_diverging_training_reports_the_message_and_fails(tmp_path, capsys):
    path = tmp_path / "never.npz"
    argv = ["train", "--iterations", "200", "--quiet", "--save", str(path)]
    argv += ["--set", "discriminator_learning_rate=1e30", "--set", "generator_learning_rate=1e30"]
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert "training stopped" in err and "lower them" in err and "no checkpoint saved" in err
    assert not path.exists()


def test_export_script_writes_the_settings_or_a_checkpoints_weights(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export-script", "--distribution", "ring", "--seed", "3", "--set", "loss=hinge"]) == 0
    assert "wrote ganlab-ring.py; run it with:  python ganlab-ring.py --iterations 1000" in capsys.readouterr().out
    text = (tmp_path / "ganlab-ring.py").read_text()
    compile(text, "ganlab-ring.py", "exec")
    assert "SEED = 3" in text and "relu(1 - real_logits)" in text and "WEIGHTS" not in text
    assert f"GENERATOR_SIZES = [2, {PRESETS['ring']['generator_neurons']}," in text  # the ring's preset

    experiment = Experiment(distribution="line", seed=5)
    experiment.train(12)
    experiment.save(tmp_path / "line.npz")
    argv = ["export-script", "--from-checkpoint", "line.npz", "--iterations", "50", "--set", "loss=least_squares"]
    assert cli.main([*argv, "--out", "-"]) == 0
    text = capsys.readouterr().out
    assert "at iteration 12" in text and "SEED = 5" in text and "ITERATIONS = 50" in text
    assert "WEIGHTS = (" in text and "(torch.sigmoid(fake_logits) - 1) ** 2" in text
    assert cli.main(argv[:3]) == 0 and (tmp_path / "ganlab-line-iter12.py").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export-script", "--distribution", "drawing"], "needs at least 1 point"),
        (["export-script", "--from-checkpoint", "/no/such.npz"], "cannot read checkpoint"),
        (["export-script", "--set", "pack=5"], "pack: got 5"),
        (["train", "--distribution", "swiss_roll"], "unknown distribution 'swiss_roll'"),
        (["train", "--iterations", "-5"], "expected a whole number >= 0, got -5"),
        (["train", "--iterations", "many"], "got 'many'"),
        (["train", "--set", "speed=3"], "unknown setting(s): speed"),
        (["train", "--set", "batch_size=0"], "batch_size: got 0"),
        (["train", "--set", "generator_learning_rate=fast"], "generator_learning_rate: got 'fast'"),
        (["train", "--set", "batch_size"], "--set expects KEY=VALUE"),
        (["train", "--distribution", "drawing"], "needs at least 1 point"),
        (["train", "--save", "/no/such/folder/x.npz"], "does not exist"),
        (["train", "--bogus"], "unrecognized arguments: --bogus"),
        (["fly"], "invalid choice: 'fly'"),
        ([], "required: COMMAND"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == ""


def test_python_dash_m_runs_the_command_line_without_tracebacks():
    listing = _run("distributions")
    assert listing.returncode == 0 and all(name in listing.stdout for name in PRESETS)
    bad = _run("train", "--distribution", "swiss_roll")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"ganlab-panel: error: unknown distribution 'swiss_roll'; choose one of: {', '.join(REGISTRY)} "
        "(see ganlab-panel train --help)"
    ]


def test_serve_runs_panel_serve_on_the_app_and_compare_mode_with_short_session_lifetimes(monkeypatch, capsys):
    launched = {}

    class FakeProcess:
        def __init__(self, command, env):
            launched.update(command=command, env=env)

        def wait(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    assert cli.main(["serve", "--port", "5123", "--processes", "1", "--num-procs", "1"]) == 0
    command = launched["command"]
    assert command[:6] == [sys.executable, "-m", "panel", "serve", *map(str, launcher.APPS)]
    for app in launcher.APPS:
        assert app.is_file() and app.parent == Path(checkpoints.__file__).parents[1]
    printed = capsys.readouterr().err  # panel serve routes each app by its file's name
    assert "localhost:5123/app" in printed and "localhost:5123/compare" in printed
    flags = dict(zip(command[5::], command[6::], strict=False))
    assert flags["--port"] == "5123"
    assert int(flags["--unused-session-lifetime"]) <= 1000 and int(flags["--check-unused-sessions"]) <= 1000
    assert command[-2:] == ["--num-procs", "1"]  # unknown options pass through
    assert str(ROOT) in launched["env"]["PYTHONPATH"].split(":")  # the app can import an uninstalled package


@pytest.mark.parametrize("users", [None, "4"])
def test_serve_runs_one_blas_thread_unless_the_user_set_a_count(monkeypatch, users):
    launched = {}

    class FakeProcess:
        def __init__(self, command, env):
            launched.update(env=env)

        def wait(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    if users is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", users)
    assert cli.main(["serve", "--port", "5123", "--processes", "1"]) == 0
    assert launched["env"]["OPENBLAS_NUM_THREADS"] == (users or "1")
    assert os.environ.get("OPENBLAS_NUM_THREADS") == users  # set for the server only, not in this process


def test_serve_show_opens_one_browser_tab_on_the_app_once_it_is_up(tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"  # $BROWSER: what Python's webbrowser (ours and bokeh's) runs to open a page
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(0o755)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = ["serve", "--port", str(port), "--address", "127.0.0.1", "--show"]
    env = {**os.environ, "BROWSER": f"{browser} %s"}
    server = subprocess.Popen([sys.executable, "-m", "ganlab_panel", *argv], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 90
        while not opened.exists() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
        time.sleep(3)  # time for a second tab, were one to open
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the tab opened on a server that is up
    finally:
        server.terminate()
        server.wait(20)
    assert opened.exists(), "no browser tab was opened"
    assert opened.read_text().split() == [f"http://127.0.0.1:{port}/app"]
