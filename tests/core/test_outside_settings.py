"""Settings from outside the widgets (a URL query, a JSON file, the command line, the Python API) are
checked as the widgets' are: a bad or unknown value is one ValueError naming the setting and its allowed
range, never a traceback from deeper down, and the configuration it was meant for is left as it was."""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

import numpy as np
import pytest

from ganlab_panel import Experiment, GanConfig, cli
from ganlab_panel.core.config import parse_query
from ganlab_panel.core.trainer import Trainer

BAD = {  # a bad value of each kind of setting -> phrases its message must hold
    "generator_layers=9": ({"generator_layers": 9}, ["generator_layers", "got 9", "from 0 to 5"]),
    "batch_size=5000": ({"batch_size": 5000}, ["batch_size", "from 1 to 2000"]),
    "rate 0": ({"discriminator_learning_rate": 0.0}, ["discriminator_learning_rate", "> 0"]),
    "rate nan": ({"generator_learning_rate": math.nan}, ["generator_learning_rate", "finite number > 0"]),
    "rate inf": ({"generator_learning_rate": math.inf}, ["generator_learning_rate", "finite number > 0"]),
    "noise_dim=3": ({"noise_dim": 3}, ["noise_dim", "one of 1, 2"]),
    "loss": ({"loss": "wasserstein"}, ["loss", "one of 'log'"]),
    "unknown": ({"learning_rate": 0.1}, ["unknown setting(s): learning_rate", "known: model, distribution"]),
}
"""A URL or --set carries these as text (nan -> 'nan'); JSON as numbers (NaN, Infinity)."""


@pytest.fixture
def config() -> GanConfig:
    """A configuration away from the defaults, to show a refused change leaves it as it was."""
    return GanConfig(distribution="ring", generator_layers=2, generator_learning_rate=0.03, batch_size=64)


def _query(values: dict) -> str:
    return urlencode({k: str(v) for k, v in values.items()})


def _assert_names(error: pytest.ExceptionInfo, phrases: list[str]) -> None:
    message = str(error.value)
    assert all(p in message for p in phrases), message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("case", list(BAD))
def test_url_query_is_checked_and_a_refused_one_changes_nothing(config, case):
    values, phrases = BAD[case]
    before = config.to_dict()
    with pytest.raises(ValueError) as error:
        GanConfig.from_query(_query(values))
    _assert_names(error, phrases)
    with pytest.raises(ValueError) as error:
        config.update(parse_query("?" + _query({"seed": 7, **values})))
    _assert_names(error, phrases)
    assert config.to_dict() == before


@pytest.mark.parametrize(
    ("query", "phrases"),
    [
        ("generator_layers=many", ["generator_layers: got 'many'", "from 0 to 5"]),
        ("generator_learning_rate=fast", ["generator_learning_rate: got 'fast'", "> 0"]),
        ("batch_size=1.5", ["batch_size: got '1.5'", "from 1 to 2000"]),
        ("points=0.1,0.2;0.3", ["points", "[x, y] pairs"]),
        ("points=0.1,nan", ["points", "non-finite"]),
        ("seed=" + "9" * 5000, ["seed", "from 0 to 2147483647"]),
    ],
)
def test_url_text_that_is_not_the_settings_type_is_named(query, phrases):
    with pytest.raises(ValueError) as error:
        GanConfig.from_query(query)
    _assert_names(error, phrases)
    assert len(str(error.value)) < 300, "a huge value must not be echoed whole"


@pytest.mark.parametrize("case", list(BAD))
def test_json_file_is_checked(tmp_path, case):
    values, phrases = BAD[case]
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"seed": 7, **values}))  # NaN and Infinity as JavaScript writes them
    with pytest.raises(ValueError) as error:
        GanConfig.from_json(path.read_text())
    _assert_names(error, phrases)


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ('{"batch_size": true}', ["batch_size: got True", "from 1 to 2000"]),
        ('{"generator_layers": 2.5}', ["generator_layers: got 2.5", "from 0 to 5"]),
        ('{"points": [[0.1, 0.2], [0.3]]}', ["points", "[x, y] pairs"]),
        ('{"points": [[1e999, 0.5]]}', ["points", "non-finite"]),
        ('{"generator_learning_rate": 1' + "0" * 400 + "}", ["generator_learning_rate", "finite number > 0"]),
        ('{"noise_dim": "2"}', ["noise_dim", "one of 1, 2"]),
        ("[" * 100_000 + "]" * 100_000, ["not valid JSON"]),
        ('["seed", 1]', ["must be an object"]),
        ("{'seed': 1}", ["not valid JSON"]),
    ],
)
def test_json_with_the_wrong_types_or_shape_is_refused_with_a_message(text, phrases):
    with pytest.raises(ValueError) as error:
        GanConfig.from_json(text)
    _assert_names(error, phrases)
    assert len(str(error.value)) < 400


@pytest.mark.parametrize("case", list(BAD))
def test_python_api_is_checked_like_the_widgets(config, case):
    values, phrases = BAD[case]
    before = config.to_dict()
    for apply in (
        config.update,
        lambda v: GanConfig(**v),
        lambda v: GanConfig.from_dict(v),
        lambda v: Experiment(**v),
        lambda v: Experiment(config, **v),
        lambda v: Trainer(config, **v),
    ):
        with pytest.raises(ValueError) as error:
            apply({"seed": 7, **values})
        _assert_names(error, phrases)
    assert config.to_dict() == before


def test_constructor_refuses_what_update_refuses():
    for values, phrase in (
        ({"batch_size": True}, "batch_size: got True"),
        ({"k_discriminator": 0, "k_generator": 0}, "cannot both be 0"),
        ({"engine": "numpy", "device": "cuda"}, "CPU only"),
        ({"points": [[0.5, "half"]]}, "points"),
    ):
        with pytest.raises(ValueError, match=phrase):
            GanConfig(**values)
    assert GanConfig(name="mine", seed=3).seed == 3  # param's own `name` still works


def test_running_experiment_keeps_training_after_a_refused_change():
    experiment = Experiment(seed=2)
    experiment.train(5)
    fake = experiment.frame().fake
    with pytest.raises(ValueError, match="generator_neurons"):
        experiment.config.update({"generator_neurons": 0, "generator_layers": 3})
    assert experiment.iteration == 5 and experiment.config.generator_layers == 1
    np.testing.assert_array_equal(experiment.frame().fake, fake)  # same generator, not rebuilt
    experiment.train(3)
    assert experiment.iteration == 8


@pytest.mark.parametrize("case", list(BAD))
def test_command_line_set_exits_2_with_one_line_naming_the_setting(capsys, case):
    values, phrases = BAD[case]
    ((name, value),) = values.items()
    assert cli.main(["train", "--iterations", "0", "--quiet", "--set", f"{name}={value}"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert all(p in err for p in phrases), err
