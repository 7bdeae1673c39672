"""The exported PyTorch script of a flow: valid Python without ganlab_panel, it runs with no display and trains as
the app does, its losses the app's (either engine's, same settings and seed) within float32 rounding, from the
seed's weights or from embedded ones; its samples are the app's; `ganlab-panel export-script --model flow`."""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from ganlab_panel import Experiment, cli
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.training_state import TrainingState
from ganlab_panel.files.script_export import TEMPLATES, export_script

COMPARED = 20
"""Iterations whose losses must be the app's tightly. Flow matching is no game between two networks, so later
losses stay close too (measured: within 2e-7 relative over 300 iterations), but only these are held tightly."""
RTOL, ATOL = 1e-5, 1e-6
LATER_RTOL = 1e-3

SMALL = {"flow_layers": 2, "flow_neurons": 16}
VARIANTS = {
    "euler_relu_sgd_uniform_batch100_constant": {
        **SMALL,
        "flow_method": "euler",
        "flow_activation": "relu",
        "flow_optimizer": "sgd",
        "flow_learning_rate": 0.05,
        "flow_source": "uniform",
        "flow_batch_size": 100,
        "flow_schedule": "constant",
        "distribution": "grid25",
        "seed": 3,
    },
    "tanh_one_layer_short_cosine_drawing": {
        "flow_layers": 1,
        "flow_neurons": 8,
        "flow_activation": "tanh",
        "flow_decay_iterations": 40,  # the cosine ends within the run: its floor is reached too
        "flow_batch_size": 7,
        "distribution": "drawing",
        "points": [[0.2, 0.3], [0.5, 0.5], [0.8, 0.1], [0.25, 0.75]],
        "seed": 11,
    },
}


def flow_config(**settings) -> GanConfig:
    return GanConfig(model="flow", **settings)


def app_losses(settings: dict, iterations: int, engine: str = "torch", state: TrainingState | None = None) -> list:
    """The app's losses, iteration by iteration, as its history records them."""
    trainer = Experiment(**{**settings, "model": "flow", "engine": engine}).trainer
    if state is not None:
        trainer.restore(state)
    losses = []
    for _ in range(iterations):
        trainer.iterate()
        losses.append(trainer.flow_loss)
    return losses


def assert_the_apps_losses(script: list, app: list) -> None:
    assert len(script) == len(app) and all(map(math.isfinite, script))
    np.testing.assert_allclose(script[:COMPARED], app[:COMPARED], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(script, app, rtol=LATER_RTOL)


def namespace_of(text: str) -> dict:
    namespace = {"__name__": "exported"}
    exec(compile(text, "exported.py", "exec"), namespace)
    return namespace


def run_in_process(text: str, tmp_path, *args: str) -> list:
    """Run the script's main() here (torch is imported once for all tests); its --losses."""
    path = tmp_path / "losses.json"
    namespace_of(text)["main"](["--losses", str(path), "--out", "", "--every", "0", *args])
    return json.loads(path.read_text())["loss"]


def imported_modules(text: str) -> set[str]:
    tree = ast.parse(text)
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


# -- the script in its own process, as a user runs it ------------------------------------------------------------
def test_the_default_flow_script_runs_alone_with_no_display_and_gives_the_apps_losses(tmp_path):
    text = export_script(flow_config(distribution="ring8"))
    assert not any(m.split(".")[0] == "ganlab_panel" for m in imported_modules(text))
    script = tmp_path / "flow.py"
    script.write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLBACKEND"] = "Agg"
    # ganlab_panel made unimportable: an import of it anywhere, at any time, fails the run
    runner = "import runpy, sys; sys.modules['ganlab_panel'] = None; sys.argv = sys.argv[1:]; "
    runner += "runpy.run_path(sys.argv[0], run_name='__main__')"
    argv = [str(script), "--iterations", "200", "--losses", "losses.json", "--out", "plot.png"]
    result = subprocess.run(
        [sys.executable, "-c", runner, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "iteration    200   loss" in result.stdout and "200 iterations in" in result.stdout
    losses = json.loads((tmp_path / "losses.json").read_text())["loss"]
    assert_the_apps_losses(losses, app_losses({"distribution": "ring8"}, 200))
    assert_the_apps_losses(losses, app_losses({"distribution": "ring8"}, 200, engine="numpy"))
    if importlib.util.find_spec("matplotlib"):  # the plot is optional: training needs no matplotlib
        assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "no plot: matplotlib is not installed" in result.stdout


# -- other settings, run here -------------------------------------------------------------------------------------
@pytest.mark.parametrize("settings", VARIANTS.values(), ids=VARIANTS.keys())
def test_the_flow_script_gives_the_apps_losses(settings, tmp_path):
    text = export_script(flow_config(**settings), iterations=120)
    allowed = {"argparse", "json", "math", "os", "sys", "time", "numpy", "torch", "torch.nn"}
    assert imported_modules(text) <= allowed | {"matplotlib", "matplotlib.pyplot"}
    script = run_in_process(text, tmp_path)  # 120 iterations: the exported default
    assert_the_apps_losses(script, app_losses(settings, 120))


@pytest.mark.parametrize(
    "settings",
    [{"distribution": "ring8", **SMALL}, {"flow_method": "euler", "flow_source": "uniform", "flow_steps": 7, **SMALL}],
    ids=["midpoint_gaussian", "euler_uniform"],
)
def test_the_plotted_samples_and_paths_are_the_apps(settings):
    """The shown source batch carried by the chosen steps, at the seed's weights: the app's frame at t = 1."""
    namespace = namespace_of(export_script(flow_config(**settings)))
    rngs = {name: np.random.default_rng([0, stream]) for name, stream in namespace["STREAMS"].items()}
    network = namespace["velocity_network"](rngs["weights"])
    path = namespace["to_square"](namespace["sample"](network, namespace["shown_source"](rngs["shown"])))
    frame = Experiment(**{**settings, "model": "flow", "engine": "torch"}).frame()
    np.testing.assert_allclose(path[0], frame.source, atol=1e-6)
    np.testing.assert_allclose(path[-1], frame.samples, atol=1e-5)
    np.testing.assert_allclose(path[:, : namespace["PATHS"]].transpose(1, 0, 2), frame.trajectories, atol=1e-5)


def test_from_weights_the_losses_are_the_restored_apps_and_the_schedule_goes_on(tmp_path):
    settings = {"distribution": "ring", "flow_decay_iterations": 60, "engine": "numpy", **SMALL}
    trained = Experiment(model="flow", **settings).train(30)
    weights = trained.trainer.engine.get_weights()
    text = export_script(trained.config, weights, iteration=30)
    assert imported_modules(text) >= {"base64"} and "at iteration 30" in text and "WEIGHTS_ITERATION = 30" in text
    state = TrainingState.from_checkpoint(trained.config.to_dict(), weights, 30)
    script = run_in_process(text, tmp_path, "--iterations", "50")
    assert_the_apps_losses(script, app_losses(settings, 50, state=state))
    fresh = run_in_process(text, tmp_path, "--iterations", "50", "--no-from-weights")
    assert_the_apps_losses(fresh, app_losses(settings, 50))
    assert not np.allclose(fresh[:5], script[:5])


# -- what the text holds ------------------------------------------------------------------------------------------
def test_the_header_says_the_settings_and_only_the_chosen_parts_are_written_out():
    settings = {"flow_method": "euler", "flow_schedule": "constant", "flow_source": "uniform", "seed": 42}
    text = export_script(flow_config(**settings, flow_optimizer="sgd", flow_layers=1, flow_neurons=5))
    header = ast.get_docstring(ast.parse(text))
    for words in ("3 -> 5 -> 2 (1 hidden layer of 5), SiLU", "SGD, learning rate 0.01, constant", "uniform over"):
        assert words in header
    assert "20 euler steps from t = 0 to 1" in header and "seed       42" in header
    assert "torch.optim.SGD(" in text and "Adam" not in text.split('"""', 2)[2]
    assert "One Euler step" in text and "midpoint" not in text.split('"""', 2)[2].lower()
    assert "math.cos" not in text and "standard_normal((SHOWN_SAMPLES, 2)" in text  # the app's draw order
    default = export_script(flow_config())
    assert "cosine decay to 1% of it over 16,000 iterations" in " ".join(default.split())
    assert "One midpoint step" in default
    assert set(TEMPLATES) == {"gan", "flow"}


@pytest.mark.skipif(not importlib.util.find_spec("ruff"), reason="ruff is a test extra")
def test_the_flow_script_is_tidy_python_by_ruffs_rules(tmp_path):
    drawn = flow_config(distribution="drawing", points=[[i / 400, 0.5] for i in range(400)], flow_source="uniform")
    configs = [flow_config(), flow_config(flow_method="euler", flow_schedule="constant", **SMALL), drawn]
    for i, config in enumerate(configs):
        weights = Experiment(config).trainer.engine.get_weights() if i else None
        (tmp_path / f"script{i}.py").write_text(export_script(config, weights))
    ruff = [sys.executable, "-m", "ruff"]
    options = ["--isolated", "--line-length", "120"]
    lint = subprocess.run(
        [*ruff, "check", *options, "--select", "E,F,W,I,UP,SIM", str(tmp_path)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    formatted = subprocess.run([*ruff, "format", "--check", *options, str(tmp_path)], capture_output=True, text=True)
    assert formatted.returncode == 0, formatted.stdout


def test_weights_of_another_shape_are_refused():
    small = Experiment(model="flow", flow_neurons=3).trainer.engine.get_weights()
    with pytest.raises(ValueError, match="architecture mismatch"):
        export_script(flow_config(), small)


# -- the command line ---------------------------------------------------------------------------------------------
def test_export_script_writes_a_flows_script_from_its_settings_or_its_checkpoint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export-script", "--model", "flow", "--distribution", "ring8", "--set", "flow_steps=7"]) == 0
    assert "wrote ganlab-flow-ring8.py" in capsys.readouterr().out
    text = (tmp_path / "ganlab-flow-ring8.py").read_text()
    assert "STEPS = 7" in text and "def velocity_network(" in text and "WEIGHTS" not in text
    assert cli.main(["export-script", "--distribution", "line", "--set", "model=flow", "--out", "-"]) == 0
    assert "def velocity_network(" in capsys.readouterr().out

    Experiment(model="flow", distribution="line", seed=5, **SMALL).train(12).save(tmp_path / "line.npz")
    argv = ["export-script", "--from-checkpoint", "line.npz", "--iterations", "50"]
    assert cli.main([*argv, "--set", "flow_method=euler", "--out", "-"]) == 0
    text = capsys.readouterr().out
    assert "at iteration 12" in text and "SEED = 5" in text and "ITERATIONS = 50" in text and "WEIGHTS = (" in text
    assert cli.main([*argv, "--model", "flow"]) == 0 and (tmp_path / "ganlab-flow-line-iter12.py").is_file()
    capsys.readouterr()
    assert cli.main([*argv, "--model", "gan"]) == 2
    assert "--model gan with a flow checkpoint" in capsys.readouterr().err
