"""Fuzzing the public loading and validation functions with Hypothesis: random settings, point sets and
file bytes give a valid result or the documented error (ValueError, CheckpointError for checkpoints),
never another exception, and a refused update leaves the configuration as it was."""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ganlab_panel import Experiment, GanConfig
from ganlab_panel.core import distributions
from ganlab_panel.core.config import EFFECTS, check
from ganlab_panel.files import checkpoints
from ganlab_panel.files.checkpoints import CheckpointError
from ganlab_panel.files.csv_points import load_csv_points

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),  # beyond float's range
    st.floats(),  # NaN and infinities included
    st.sampled_from([0, 1, -1, 0.0, 1e-300, 1e308, 2**31, 2**63, 10**4000]),
)
POINT_LIKE = st.lists(st.lists(st.one_of(NUMBERS, st.text(max_size=3)), max_size=3), max_size=5)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    st.text(max_size=20),
    st.sampled_from(["sgd", "adam", "log", "ring", "drawing", "points", "uniform", "torch", "numpy", "cpu", "cuda"]),
    POINT_LIKE,
    st.lists(st.floats(0, 1), min_size=2, max_size=2).map(lambda p: [p]),  # a valid one-point list
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.tuples(NUMBERS, NUMBERS),
)
KEYS = st.one_of(st.sampled_from(list(EFFECTS)), st.text(max_size=12), st.integers())
SETTINGS = st.dictionaries(KEYS, VALUES, max_size=5)
NAMED_SETTINGS = st.dictionaries(st.one_of(st.sampled_from(list(EFFECTS)), st.text(max_size=12)), VALUES, max_size=5)


def _config_or_value_error(make) -> GanConfig | None:
    try:
        return make()
    except ValueError:
        return None


# -- settings ----------------------------------------------------------------------------------------
@FUZZ
@given(SETTINGS)
def test_random_settings_are_valid_or_one_value_error(values):
    try:
        checked = check(values)
    except ValueError:
        checked = None
    config = GanConfig(distribution="ring", seed=5)
    before = config.to_dict()
    try:
        config.update(values)
    except ValueError:
        assert config.to_dict() == before, "a refused update changed the configuration"
        return
    assert checked is not None, "update accepted what check refused"
    # whatever was accepted describes a configuration that round-trips through every outside form
    values = config.to_dict()
    assert check(values) == values
    assert GanConfig.from_json(config.to_json()).to_dict() == values


@FUZZ
@given(NAMED_SETTINGS)
def test_random_settings_through_every_outside_form_give_only_value_errors(values):
    made = [
        _config_or_value_error(lambda: GanConfig.from_dict(values)),
        _config_or_value_error(lambda: GanConfig(**values)),
        _config_or_value_error(lambda: GanConfig.from_json(json.dumps(values))),
    ]
    accepted = [m.to_dict() for m in made if m is not None]
    assert len(accepted) in (0, len(made)), "the forms disagree on whether the settings are valid"
    assert all(a == accepted[0] for a in accepted)
    query = urlencode({k: str(v) for k, v in values.items()})
    _config_or_value_error(lambda: GanConfig.from_query(query))


@FUZZ
@given(st.text(max_size=200))
def test_random_text_as_a_url_query_or_json_gives_only_value_errors(text):
    for make in (GanConfig.from_query, GanConfig.from_json):
        config = _config_or_value_error(lambda make=make: make(text))
        if config is not None:
            assert check(config.to_dict()) == config.to_dict()


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(list(EFFECTS)), st.text(max_size=30)), max_size=4))
def test_random_url_values_for_known_settings_give_only_value_errors(pairs):
    _config_or_value_error(lambda: GanConfig.from_query(urlencode(pairs)))


# -- point sets --------------------------------------------------------------------------------------
FLOAT_ARRAYS = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
)
POINT_SETS = st.one_of(FLOAT_ARRAYS, POINT_LIKE, VALUES, st.just(np.zeros((0, 2))), st.just(np.full((10**5, 2), 0.5)))


@FUZZ
@given(POINT_SETS, st.integers(1, 50), st.integers(0, 2**32))
def test_random_point_sets_are_valid_or_one_value_error(points, n, seed):
    try:
        array = distributions.validate_points(points)
    except ValueError:
        array = None
    if array is not None:
        assert array.ndim == 2 and array.shape[1] == 2 and len(array) > 0 and np.isfinite(array).all()
    try:
        samples = distributions.sample("points", n, seed, points)
    except ValueError:
        assert array is None, "sample refused points that validate_points accepted"
        return
    assert array is not None, "sample took points that validate_points refused"
    assert samples.shape == (n, 2)
    assert {tuple(p) for p in samples} <= {tuple(p) for p in array}  # 'points' has no jitter


# -- checkpoint files --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzzed")


@pytest.fixture(scope="module")
def saved(folder) -> bytes:
    """A real checkpoint (two generator layers, three discriminator layers) as the bytes of its file."""
    experiment = Experiment(distribution="ring", seed=1, generator_layers=2)
    experiment.train(3)
    experiment.save(folder / "ring.npz")
    return (folder / "ring.npz").read_bytes()


def _load_both(data: bytes, folder) -> checkpoints.Checkpoint | None:
    """Load from the bytes and from a file holding them; both must agree."""
    path = folder / "fuzzed.npz"
    path.write_bytes(data)
    results = []
    for source in (data, path):
        try:
            results.append(checkpoints.load(source))
        except CheckpointError as error:
            assert str(error) and "\n" not in str(error)
            results.append(None)
    assert (results[0] is None) == (results[1] is None)
    return results[0]


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_with_a_checkpoint_error(saved, folder, data):
    assert _load_both(data, folder) is None
    assert _load_both(b"PK\x03\x04" + data, folder) is None  # past the quick 'not a zip' check


@st.composite
def _mutations(draw, size: int):
    """Edits to a file of `size` bytes: a few bytes overwritten, a cut, or a stretch removed."""
    edits = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 255)), max_size=4))
    cut = draw(st.one_of(st.none(), st.integers(0, size)))
    hole = draw(st.one_of(st.none(), st.tuples(st.integers(0, size), st.integers(1, 64))))
    return edits, cut, hole


@FUZZ
@given(st.data())
def test_damaged_checkpoints_load_whole_or_are_refused_with_a_checkpoint_error(saved, folder, data):
    edits, cut, hole = data.draw(_mutations(len(saved)))
    damaged = bytearray(saved)
    for position, value in edits:
        damaged[position] = value
    if hole is not None:
        del damaged[hole[0] : hole[0] + hole[1]]
    if cut is not None:
        del damaged[cut:]
    checkpoint = _load_both(bytes(damaged), folder)
    if checkpoint is not None:  # an edit in a harmless place (a timestamp): what loads is complete and valid
        checkpoints.check_architecture(checkpoint)
        assert all(
            math.isfinite(float(w.sum())) for layers in checkpoint.weights.values() for pair in layers for w in pair
        )


# -- point files -------------------------------------------------------------------------------------
CSV_CELLS = st.one_of(
    st.floats().map(repr),
    st.integers().map(str),
    st.sampled_from(["x", "y", "", " ", "nan", "-inf", "1e309", "1.7976931348623157e308", "5e-324"]),
)
CSV_TEXT = st.lists(st.lists(CSV_CELLS, max_size=3).map(",".join), max_size=8).map("\n".join)


@FUZZ
@given(st.one_of(CSV_TEXT, st.text(max_size=200), st.binary(max_size=200)))
def test_random_csv_files_give_points_in_the_view_or_one_value_error(data):
    try:
        points = load_csv_points(data)
    except ValueError as error:
        assert str(error)
        return
    assert points.ndim == 2 and points.shape[1] == 2 and len(points) > 0
    assert np.isfinite(points).all() and (points >= 0).all() and (points <= 1).all()
    GanConfig(distribution="points", points=points.tolist())  # what loads is valid real data
