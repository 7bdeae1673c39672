"""Checkpoints: a saved experiment comes back identical; every kind of bad file is refused with a clear
message, nothing is unpickled and a running experiment is left as it was; the shipped models load."""

from __future__ import annotations

import ast
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ganlab_panel import Experiment, GanConfig
from ganlab_panel.core.presets import PRESETS, SHIPPED_ITERATIONS, preset
from ganlab_panel.files import checkpoints
from ganlab_panel.files.checkpoints import Checkpoint, CheckpointError

FRAME_ARRAYS = ("real", "fake", "noise", "heatmap", "manifold", "manifold_stretch", "gradients")
FRAME_ARRAYS += ("real_predictions", "fake_predictions")

PRETRAINED_JS_BOUND = {"line": 0.2, "gaussians": 0.2, "ring": 0.2, "disjoint": 0.4}
"""Largest grid JS on 50,000 samples a shipped model may score (`python scripts/train_pretrained.py --score`
prints them: 0.09, 0.06, 0.12, 0.36): 0.2 has learned the data; the disjoint regions' 0.4 is the best
GAN Lab's configuration reaches (see the script's docstring)."""


@pytest.fixture(scope="module")
def trained():
    """A ring experiment with GAN Lab's ring settings (two D hidden layers), trained a little."""
    experiment = Experiment(**preset("ring"), seed=3, batch_size=64)
    experiment.train(40)
    return experiment


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("checkpoints") / "ring.npz"
    trained.save(path)
    return path.read_bytes()


def _arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _pack(arrays: dict, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    if allow_pickle:
        np.savez(buffer, **arrays)  # np.savez pickles object arrays
    else:
        np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _edited(data: bytes, **changes) -> bytes:
    """The checkpoint with entries replaced (an array) or removed (None)."""
    arrays = _arrays(data)
    for name, value in changes.items():
        name = name.replace("__", ".")
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value
    return _pack(arrays)


def _with_config(data: bytes, **settings) -> bytes:
    config = json.loads(str(_arrays(data)["config"]))
    return _edited(data, config=np.array(json.dumps({**config, **settings})))


# -- round trip --------------------------------------------------------------------------------------
def test_round_trip_restores_settings_weights_and_iteration(trained, saved, tmp_path):
    checkpoint = checkpoints.load(saved)
    expected = {k: v for k, v in trained.config.to_dict().items() if k not in checkpoints.UNSAVED_SETTINGS}
    assert checkpoint.config == expected
    assert checkpoint.iteration == trained.iteration == 40
    for network, layers in trained.trainer.engine.get_weights().items():
        for (w, b), (w2, b2) in zip(layers, checkpoint.weights[network], strict=True):
            np.testing.assert_array_equal(w, w2)
            np.testing.assert_array_equal(b, b2)
    path = tmp_path / "ring.npz"
    path.write_bytes(saved)
    from_path = checkpoints.load(path)  # a path and the file's bytes read the same
    assert from_path.config == checkpoint.config and from_path.iteration == checkpoint.iteration


def test_loaded_experiment_draws_the_same_frame_and_computes_the_same_losses(trained, saved):
    restored = Experiment.load(saved)
    before, after = trained.frame(), restored.frame()
    assert after.iteration == before.iteration
    for name in FRAME_ARRAYS:
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), err_msg=name)
    assert after.metrics == before.metrics
    # The original's weights in a separate engine (stepping `trained` itself would change the fixture)
    # and the restored ones give the same losses on the same batches (losses are computed before updates).
    twin = Experiment(GanConfig.from_dict(trained.config.to_dict()))
    twin.trainer.engine.set_weights(trained.trainer.engine.get_weights())
    real, noise = trained.trainer.real_pool[:64], trained.trainer.shown_noise[:64]
    losses = [
        (e.discriminator_step(real, noise), e.generator_step(noise))
        for e in (twin.trainer.engine, restored.trainer.engine)
    ]
    assert losses[0] == losses[1]


def test_load_state_adopts_a_checkpoint_into_a_running_experiment(trained, saved):
    experiment = Experiment(distribution="line", seed=9)
    experiment.train(5)
    experiment.load_state(checkpoints.load(saved))
    assert experiment.config.distribution == "ring" and experiment.config.seed == 3
    assert experiment.iteration == 40
    np.testing.assert_array_equal(experiment.frame().fake, trained.frame().fake)
    experiment.train(3)  # and it trains on from there
    assert experiment.iteration == 43


def test_saved_file_holds_plain_arrays_only(saved):
    with zipfile.ZipFile(io.BytesIO(saved)) as archive:
        names = {n.removesuffix(".npy") for n in archive.namelist()}
    assert {"format", "config", "iteration", "generator.0.weight", "discriminator.2.bias"} <= names
    assert all(a.dtype != object for a in _arrays(saved).values())  # loaded above with allow_pickle=False


def test_view_and_runtime_settings_are_not_saved(tmp_path):
    experiment = Experiment(heatmap_resolution=12, device="cpu")
    experiment.save(tmp_path / "c.npz")
    checkpoint = checkpoints.load(tmp_path / "c.npz")
    assert not set(checkpoints.UNSAVED_SETTINGS) & set(checkpoint.config)
    viewer = Experiment(heatmap_resolution=50)
    viewer.load_state(checkpoint)
    assert viewer.config.heatmap_resolution == 50


# -- rejections --------------------------------------------------------------------------------------
def _bad_files(saved: bytes) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, a phrase the error message must contain)."""
    weight = _arrays(saved)["generator.0.weight"]
    return {
        "garbage": (b"this is not a checkpoint at all", "not an .npz"),
        "truncated": (saved[: len(saved) // 2], "damaged or truncated"),
        "truncated end": (saved[:-20], "damaged or truncated"),
        "missing entry": (_edited(saved, generator__0__bias=None), "missing generator.0.bias"),
        "missing config": (_edited(saved, config=None), "missing its 'config'"),
        "wrong shape": (_edited(saved, generator__0__weight=weight[:, :-1]), "generator.0.weight has shape"),
        "extra layer": (_edited(saved, generator__9__weight=weight), "do not describe"),
        "architecture mismatch": (_with_config(saved, generator_neurons=9), "architecture mismatch"),
        "bad config value": (_with_config(saved, generator_learning_rate=-1), "generator_learning_rate"),
        "unknown setting": (_with_config(saved, speed="fast"), "unknown setting"),
        "config not json": (_edited(saved, config=np.array("{not json")), "not valid JSON"),
        "drawing without points": (_with_config(saved, distribution="drawing", points=[]), "needs at least 1 point"),
        "non-finite weight": (_edited(saved, generator__0__weight=np.full_like(weight, np.nan)), "NaN or infinite"),
        "integer weight": (_edited(saved, generator__0__weight=weight.astype(np.int64)), "must be a float array"),
        "negative iteration": (_edited(saved, iteration=np.array(-5)), "must be >= 0"),
        "fractional iteration": (_edited(saved, iteration=np.array(2.5)), "must be one integer"),
        "wrong format": (_edited(saved, format=np.array("something-else/9")), "format"),
        "not arrays inside": (_zip_with_text_file(), "other than arrays"),
        "array header claims terabytes": (_zip_with_array_header((2**40,), "<f8"), "claims more data than it holds"),
        "object array header": (_zip_with_array_header((1000,), "|O"), "pickled object array"),
        "deeply nested config": (_edited(saved, config=np.array("[" * 100_000)), "not valid JSON"),
        "encrypted member": (_central_directory_patched(saved, 8, 0x1), "encrypted"),
        "unknown compression": (_central_directory_patched(saved, 10, 99), "compression method"),
    }


def _zip_with_array_header(shape: tuple, descr: str) -> bytes:
    """An .npz whose one array header describes `shape`, followed by only 64 bytes of data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("format.npy", header.getvalue() + bytes(64))
    return buffer.getvalue()


def _central_directory_patched(data: bytes, offset: int, value: int) -> bytes:
    """The archive with a 2-byte field of every central directory entry set (8: flags, 10: compression)."""
    patched = bytearray(data)
    start = patched.find(b"PK\x01\x02", int.from_bytes(data[-6:-2], "little"))  # the end record says where
    while start != -1:
        patched[start + offset : start + offset + 2] = value.to_bytes(2, "little")
        start = patched.find(b"PK\x01\x02", start + 4)
    return bytes(patched)


def _zip_with_text_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


BAD_CASES = (
    "garbage",
    "truncated",
    "truncated end",
    "missing entry",
    "missing config",
    "wrong shape",
    "extra layer",
    "architecture mismatch",
    "bad config value",
    "unknown setting",
    "config not json",
    "drawing without points",
    "non-finite weight",
    "integer weight",
    "negative iteration",
    "fractional iteration",
    "wrong format",
    "not arrays inside",
    "array header claims terabytes",
    "object array header",
    "deeply nested config",
    "encrypted member",
    "unknown compression",
)


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_checkpoint_is_refused_with_a_clear_message(saved, tmp_path, case):
    data, phrase = _bad_files(saved)[case]
    with pytest.raises(CheckpointError, match=phrase):
        checkpoints.load(data)
    path = tmp_path / "bad.npz"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=phrase):  # CheckpointError is a ValueError; paths behave the same
        checkpoints.load(path)


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.npz"
    with open(path, "wb") as file:
        file.truncate(checkpoints.MAX_FILE_BYTES + 1)  # sparse: no real disk use
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("the oversized file was opened"))
    with pytest.raises(CheckpointError, match="too large"):
        checkpoints.load(path)
    monkeypatch.undo()
    with pytest.raises(CheckpointError, match="too large"):
        checkpoints.load(b"PK" + bytes(checkpoints.MAX_FILE_BYTES))


def test_small_file_unpacking_into_a_huge_one_is_refused(saved):
    bomb = _pack({**_arrays(saved), "padding": np.zeros(checkpoints.MAX_UNPACKED_BYTES // 8 + 1)})
    assert len(bomb) < checkpoints.MAX_FILE_BYTES  # zeros compress to almost nothing
    with pytest.raises(CheckpointError, match="unpacks to more than"):
        checkpoints.load(bomb)


class _Exploit:
    """Unpickling this would call _Exploit.ran.append: a stand-in for arbitrary code."""

    ran: list = []

    def __reduce__(self):
        return (_Exploit.ran.append, ("unpickled",))


def test_pickled_object_array_is_never_unpickled(saved):
    arrays = _arrays(saved)
    arrays["config"] = np.array([_Exploit()], dtype=object)
    data = _pack(arrays, allow_pickle=True)
    with pytest.raises(CheckpointError, match="pickled object array"):
        checkpoints.load(data)
    assert _Exploit.ran == []


def test_no_module_can_unpickle():
    """Every loader in the package: np.load only with allow_pickle=False, torch.load only with
    weights_only=True, and no pickle, marshal or shelve at all."""
    package = Path(checkpoints.__file__).parents[1]
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not {m.split(".")[0] for m in modules} & {"pickle", "marshal", "shelve", "dill", "joblib"}
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load":
                owner = ast.unparse(node.func.value)
                keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
                if owner in ("np", "numpy"):
                    assert keywords.get("allow_pickle") == "False", f"{path.name}: {ast.unparse(node)}"
                if owner == "torch":
                    assert keywords.get("weights_only") == "True", f"{path.name}: {ast.unparse(node)}"


def test_failed_load_leaves_the_running_experiment_untouched(saved):
    experiment = Experiment(distribution="gaussians", seed=5)
    experiment.train(10)
    before_config, before = experiment.config.to_dict(), experiment.frame()
    bad_files = _bad_files(saved)
    assert sorted(bad_files) == sorted(BAD_CASES)
    for data, _ in bad_files.values():
        with pytest.raises(CheckpointError):
            experiment.load_state(checkpoints.load(data))
    # A checkpoint built in code (not read from a file) is checked before anything changes, too.
    good = checkpoints.load(saved)
    for bad in (
        Checkpoint({**good.config, "generator_neurons": 3}, good.weights, 7),
        Checkpoint({**good.config, "distribution": "drawing", "points": []}, good.weights, 7),
        Checkpoint({**good.config, "k_discriminator": 0, "k_generator": 0}, good.weights, 7),
        Checkpoint(good.config, {"generator": good.weights["generator"]}, 7),
    ):
        with pytest.raises(CheckpointError):
            experiment.load_state(bad)
    assert experiment.config.to_dict() == before_config
    assert experiment.iteration == 10
    after = experiment.frame()
    for name in FRAME_ARRAYS:
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name), err_msg=name)


def test_save_refuses_what_load_would_refuse(trained, tmp_path):
    weights = trained.trainer.engine.get_weights()
    weights["generator"][0] = (np.full_like(weights["generator"][0][0], np.inf), weights["generator"][0][1])
    with pytest.raises(CheckpointError, match="NaN or infinite"):
        checkpoints.save(tmp_path / "x.npz", trained.config, weights, 1)
    with pytest.raises(CheckpointError, match=">= 0"):
        checkpoints.save(tmp_path / "x.npz", trained.config, trained.trainer.engine.get_weights(), -1)
    assert not (tmp_path / "x.npz").exists()


def test_unreadable_source_is_a_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="cannot read"):
        checkpoints.load(tmp_path / "missing.npz")
    with pytest.raises(CheckpointError, match="path or bytes"):
        checkpoints.load(12)


# -- shipped models ----------------------------------------------------------------------------------
def test_every_gan_lab_distribution_ships_a_pretrained_model():
    assert checkpoints.available_pretrained() == list(PRESETS)


@pytest.mark.parametrize("distribution", list(PRESETS))
def test_pretrained_model_loads_with_gan_labs_settings_and_its_iteration(distribution):
    experiment = Experiment.pretrained(distribution)
    assert experiment.iteration == SHIPPED_ITERATIONS[distribution]
    config = experiment.config.to_dict()
    assert {k: config[k] for k in PRESETS[distribution]} == PRESETS[distribution]
    assert config["distribution"] == distribution


@pytest.mark.parametrize("distribution", list(PRESETS))
def test_pretrained_model_has_learned_its_data(distribution):
    """GAN Lab's grid JS between 50,000 real and 50,000 generated samples stays under the model's bound."""
    assert Experiment.pretrained(distribution).score() <= PRETRAINED_JS_BOUND[distribution]


@pytest.mark.parametrize("name", ["drawing", "points", "spiral"])
def test_pretrained_path_lists_the_available_models_for_others(name):
    with pytest.raises(ValueError, match="available: line, gaussians, ring, disjoint"):
        checkpoints.pretrained_path(name)
