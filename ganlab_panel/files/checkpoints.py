"""Checkpoints: a configuration, the model's networks' weights and the iteration in one .npz file.

The file holds plain arrays only ('generator.0.weight', 'generator.0.bias', ..., a flow's 'velocity.0.weight',
..., 'config' as JSON text, 'iteration', 'format'), written by `np.savez_compressed` and read with
`allow_pickle=False`, so loading a file never runs code. Everything read is checked before anything uses it: a
file from an upload is untrusted input. Optimizer state (Adam's moments) and the position of the noise stream
are not saved.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganlab_panel.core.config import GanConfig, check
from ganlab_panel.core.distributions import REGISTRY, make_sampler
from ganlab_panel.core.settings import UNSAVED_SETTINGS
from ganlab_panel.core.training_state import TrainingState
from ganlab_panel.core.training_state import check_model as check_model_of
from ganlab_panel.engines.base import Architecture
from ganlab_panel.engines.flow_base import NETWORK, FlowArchitecture

FORMAT = "ganlab-panel-checkpoint/1"
MAX_FILE_BYTES = 5_000_000
"""Largest checkpoint accepted; the biggest architecture (5 x 100 hidden layers) takes about 0.8 MB."""
MAX_UNPACKED_BYTES = 20_000_000
"""Largest total size of the arrays inside, so a small compressed file cannot unpack into gigabytes."""
NETWORKS = ("generator", "discriminator")
ARCHITECTURE_SETTINGS = tuple(Architecture.__dataclass_fields__)
LATER_ARCHITECTURE_SETTINGS = ("pack",)
"""Architecture settings newer than the first checkpoints: a file without one means its default (pack 1)."""
FLOW_ARCHITECTURE_SETTINGS = ("flow_layers", "flow_neurons", "flow_activation")
"""A flow's (FlowArchitecture.from_config's): a flow's file names them all; a file without 'model' is a GAN's."""
MODEL_NETWORKS = {"gan": NETWORKS, "flow": (NETWORK,)}
PRETRAINED_DIR = Path(__file__).parents[1] / "pretrained"

Weights = dict[str, list[tuple[np.ndarray, np.ndarray]]]


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used; the message says why."""


@dataclass
class Checkpoint:
    """A loaded checkpoint: complete settings (but UNSAVED_SETTINGS, where a model runs and how it is drawn),
    weights as (W, b) per layer with W of shape (fan_in, fan_out), and the iteration the weights were saved at."""

    config: dict
    weights: Weights
    iteration: int

    def state(self) -> TrainingState:
        """What `Trainer.restore` takes: these settings, weights and iteration, trained on afresh from the seed."""
        return TrainingState.from_checkpoint(self.config, self.weights, self.iteration)


# -- writing -----------------------------------------------------------------------------------------
def save(path, config, weights: Weights, iteration: int) -> None:
    """Write a checkpoint to a path or a binary file object; `config` is a GanConfig or a settings dict.
    Validates it like `load` would."""
    settings = config.to_dict() if isinstance(config, GanConfig) else dict(config)
    settings = {k: v for k, v in settings.items() if k not in UNSAVED_SETTINGS}
    settings = _check_config(settings)
    checkpoint = Checkpoint(settings, _copy_weights(weights, settings["model"]), _check_iteration(iteration))
    check_architecture(checkpoint)
    arrays = {
        "format": np.array(FORMAT),
        "config": np.array(json.dumps(checkpoint.config)),
        "iteration": np.array(iteration, np.int64),
    }
    for network in MODEL_NETWORKS[checkpoint.config["model"]]:
        for i, (weight, bias) in enumerate(checkpoint.weights[network]):
            arrays[f"{network}.{i}.weight"] = weight
            arrays[f"{network}.{i}.bias"] = bias
    if hasattr(path, "write"):  # a file object, e.g. a BytesIO for a download
        np.savez_compressed(path, **arrays)
        return
    with open(path, "wb") as file:  # a file object: savez would otherwise append '.npz' to other names
        np.savez_compressed(file, **arrays)


def _copy_weights(weights, model: str) -> Weights:
    networks = MODEL_NETWORKS[model]
    try:
        return {n: [(np.asarray(w), np.asarray(b)) for w, b in weights[n]] for n in networks}
    except (KeyError, TypeError, ValueError) as error:
        names = " and ".join(repr(n) for n in networks)
        raise CheckpointError(f"weights must map {names} to (W, b) layers: {error}") from None


# -- reading -----------------------------------------------------------------------------------------
def load(source) -> Checkpoint:
    """Read and validate a checkpoint from a file path or the file's bytes (e.g. an upload).
    Raises CheckpointError (a ValueError) saying what is wrong; nothing is unpickled."""
    data = _read(source)
    arrays = _unpack(data)
    if str(arrays.get("format", "")) != FORMAT:
        found = arrays.get("format")
        raise CheckpointError(f"not a ganlab-panel checkpoint: format is {found!r}, expected {FORMAT!r}")
    for name in ("config", "iteration"):
        if name not in arrays:
            raise CheckpointError(f"checkpoint is missing its '{name}' entry")
    config = _check_config(_parse_config(arrays["config"]))
    iteration = _check_iteration(arrays["iteration"])
    checkpoint = Checkpoint(config, _weights_from(arrays, network_sizes(config)), iteration)
    check_architecture(checkpoint)
    return checkpoint


def _read(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise CheckpointError(_too_large(len(data)))
        return data
    if not isinstance(source, (str, os.PathLike)):
        raise CheckpointError(f"a checkpoint is read from a path or bytes, not {type(source).__name__}")
    try:
        size = os.stat(source).st_size
        if size > MAX_FILE_BYTES:
            raise CheckpointError(_too_large(size))
        with open(source, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint {os.fspath(source)!r}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise CheckpointError(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return f"checkpoint is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})"


def _unpack(data: bytes) -> dict[str, np.ndarray]:
    """Every array of an .npz, read without pickle; any damage becomes a CheckpointError."""
    if not data.startswith(b"PK"):
        raise CheckpointError("not a checkpoint: the file is not an .npz (zip) archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise CheckpointError(f"checkpoint unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
            if any(not m.filename.endswith(".npy") for m in members):
                raise CheckpointError("not a checkpoint: the archive holds files other than arrays")
            for member in members:
                _check_array_size(archive, member)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except CheckpointError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise CheckpointError("checkpoint holds a pickled object array, which is never loaded") from None
        raise CheckpointError(f"checkpoint is damaged or truncated: {error}") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, NotImplementedError, RuntimeError) as error:
        # NotImplementedError: an unknown compression method; RuntimeError: an encrypted member
        raise CheckpointError(f"checkpoint is damaged or truncated: {error}") from None


def _check_array_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """np.load allocates an array as its header describes before reading its data: a header must not
    claim more than its member holds (a few bytes could otherwise ask for terabytes)."""
    with archive.open(member) as file:
        version = np.lib.format.read_magic(file)
        if version not in ((1, 0), (2, 0)):
            raise CheckpointError(f"not a checkpoint: {member.filename} is an .npy of version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(file)
    if dtype.hasobject:
        raise CheckpointError("checkpoint holds a pickled object array, which is never loaded")
    if math.prod(shape) * dtype.itemsize > member.file_size:
        raise CheckpointError(f"checkpoint is damaged: {member.filename} claims more data than it holds")


def _parse_config(entry: np.ndarray) -> dict:
    if entry.shape != () or entry.dtype.kind != "U":
        raise CheckpointError(
            f"checkpoint 'config' must be JSON text, got a {entry.dtype} array of shape {entry.shape}"
        )
    try:
        values = json.loads(str(entry))
    except (ValueError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
        raise CheckpointError(f"checkpoint 'config' is not valid JSON: {error}") from None
    if not isinstance(values, dict):
        raise CheckpointError("checkpoint 'config' must be a JSON object of setting names to values")
    return values


def _check_config(values: dict) -> dict:
    """The settings completed with defaults (a file from an older version may lack newer ones)."""
    values = {k: v for k, v in values.items() if k not in UNSAVED_SETTINGS}
    required = [k for k in ARCHITECTURE_SETTINGS if k not in LATER_ARCHITECTURE_SETTINGS]
    if values.get("model") == "flow":
        required = list(FLOW_ARCHITECTURE_SETTINGS)
    missing = [k for k in ("distribution", *required) if k not in values]
    if missing:
        raise CheckpointError(f"checkpoint settings lack {', '.join(missing)}")
    try:
        checked = check(values)
        defaults = {k: v for k, v in GanConfig.defaults().items() if k not in UNSAVED_SETTINGS}
        complete = {**defaults, **checked}
        make_sampler(complete["distribution"], complete["points"] or None)  # drawn data needs its points
    except ValueError as error:
        raise CheckpointError(f"checkpoint settings are invalid: {error}") from None
    return complete


def _check_iteration(value) -> int:
    array = np.asarray(value)
    if array.shape != () or array.dtype.kind not in "iu":
        raise CheckpointError(f"checkpoint 'iteration' must be one integer, got {array.dtype} of shape {array.shape}")
    if int(array) < 0:
        raise CheckpointError(f"checkpoint 'iteration' must be >= 0, got {int(array)}")
    return int(array)


def _weights_from(arrays: dict[str, np.ndarray], sizes: dict[str, list[int]]) -> Weights:
    expected = {"format", "config", "iteration"}
    weights = {}
    for network, widths in sizes.items():
        layers = len(widths) - 1
        names = [(f"{network}.{i}.weight", f"{network}.{i}.bias") for i in range(layers)]
        expected.update(n for pair in names for n in pair)
        missing = [n for pair in names for n in pair if n not in arrays]
        if missing:
            raise CheckpointError(
                f"checkpoint is missing {', '.join(missing)}: the settings describe a {network} of {layers} layers"
            )
        weights[network] = [(arrays[w], arrays[b]) for w, b in names]
    extra = sorted(set(arrays) - expected)
    if extra:
        raise CheckpointError(f"checkpoint has entries its settings do not describe: {', '.join(extra)}")
    return weights


# -- validation shared by save, load and Experiment.load_state ---------------------------------------
def check_model(checkpoint: Checkpoint, model: str) -> None:
    """Refuse a checkpoint of another model than the experiment's `model` (a flow's into a GAN, or the
    reverse) with a CheckpointError saying which is which; the experiment stays as it was."""
    try:
        check_model_of(checkpoint.config, model)
    except ValueError as error:
        raise CheckpointError(str(error)) from None


def check_architecture(checkpoint: Checkpoint) -> Architecture | FlowArchitecture:
    """Check a checkpoint before anything uses it: settings valid as `load` requires, and weights that are
    finite float arrays of the shapes the settings' networks need. Returns the architecture; raises
    CheckpointError naming the first problem."""
    if not isinstance(checkpoint.config, dict):
        raise CheckpointError("checkpoint settings must be a dict of setting names to values")
    config = _check_config(checkpoint.config)
    for network, sizes in network_sizes(config).items():
        layers = checkpoint.weights.get(network) if isinstance(checkpoint.weights, dict) else None
        if layers is None or len(layers) != len(sizes) - 1:
            found = "none" if layers is None else len(layers)
            raise CheckpointError(
                f"architecture mismatch: the settings describe a {network} of {len(sizes) - 1} layers "
                f"({' -> '.join(map(str, sizes))}), the weights have {found}"
            )
        for i, (layer, fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:], strict=True)):
            if not isinstance(layer, (tuple, list)) or len(layer) != 2:
                raise CheckpointError(f"{network} layer {i} must be a (weight, bias) pair")
            for part, array, shape in zip(("weight", "bias"), layer, ((fan_in, fan_out), (fan_out,)), strict=True):
                name = f"{network}.{i}.{part}"
                if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                    kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
                    raise CheckpointError(f"{name} must be a float array, got {kind}")
                if array.shape != shape:
                    raise CheckpointError(
                        f"architecture mismatch: {name} has shape {array.shape}, the settings need {shape}"
                    )
                if not np.isfinite(array).all():
                    raise CheckpointError(f"{name} contains NaN or infinite values")
    return _architecture(config)


def _architecture(config: dict) -> Architecture | FlowArchitecture:
    if config["model"] == "flow":
        return FlowArchitecture(*(config[k] for k in FLOW_ARCHITECTURE_SETTINGS))
    return Architecture(**{k: config[k] for k in ARCHITECTURE_SETTINGS})


def network_sizes(config: dict) -> dict[str, list[int]]:
    """Each network of a complete checkpoint config's model -> its layer widths, input to output."""
    architecture = _architecture(config)
    if isinstance(architecture, FlowArchitecture):
        return {NETWORK: architecture.sizes}
    return {network: getattr(architecture, f"{network}_sizes") for network in NETWORKS}


# -- shipped models ----------------------------------------------------------------------------------
def available_pretrained() -> list[str]:
    """Distributions with a shipped pretrained model, in registry order."""
    return [name for name in REGISTRY if (PRETRAINED_DIR / f"{name}.npz").is_file()]


def pretrained_path(distribution: str) -> Path:
    """The shipped checkpoint of a distribution (written by scripts/train_pretrained.py)."""
    available = available_pretrained()
    if distribution not in available:
        raise ValueError(f"no pretrained model for {distribution!r}; available: {', '.join(available) or 'none'}")
    return PRETRAINED_DIR / f"{distribution}.npz"
