"""Downloads: every file loads back into what it was made from (model, settings, history, pictures)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.history import History
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.files import checkpoints, exports
from ganlab_panel.render.layers import DEFAULT_LAYERS
from ganlab_panel.render.picture import caption_height, render


@pytest.fixture(scope="module")
def trained():
    """A small model after a few iterations, with metrics in its history at some of them."""
    trainer = Trainer(distribution="ring", seed=5, generator_neurons=6, history_capacity=8)
    frames = [trainer.frame()]
    for _ in range(6):
        trainer.train(3)
        frames.append(trainer.frame())
    return trainer, frames


# -- model and settings ------------------------------------------------------------------------------------
def test_checkpoint_bytes_load_back_as_the_same_model(trained, tmp_path):
    trainer, _ = trained
    weights = trainer.engine.get_weights()
    data = exports.checkpoint_bytes(trainer.config, weights, trainer.iteration)
    path = tmp_path / exports.filename("checkpoint", trainer.config, trainer.iteration)
    path.write_bytes(data)
    for loaded in (checkpoints.load(data), checkpoints.load(path)):
        assert loaded.iteration == trainer.iteration == 18
        for network in checkpoints.NETWORKS:
            for (w, b), (w0, b0) in zip(loaded.weights[network], weights[network], strict=True):
                np.testing.assert_array_equal(w, w0)
                np.testing.assert_array_equal(b, b0)
        saved = {k: v for k, v in trainer.config.to_dict().items() if k not in checkpoints.UNSAVED_SETTINGS}
        assert loaded.config == saved


def test_checkpoint_bytes_refuse_weights_that_do_not_fit_the_settings(trained):
    trainer, _ = trained
    with pytest.raises(checkpoints.CheckpointError, match="architecture mismatch"):
        exports.checkpoint_bytes(GanConfig(distribution="ring", generator_neurons=7), trainer.engine.get_weights(), 1)


def test_config_json_round_trips_every_setting():
    config = GanConfig(distribution="disjoint", generator_neurons=12, generator_learning_rate=0.01, loss="hinge")
    text = exports.config_json(config)
    assert json.loads(text)["distribution"] == "disjoint"
    assert GanConfig.from_json(text).to_dict() == config.to_dict()


# -- history ----------------------------------------------------------------------------------------------------
def parse(text: str) -> tuple[list[str], list[dict]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_history_csv_holds_every_series_point_at_its_iteration(trained):
    trainer, _ = trained
    history = trainer.history
    header, rows = parse(exports.history_csv(history))
    assert header == ["iteration", *history.names()]
    assert {"discriminator_loss", "generator_loss", "kl", "js"} <= set(header)
    iterations = [float(row["iteration"]) for row in rows]
    assert iterations == sorted(set(iterations))
    for name in history.names():
        xs, ys = history.series(name)
        kept = [(float(row["iteration"]), float(row[name])) for row in rows if row[name] != ""]
        assert kept == list(zip(xs.tolist(), ys.tolist(), strict=True))  # exact: full precision


def test_history_csv_leaves_blank_where_a_series_has_no_point():
    history = History()
    history.append(1, loss=0.1)
    history.append(2, loss=1 / 3, kl=2.5)
    history.append(3.5, kl=float("nan"))
    header, rows = parse(exports.history_csv(history))
    assert header == ["iteration", "loss", "kl"]
    assert [list(row.values()) for row in rows] == [
        ["1", "0.1", ""],
        ["2", repr(1 / 3), "2.5"],
        ["3.5", "", "nan"],
    ]
    assert exports.history_csv(History()) == "iteration\n"


# -- pictures -------------------------------------------------------------------------------------------------------
def test_png_is_the_layered_view_picture(trained):
    _, frames = trained
    data = exports.png_bytes(frames[-1], size=240)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (240, 240 + caption_height(240))
    expected = render(frames[-1], DEFAULT_LAYERS, 240)
    assert (np.asarray(image.convert("RGB")) == np.asarray(expected)).all()
    square = Image.open(io.BytesIO(exports.png_bytes(frames[-1], {"show_real"}, size=100, caption=False)))
    assert square.size == (100, 100)


def test_gif_animates_every_frame_when_there_are_few(trained):
    _, frames = trained
    data = exports.gif_bytes(frames, size=120, fps=5)
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF" and image.n_frames == len(frames) == 7
    assert image.size == (120, 120 + caption_height(120))
    assert image.info["loop"] == 0 and image.info["duration"] == 200


def test_gif_thins_many_frames_evenly_and_ends_on_the_last(trained):
    _, frames = trained
    image = Image.open(io.BytesIO(exports.gif_bytes(frames, size=120, max_frames=3)))
    assert image.n_frames == 3
    image.seek(2)
    last = exports._indexed(render(frames[-1], DEFAULT_LAYERS, 120)).convert("RGB")
    assert (np.asarray(image.convert("RGB")) == np.asarray(last)).all()
    assert exports.pick_evenly(list(range(10)), 4) == [0, 3, 6, 9]
    assert exports.pick_evenly(list(range(3)), 5) == [0, 1, 2]
    assert exports.pick_evenly(list(range(5)), 1) == [4]


def test_gif_of_no_frames_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="at least one frame"):
        exports.gif_bytes([])
    with pytest.raises(ValueError, match="max_frames"):
        exports.gif_bytes([object()], max_frames=0)


# -- file names ---------------------------------------------------------------------------------------------------
def test_file_names_say_the_distribution_and_iteration():
    config = GanConfig(distribution="ring")
    names = {kind: exports.filename(kind, config, 1931) for kind in exports.SUFFIXES}
    assert names == {
        "checkpoint": "ganlab-ring-iter1931.npz",
        "config": "ganlab-ring-iter1931.json",
        "history": "ganlab-ring-iter1931-history.csv",
        "png": "ganlab-ring-iter1931.png",
        "gif": "ganlab-ring-iter1931.gif",
        "script": "ganlab-ring.py",  # from the seed: no iteration
        "script_weights": "ganlab-ring-iter1931.py",
    }
    assert exports.filename("png", {"distribution": "line"}, 0) == "ganlab-line-iter0.png"
    with pytest.raises(ValueError, match="unknown download"):
        exports.filename("pdf", config, 1)
