"""A flow's settings, links, checkpoints and command line: out-of-range values refused by name, links and
checkpoints that bring a flow back, a flow's checkpoint refused by a GAN experiment and the reverse (nothing
changing), and `ganlab-panel train --model flow`."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest

from ganlab_panel import Experiment, GanConfig, cli
from ganlab_panel.core.training_state import TrainingState
from ganlab_panel.files import checkpoints, exports
from ganlab_panel.files.checkpoints import Checkpoint, CheckpointError

SMALL = {"model": "flow", "flow_layers": 2, "flow_neurons": 12, "flow_steps": 5, "heatmap_resolution": 6}


@pytest.fixture(scope="module")
def flow():
    experiment = Experiment(distribution="grid25", seed=4, flow_activation="tanh", **SMALL)
    return experiment.train(30)


@pytest.fixture(scope="module")
def saved(flow) -> bytes:
    return exports.checkpoint_bytes(flow.config, flow.trainer.engine.get_weights(), flow.iteration)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"model": "diffusion"}, "model: got 'diffusion', expected one of 'gan', 'flow'"),
        ({"flow_steps": 0}, "flow_steps: got 0, expected an integer from 1 to 200"),
        ({"flow_time": 1.5}, "flow_time: got 1.5, expected a number from 0.0 to 1.0"),
        ({"flow_layers": 9}, "flow_layers: got 9, expected an integer from 1 to 5"),
        ({"flow_neurons": 0}, "flow_neurons: got 0, expected an integer from 1 to 256"),
        ({"flow_learning_rate": -1}, "flow_learning_rate: got -1.0, expected a finite number > 0"),
        ({"flow_learning_rate": float("inf")}, "flow_learning_rate: got inf"),
        ({"flow_activation": "gelu"}, "flow_activation: got 'gelu', expected one of 'silu', 'relu', 'tanh'"),
        ({"flow_method": "rk4"}, "flow_method: got 'rk4', expected one of 'midpoint', 'euler'"),
        ({"flow_source": "ring"}, "flow_source: got 'ring'"),
        ({"flow_batch_size": 5000}, "flow_batch_size: got 5000, expected an integer from 1 to 2000"),
        ({"flow_decay_iterations": 0}, "flow_decay_iterations: got 0"),
        ({"flow_heatmap": "loss"}, "flow_heatmap: got 'loss', expected one of 'density', 'speed', 'none'"),
    ],
)
def test_out_of_range_flow_settings_are_refused_by_name_and_change_nothing(settings, message):
    config = GanConfig(model="flow")
    before = config.to_dict()
    with pytest.raises(ValueError, match=re.escape(message)):
        config.update({"flow_steps": 7, **settings})
    assert config.to_dict() == before


def test_a_link_brings_the_flow_back():
    config = GanConfig(model="flow", distribution="ring8", flow_steps=12, flow_time=0.25, flow_learning_rate=0.003)
    query = config.to_query()
    assert query == "model=flow&distribution=ring8&flow_learning_rate=0.003&flow_steps=12&flow_time=0.25"
    restored = GanConfig.from_query(query)
    assert restored.to_dict() == config.to_dict()
    assert type(restored.flow_steps) is int and type(restored.flow_time) is float


def test_a_checkpoint_round_trip_gives_back_the_same_flow(flow, saved):
    with zipfile.ZipFile(io.BytesIO(saved)) as archive:
        names = {n.removesuffix(".npy") for n in archive.namelist()}
    assert names == {"format", "config", "iteration"} | {
        f"velocity.{i}.{p}" for i in range(3) for p in ("weight", "bias")
    }
    checkpoint = checkpoints.load(saved)
    assert checkpoint.config["model"] == "flow" and checkpoint.iteration == 30
    assert "flow_time" not in checkpoint.config and "flow_heatmap" not in checkpoint.config  # how it is drawn
    loaded = Experiment.load(io.BytesIO(saved).getvalue())
    assert loaded.config.flow_activation == "tanh" and loaded.iteration == 30
    loaded.config.heatmap_resolution = flow.config.heatmap_resolution  # the viewer's, not the model's
    before, after = flow.frame(), loaded.frame()
    for name in ("samples", "trajectories", "grid", "field", "log_density"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), err_msg=name)
    assert after.metrics == before.metrics
    loaded.train(5)  # and it trains on, its schedule at iteration 30
    assert loaded.iteration == 35


def test_a_flow_loads_into_a_flow_experiment_and_save_load_with_a_path(flow, saved, tmp_path):
    experiment = Experiment(distribution="ring8", seed=1, **SMALL).train(3)
    experiment.load_state(checkpoints.load(saved))
    assert experiment.config.distribution == "grid25" and experiment.iteration == 30
    path = tmp_path / "flow.npz"
    experiment.save(path)
    unsaved = set(checkpoints.UNSAVED_SETTINGS)
    assert {k: v for k, v in Experiment.load(path).config.to_dict().items() if k not in unsaved} == {
        k: v for k, v in experiment.config.to_dict().items() if k not in unsaved
    }
    assert exports.filename("checkpoint", experiment.config, 30) == "ganlab-flow-grid25-iter30.npz"
    assert exports.png_bytes(experiment.frame(), size=64).startswith(b"\x89PNG")  # tests/core/test_flow_picture.py


def test_the_other_models_checkpoint_is_refused_and_nothing_changes(saved):
    gan = Experiment(distribution="ring", seed=3).train(5)
    before, frame = gan.config.to_dict(), gan.frame()
    with pytest.raises(
        CheckpointError, match="this is a flow-matching model's checkpoint, and this experiment trains a GAN"
    ):
        gan.load_state(checkpoints.load(saved))
    with pytest.raises(ValueError, match="set model to 'flow' first"):
        gan.trainer.restore(checkpoints.load(saved).state())  # the trainer refuses it too
    assert gan.config.to_dict() == before and gan.iteration == 5
    np.testing.assert_array_equal(gan.frame().fake, frame.fake)

    gan_file = exports.checkpoint_bytes(gan.config, gan.trainer.engine.get_weights(), gan.iteration)
    flow = Experiment(distribution="ring8", seed=1, **SMALL).train(4)
    before, frame = flow.config.to_dict(), flow.frame()
    with pytest.raises(CheckpointError, match="this is a GAN's checkpoint, and this experiment trains a flow"):
        flow.load_state(checkpoints.load(gan_file))
    assert flow.config.to_dict() == before and flow.iteration == 4
    np.testing.assert_array_equal(flow.frame().samples, frame.samples)


def test_a_flow_checkpoint_is_checked_as_strictly_as_a_gans(saved):
    good = checkpoints.load(saved)
    wrong = [(w, b) for w, b in good.weights["velocity"]]
    wrong[0] = (np.zeros((2, 12)), wrong[0][1])
    cases = {
        "architecture mismatch: velocity.0.weight has shape (2, 12), the settings need (3, 12)": {"velocity": wrong},
        "weights must map 'velocity'": {"generator": good.weights["velocity"]},
    }
    for message, weights in cases.items():
        with pytest.raises(CheckpointError, match=re.escape(message)):
            checkpoints.save(io.BytesIO(), good.config, weights, 1)
    with pytest.raises(CheckpointError, match="checkpoint settings lack flow_neurons"):
        checkpoints.check_architecture(
            Checkpoint({k: v for k, v in good.config.items() if k != "flow_neurons"}, good.weights, 1)
        )
    with pytest.raises(CheckpointError, match="flow_steps: got 0"):
        checkpoints.check_architecture(Checkpoint({**good.config, "flow_steps": 0}, good.weights, 1))


def test_a_state_knows_its_loss_and_counts_adams_moments(flow):
    state = flow.trainer.state()
    assert isinstance(state, TrainingState) and state.flow_loss == flow.trainer.flow_loss
    assert state.optimizer["velocity_optimizer"] == "adam" and state.noise_drawn == 0
    weights = sum(a.nbytes for pair in state.weights["velocity"] for a in pair)
    assert state.nbytes > weights + sum(a.nbytes for a in state.optimizer["velocity_m"])


def test_train_a_flow_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "flow.npz"
    argv = ["train", "--model", "flow", "--distribution", "ring8", "--iterations", "40", "--seed", "2"]
    assert cli.main([*argv, "--set", "flow_steps=4", "--set", "flow_neurons=10", "--save", str(path)]) == 0
    out, err = capsys.readouterr()
    assert re.search(r"ring8: iteration 40\s+KL \d+\.\d+\s+JS \d+\.\d+\s+modes \d/8\s+high quality \d+\.\d%", out), out
    assert "training flow on ring8" in err
    loaded = Experiment.load(path)
    assert (loaded.config.model, loaded.config.flow_steps, loaded.config.flow_neurons) == ("flow", 4, 10)
    assert loaded.config.generator_neurons == GanConfig().generator_neurons  # no GAN preset for a flow
    assert cli.main(["train", "--model", "flow", "--set", "flow_time=2", "--quiet"]) == 2
    assert "flow_time: got 2.0" in capsys.readouterr().err
    assert cli.main(["train", "--model", "vae", "--quiet"]) == 2
