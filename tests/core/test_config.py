"""GanConfig: GAN Lab's defaults, ranges, round trips, atomic updates and how each setting applies."""

from __future__ import annotations

import json

import param
import pytest

from ganlab_panel.core.config import EFFECTS, GanConfig
from ganlab_panel.core.settings import LEARNING_RATES, Effect

GAN_LAB_DEFAULTS = {  # shared/reference/ganlab.md, hyperparameter table
    "distribution": "gaussians",
    "noise_dim": 2,
    "noise_type": "uniform",
    "generator_layers": 1,
    "generator_neurons": 8,
    "discriminator_layers": 1,
    "discriminator_neurons": 8,
    "generator_optimizer": "sgd",
    "discriminator_optimizer": "sgd",
    "generator_learning_rate": 0.1,
    "discriminator_learning_rate": 0.1,
    "loss": "log",
    "k_discriminator": 2,
    "k_generator": 1,
    "batch_size": 150,
    "heatmap_resolution": 30,
}

CHANGED = {  # every kind of setting away from its default, incl. a learning rate off GAN Lab's menu
    "distribution": "drawing",
    "points": [[0.25, 0.5], [0.125, 0.75], [0.5, 0.0625]],
    "noise_dim": 1,
    "noise_type": "gaussian",
    "generator_layers": 3,
    "generator_neurons": 17,
    "discriminator_layers": 0,
    "discriminator_neurons": 100,
    "generator_optimizer": "adam",
    "discriminator_optimizer": "adam",
    "generator_learning_rate": 0.0005,
    "discriminator_learning_rate": 2.5,
    "adam_beta1": 0.5,
    "adam_beta2": 0.9,
    "loss": "least_squares",
    "gp_weight": 0.1,
    "k_discriminator": 0,
    "k_generator": 4,
    "batch_size": 64,
    "seed": 12345,
    "heatmap_resolution": 45,
}


def test_defaults_are_gan_labs():
    config = GanConfig()
    assert {k: getattr(config, k) for k in GAN_LAB_DEFAULTS} == GAN_LAB_DEFAULTS
    assert config.points == []
    assert 0.1 in LEARNING_RATES and set(LEARNING_RATES) == {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0}


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("generator_layers", 0, 5),
        ("discriminator_layers", 0, 5),
        ("generator_neurons", 1, 100),
        ("discriminator_neurons", 1, 100),
        ("k_discriminator", 0, 10),
        ("k_generator", 0, 10),
    ],
)
def test_integer_settings_accept_their_range_and_reject_outside_it(name, low, high):
    config = GanConfig()
    for value in (low, high):
        config.update({name: value})
        assert getattr(config, name) == value
    for value in (low - 1, high + 1):
        with pytest.raises(ValueError) as error:
            config.update({name: value})
        message = str(error.value)
        assert name in message and str(value) in message and f"{low} to {high}" in message
        assert getattr(config, name) == high


@pytest.mark.parametrize("name", ["generator_learning_rate", "discriminator_learning_rate"])
def test_any_positive_learning_rate_is_accepted(name):
    config = GanConfig()
    for rate in (1e-6, 0.0005, 0.05, 2.5, 1000.0):
        assert rate not in LEARNING_RATES
        config.update({name: rate})
        assert getattr(config, name) == rate
    for bad in (0, -0.1, float("nan"), "fast"):
        with pytest.raises(ValueError, match=rf"{name}.*> 0"):
            config.update({name: bad})
        assert getattr(config, name) == 1000.0


def test_adam_betas_default_to_torchs_and_stay_below_1():
    config = GanConfig()
    assert (config.adam_beta1, config.adam_beta2) == (0.9, 0.999)
    config.update({"adam_beta1": 0, "adam_beta2": 0.999})  # an int from JSON is a number too
    assert config.adam_beta1 == 0.0 and type(config.adam_beta1) is float
    for name in ("adam_beta1", "adam_beta2"):
        for bad in (1.0, -0.1, True):
            with pytest.raises(ValueError, match=rf"{name}: got {bad!r}, expected a number from 0.0 to 0.999"):
                config.update({name: bad})
    assert (config.adam_beta1, config.adam_beta2) == (0.0, 0.999)


def test_the_penalty_weight_defaults_to_the_papers_10_and_may_be_0():
    config = GanConfig()
    assert config.gp_weight == 10.0
    config.update({"gp_weight": 0})  # no penalty: a lesson in why WGAN-GP has one
    assert config.gp_weight == 0.0 and type(config.gp_weight) is float
    for bad in (-0.1, 1001, float("nan"), "0.1"):
        with pytest.raises(ValueError, match="gp_weight"):
            config.update({"gp_weight": bad})
    assert config.gp_weight == 0.0


def test_kd_and_kg_cannot_both_be_zero():
    config = GanConfig()
    with pytest.raises(ValueError, match="k_discriminator and k_generator cannot both be 0"):
        config.update({"k_discriminator": 0, "k_generator": 0})
    assert (config.k_discriminator, config.k_generator) == (2, 1)
    config.update({"k_generator": 0})
    with pytest.raises(ValueError, match="cannot both be 0"):
        config.k_discriminator = 0  # a widget setting one value directly is refused too
    assert (config.k_discriminator, config.k_generator) == (2, 0)
    # swapping which one is zero in one update is fine, whatever the order of the keys
    config.update({"k_generator": 3, "k_discriminator": 0})
    assert (config.k_discriminator, config.k_generator) == (0, 3)
    config.update({"k_generator": 0, "k_discriminator": 1})
    assert (config.k_discriminator, config.k_generator) == (1, 0)


def test_dict_and_json_round_trips_keep_every_setting():
    config = GanConfig.from_dict(CHANGED)
    values = config.to_dict()
    assert {k: values[k] for k in CHANGED} == CHANGED
    assert set(values) == set(EFFECTS)
    assert GanConfig.from_dict(values).to_dict() == values
    text = config.to_json()
    assert json.loads(text) == values
    assert GanConfig.from_json(text).to_dict() == values


def test_query_round_trip_keeps_types_and_points():
    config = GanConfig.from_dict(CHANGED)
    restored = GanConfig.from_query(config.to_query())
    linked = {**config.to_dict(), "heatmap_resolution": GanConfig().heatmap_resolution}  # links leave it out
    assert restored.to_dict() == linked
    assert type(restored.noise_dim) is int and type(restored.generator_layers) is int
    assert type(restored.generator_learning_rate) is float
    assert GanConfig.from_query("?" + config.to_query()).to_dict() == linked


def test_query_holds_only_changed_settings():
    assert GanConfig().to_query() == ""
    assert GanConfig(generator_layers=3).to_query() == "generator_layers=3"
    assert GanConfig.from_query("").to_dict() == GanConfig.defaults()


def test_json_coerces_whole_floats_and_ints_naturally():
    config = GanConfig.from_json('{"generator_layers": 3.0, "generator_learning_rate": 1, "noise_dim": 1}')
    assert config.generator_layers == 3 and type(config.generator_layers) is int
    assert config.generator_learning_rate == 1.0 and type(config.generator_learning_rate) is float
    assert config.noise_dim == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: GanConfig.from_dict({"learning_rate": 0.1}), "unknown setting.*learning_rate"),
        (lambda: GanConfig.from_query("bogus=1"), "unknown setting.*bogus"),
        (lambda: GanConfig.from_json('{"layers": 2}'), "unknown setting.*layers"),
        (lambda: GanConfig.from_json("{not json"), "not valid JSON"),
        (lambda: GanConfig.from_json("[1, 2]"), "must be an object"),
        (lambda: GanConfig.from_query("noise_dim=3"), "noise_dim.*one of 1, 2"),
        (lambda: GanConfig.from_query("generator_layers=many"), "generator_layers.*0 to 5"),
        (lambda: GanConfig.from_query("generator_neurons=0"), "generator_neurons.*1 to 100"),
        (lambda: GanConfig.from_dict({"loss": "wasserstein"}), "loss.*'log'.*'least_squares'"),
        (lambda: GanConfig.from_dict({"distribution": "swiss_roll"}), "distribution.*'ring'"),
        (lambda: GanConfig.from_dict({"points": [[0.1, float("nan")]]}), "points.*non-finite"),
        (lambda: GanConfig.from_dict({"points": [[0.1, 0.2, 0.3]]}), "points"),
        (lambda: GanConfig.from_dict({"batch_size": 0}), "batch_size"),
    ],
)
def test_bad_settings_are_rejected_with_a_message_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_update_is_atomic():
    config = GanConfig()
    before = config.to_dict()
    events = []
    config.param.watch(events.append, list(EFFECTS))
    with pytest.raises(ValueError, match="generator_neurons"):
        config.update({"generator_layers": 3, "loss": "least_squares", "generator_neurons": 500})
    with pytest.raises(ValueError, match="unknown"):
        config.update({"generator_layers": 3, "typo": 1})
    with pytest.raises(ValueError, match="cannot both be 0"):
        config.update({"generator_layers": 3, "k_discriminator": 0, "k_generator": 0})
    assert config.to_dict() == before
    assert events == []


def test_update_notifies_watchers_once_for_a_batch():
    config = GanConfig()
    calls = []
    config.param.watch(lambda *events: calls.append({e.name for e in events}), list(EFFECTS))
    config.update({"generator_layers": 2, "generator_neurons": 12})
    assert calls == [{"generator_layers", "generator_neurons"}]


def test_every_setting_has_an_effect():
    settings = set(GanConfig.param) - {"name"}
    assert set(EFFECTS) == settings
    assert all(isinstance(effect, Effect) for effect in EFFECTS.values())


@pytest.mark.parametrize(
    ("names", "effect"),
    [
        (
            [
                "noise_dim",
                "noise_type",
                "generator_layers",
                "generator_neurons",
                "discriminator_layers",
                "discriminator_neurons",
                "distribution",
                "points",
                "seed",
            ],
            Effect.REBUILD,
        ),
        (
            [
                "generator_learning_rate",
                "discriminator_learning_rate",
                "generator_optimizer",
                "discriminator_optimizer",
                "adam_beta1",
                "adam_beta2",
                "loss",
                "gp_weight",
                "k_discriminator",
                "k_generator",
                "batch_size",
            ],
            Effect.LIVE,
        ),
        (["heatmap_resolution"], Effect.VIEW),
    ],
)
def test_structural_settings_rebuild_and_training_settings_apply_live(names, effect):
    assert {name: EFFECTS[name] for name in names} == dict.fromkeys(names, effect)


def test_instance_changes_never_touch_class_defaults():
    config = GanConfig()
    config.update(CHANGED)
    config.points.append([0.9, 0.9])  # even an in-place edit of the list
    other = GanConfig()
    assert other.points == [] and GanConfig.points == []
    assert {k: getattr(other, k) for k in GAN_LAB_DEFAULTS} == GAN_LAB_DEFAULTS
    assert GanConfig.defaults() == other.to_dict()
    assert isinstance(GanConfig.param["points"], param.List)


def test_to_dict_is_a_copy():
    config = GanConfig(points=[[0.1, 0.2]])
    values = config.to_dict()
    values["points"].append([0.3, 0.4])
    assert config.points == [[0.1, 0.2]]
