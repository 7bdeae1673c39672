"""The exported PyTorch script: valid Python without ganlab_panel, it runs with no display and trains as the app
does, its first losses the app's (the torch engine's, same settings and seed) within float32 rounding, from
the seed's weights or from embedded ones."""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from ganlab_panel import Experiment
from ganlab_panel.core import distributions
from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.training_state import TrainingState
from ganlab_panel.engines.losses import LOSSES
from ganlab_panel.files import script_gan
from ganlab_panel.files.script_export import TEMPLATES, export_script

COMPARED = 20
"""Iterations whose losses must be the app's. Autograd rounds differently from the engine's written-out
gradients (~1e-7), and a GAN's training, chaotic, amplifies that: after ~50-200 iterations the two drift apart
as any two runs would, Adam's on a critic soonest (a unit always on has an exactly-zero bias gradient there,
whose rounding Adam scales up to full steps)."""
RTOL, ATOL = 1e-5, 1e-6

CONFIGS = {
    "wgan_gp_adam": {
        "loss": "wgan_gp",
        "discriminator_optimizer": "adam",
        "generator_optimizer": "adam",
        "discriminator_learning_rate": 0.001,
        "generator_learning_rate": 0.001,
        "adam_beta1": 0.5,
        "adam_beta2": 0.9,
        "gp_weight": 0.1,
    },
    "minimax_pack2_kd1_kg2": {"loss": "minimax", "pack": 2, "k_discriminator": 1, "k_generator": 2},
    "least_squares_gaussian_1d_ring": {
        "loss": "least_squares",
        "noise_type": "gaussian",
        "noise_dim": 1,
        "distribution": "ring",
    },
    "hinge_drawing_pack3": {
        "loss": "hinge",
        "distribution": "drawing",
        "points": [[0.2, 0.3], [0.5, 0.5], [0.8, 0.1], [0.25, 0.75]],
        "pack": 3,
        "batch_size": 100,  # 102 in whole packs
        "real_label": 1.0,
    },
    "points_kd0_uniform_1d_deeper_generator": {
        "distribution": "points",
        "points": [[0.1, 0.9], [0.9, 0.1], [0.5, 0.5]],
        "k_discriminator": 0,
        "noise_dim": 1,  # uniform
        "generator_layers": 2,
        "generator_neurons": 5,
        "seed": 7,
    },
    "ring8_adam_d_kd2": {
        "distribution": "ring8",
        "discriminator_optimizer": "adam",
        "discriminator_learning_rate": 0.01,
    },
}


def app_losses(settings: dict, iterations: int = COMPARED, state: TrainingState | None = None) -> dict:
    """The torch engine's losses, iteration by iteration, as the app records them."""
    trainer = Experiment(**{**settings, "engine": "torch"}).trainer
    if state is not None:
        trainer.restore(state)
    losses = {"discriminator": [], "generator": []}
    for _ in range(iterations):
        trainer.iterate()
        losses["discriminator"].append(trainer.discriminator_loss)
        losses["generator"].append(trainer.generator_loss)
    return losses


def run_in_process(text: str, tmp_path, *args: str) -> dict:
    """Run the script's main() here (torch is imported once for all tests); its --losses."""
    namespace = {"__name__": "exported"}
    exec(compile(text, "exported.py", "exec"), namespace)
    path = tmp_path / "losses.json"
    namespace["main"](["--losses", str(path), "--out", "", "--every", "0", *args])
    return json.loads(path.read_text())


def assert_same_first_losses(script: dict, app: dict, settings: dict) -> None:
    for network in ("discriminator", "generator"):
        np.testing.assert_allclose(script[network][:COMPARED], app[network][:COMPARED], rtol=RTOL, atol=ATOL)
        steps = settings.get(f"k_{network}", GanConfig.param[f"k_{network}"].default)
        assert all(map(math.isfinite, script[network])) == bool(steps), network  # NaN where no steps, as the app


def imported_modules(text: str) -> set[str]:
    tree = ast.parse(text)
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


# -- the script in its own process, as a user runs it ------------------------------------------------------------
def test_the_default_script_runs_alone_with_no_display_and_gives_the_apps_losses(tmp_path):
    text = export_script(GanConfig())
    assert not any(m.split(".")[0] == "ganlab_panel" for m in imported_modules(text))
    script = tmp_path / "gan.py"
    script.write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLBACKEND"] = "Agg"
    # ganlab_panel made unimportable: an import of it anywhere, at any time, fails the run
    runner = "import runpy, sys; sys.modules['ganlab_panel'] = None; sys.argv = sys.argv[1:]; "
    runner += "runpy.run_path(sys.argv[0], run_name='__main__')"
    argv = [str(script), "--iterations", "300", "--losses", "losses.json", "--out", "plot.png"]
    result = subprocess.run(
        [sys.executable, "-c", runner, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "iteration    300   D loss" in result.stdout and "300 iterations in" in result.stdout
    losses = json.loads((tmp_path / "losses.json").read_text())
    assert len(losses["discriminator"]) == len(losses["generator"]) == 300
    assert_same_first_losses(losses, app_losses({}), {})
    if importlib.util.find_spec("matplotlib"):  # the plot is optional: training needs no matplotlib
        assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "no plot: matplotlib is not installed" in result.stdout


# -- representative settings, run here ---------------------------------------------------------------------------
@pytest.mark.parametrize("settings", CONFIGS.values(), ids=CONFIGS.keys())
def test_the_script_gives_the_apps_first_losses(settings, tmp_path):
    text = export_script(GanConfig(**settings), iterations=200)
    compile(text, "exported.py", "exec")
    allowed = {"argparse", "json", "math", "os", "sys", "time", "numpy", "torch", "torch.nn", "torch.nn.functional"}
    assert imported_modules(text) <= allowed | {"matplotlib", "matplotlib.pyplot"}
    script = run_in_process(text, tmp_path)  # 200 iterations: the exported default
    assert len(script["generator"]) == 200
    assert_same_first_losses(script, app_losses(settings), settings)


def test_from_weights_the_first_losses_are_the_restored_apps(tmp_path):
    settings = {"distribution": "ring", "pack": 2, "engine": "numpy"}  # float64 weights, trained in float32 here
    trained = Experiment(**settings)
    trained.train(30)
    weights = trained.trainer.engine.get_weights()
    text = export_script(trained.config, weights, iteration=30)
    assert imported_modules(text) >= {"base64"} and "at iteration 30" in text
    state = TrainingState.from_checkpoint(trained.config.to_dict(), weights, 30)
    script = run_in_process(text, tmp_path, "--iterations", "50")
    assert_same_first_losses(script, app_losses(settings, state=state), settings)
    fresh = run_in_process(text, tmp_path, "--iterations", "50", "--no-from-weights")
    assert_same_first_losses(fresh, app_losses(settings), settings)
    assert not np.allclose(fresh["discriminator"][:5], script["discriminator"][:5])


# -- what the text holds ------------------------------------------------------------------------------------------
def test_every_loss_has_its_code():
    assert set(script_gan.LOSS_CODE) == set(LOSSES)


@pytest.mark.parametrize("name", [n for n, info in distributions.REGISTRY.items() if not info.needs_points])
def test_the_copied_sampler_draws_the_apps_samples(name):
    namespace = {}
    exec(compile(export_script(GanConfig(distribution=name)), "exported.py", "exec"), namespace)
    expected = distributions.make_sampler(name)(500, np.random.default_rng(3))
    assert np.array_equal(namespace["sample_real"](500, np.random.default_rng(3)), expected)


def test_the_header_says_the_settings_and_only_the_chosen_loss_is_written_out():
    text = export_script(GanConfig(loss="hinge", pack=2, batch_size=151, discriminator_optimizer="adam", seed=42))
    header = ast.get_docstring(ast.parse(text))
    for words in ("Hinge", "PacGAN packing", "batches of 152", "Adam (betas 0.9, 0.999)", "seed           42"):
        assert words in header
    assert "relu(1 - real_logits)" in text and "logsigmoid" not in text and "gradient_penalty" not in text
    assert "BATCH_SIZE = 152  # batch_size 151, rounded up to whole packs" in text


def test_drawn_points_are_embedded_exactly_at_the_end():
    points = [[0.1 + i / 3000, 0.7] for i in range(200)]
    text = export_script(GanConfig(distribution="drawing", points=points))
    namespace = {}
    exec(compile(text, "exported.py", "exec"), namespace)
    assert np.array_equal(namespace["POINTS"], points)
    assert text.index("POINTS = np.array(") > text.index("def main(")
    assert max(map(len, text.splitlines())) <= 120


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="no script template for model 'diffusion'; there is one for: gan, flow"):
        export_script(types.SimpleNamespace(model="diffusion"))
    with pytest.raises(ValueError, match="needs at least 1 point"):
        export_script(GanConfig(distribution="drawing"))
    small = Experiment(generator_neurons=3).trainer.engine.get_weights()
    with pytest.raises(ValueError, match="architecture mismatch"):
        export_script(GanConfig(), small)
    assert set(TEMPLATES) == {"gan", "flow"}  # the flow's: tests/core/test_script_flow.py


def test_exporting_imports_neither_torch_nor_matplotlib():
    code = "import sys; from ganlab_panel.core.config import GanConfig; from ganlab_panel.files import script_export\n"
    code += "script_export.export_script(GanConfig(loss='wgan_gp'))\n"
    code += "print(sorted(m for m in ('torch', 'matplotlib', 'panel', 'bokeh') if m in sys.modules))"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(not importlib.util.find_spec("ruff"), reason="ruff is a test extra")
def test_the_script_is_tidy_python_by_ruffs_rules(tmp_path):
    configs = [GanConfig(), GanConfig(loss="wgan_gp", distribution="grid25", discriminator_optimizer="adam")]
    configs.append(
        GanConfig(distribution="drawing", points=[[i / 400, 0.5] for i in range(400)], noise_type="gaussian")
    )
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
