"""A setting is declared once: GanConfig's parameter (value, label, doc) and one Setting record in
core/settings.py; effects, groups, links, checkpoints and compare mode derive from them."""

from __future__ import annotations

import param
import pytest

from ganlab_panel.core import config as config_module
from ganlab_panel.core.config import EFFECTS, LIVE_SETTINGS, REBUILD_SETTINGS, GanConfig
from ganlab_panel.core.settings import (
    FLOW_SETTING_GROUPS,
    LINKED_SETTINGS,
    MODEL_SETTINGS,
    PAGE_GROUPS,
    SETTING_GROUPS,
    SETTINGS,
    SHARED_SETTINGS,
    UNSAVED_SETTINGS,
    Effect,
    Setting,
)
from ganlab_panel.engines.losses import LOSSES
from ganlab_panel.files import checkpoints

NAMES = [name for name in GanConfig.param if name != "name"]


def test_every_parameter_has_one_record_a_label_and_a_doc():
    assert sorted(SETTINGS) == sorted(NAMES)
    for name in NAMES:
        p = GanConfig.param[name]
        assert isinstance(SETTINGS[name], Setting)
        assert p._label, f"{name} has no label= of its own"
        assert p.doc and p.doc.strip(), name


@pytest.mark.parametrize("name", NAMES)
def test_each_record_fits_its_parameter(name):
    p, setting = GanConfig.param[name], SETTINGS[name]
    assert isinstance(setting.effect, Effect)
    if setting.options is not None:
        assert isinstance(p, param.Selector) and list(setting.options) == list(p.objects)
        assert all(isinstance(label, str) and label for label in setting.options.values())
    if setting.menu is not None:
        assert isinstance(p, param.Number) and all(p.bounds[0] <= v for v in setting.menu)
        p._validate(setting.menu[-1])
    if setting.slider_step != 0.01:
        assert isinstance(p, param.Number) and None not in p.bounds
    if not setting.linked:
        assert setting.group is None, "the page shows no control for a setting links leave out"
    if setting.shared:
        assert setting.effect is not Effect.LIVE, "both sides' data, seed and engine change together"


def test_labels_within_a_card_are_distinct():
    for group, names in [*SETTING_GROUPS.items(), *FLOW_SETTING_GROUPS.items()]:
        labels = [GanConfig.param[name].label for name in names]
        assert len(set(labels)) == len(labels), group


@pytest.mark.parametrize("name", NAMES)
def test_each_page_shows_only_its_models_settings(name):
    setting = SETTINGS[name]
    assert setting.model in (None, "gan", "flow")
    if setting.model == "flow":
        assert setting.group is None, "the GAN page shows no flow setting"
    if setting.model == "gan":
        assert setting.flow_group is None, "the flow page shows no GAN setting"
    for model, groups in PAGE_GROUPS.items():
        shown = {n for names in groups.values() for n in names}
        assert (name in shown) <= (name in MODEL_SETTINGS[model])


def test_the_derived_tables_follow_the_records():
    assert {name: SETTINGS[name].effect for name in NAMES} == EFFECTS
    assert list(EFFECTS) == NAMES, "dicts, JSON and links keep GanConfig's order"
    assert tuple(n for n in NAMES if SETTINGS[n].effect is Effect.REBUILD) == REBUILD_SETTINGS
    assert tuple(n for n in NAMES if SETTINGS[n].effect is Effect.LIVE) == LIVE_SETTINGS
    assert [n for names in SETTING_GROUPS.values() for n in names] == [n for n, s in SETTINGS.items() if s.group]
    assert set(LINKED_SETTINGS) == {n for n, s in SETTINGS.items() if s.linked}
    assert set(SHARED_SETTINGS) == {n for n, s in SETTINGS.items() if s.shared}
    assert checkpoints.UNSAVED_SETTINGS == UNSAVED_SETTINGS == tuple(n for n, s in SETTINGS.items() if not s.saved)
    assert SETTINGS["loss"].options == {name: loss.title for name, loss in LOSSES.items()}


def test_todays_page_in_the_records():
    """The groups, links, shared and unsaved settings the page has always had."""
    assert SETTING_GROUPS == {
        "Noise": ("noise_dim", "noise_type"),
        "Generator": ("generator_layers", "generator_neurons", "generator_optimizer", "generator_learning_rate"),
        "Discriminator": (
            "discriminator_layers",
            "discriminator_neurons",
            "discriminator_optimizer",
            "discriminator_learning_rate",
            "pack",
        ),
        "Training": (
            "loss",
            "gp_weight",
            "real_label",
            "k_discriminator",
            "k_generator",
            "batch_size",
            "adam_beta1",
            "adam_beta2",
            "seed",
        ),
    }
    assert SHARED_SETTINGS == ("model", "distribution", "points", "seed", "engine", "device", "heatmap_resolution")
    assert set(NAMES) - set(LINKED_SETTINGS) == {"engine", "device", "heatmap_resolution"}
    assert set(UNSAVED_SETTINGS) == {"engine", "device", "heatmap_resolution", "flow_time", "flow_heatmap"}


def test_the_flow_pages_cards_in_the_records():
    assert FLOW_SETTING_GROUPS == {
        "Source": ("flow_source",),
        "Velocity network": ("flow_layers", "flow_neurons", "flow_activation", "flow_optimizer", "flow_learning_rate"),
        "Flow training": ("flow_schedule", "flow_decay_iterations", "flow_batch_size", "seed"),
        "Sampling": ("flow_steps", "flow_method", "flow_time", "flow_heatmap"),
    }
    flow_own = {n for n in NAMES if n.startswith("flow_")}
    assert {n for n in NAMES if SETTINGS[n].model == "flow"} == flow_own
    assert set(MODEL_SETTINGS["flow"]) == flow_own | {n for n in NAMES if SETTINGS[n].model is None}
    assert {"model", "distribution", "points", "seed", "engine"} <= set(MODEL_SETTINGS["gan"]) - flow_own


def test_a_link_carries_only_linked_settings_and_reads_both_point_formats():
    config = GanConfig(distribution="drawing", points=[[0.1, 1 / 3]], seed=4, engine="numpy", heatmap_resolution=50)
    assert config.to_query() == "distribution=drawing&points=0.1%2C0.3333333333333333&seed=4"
    assert GanConfig.from_query(config.to_query()).points == [[0.1, 1 / 3]]  # repr: exact
    old = GanConfig.from_query("distribution=drawing&points=0.1%2C0.3333&seed=4")  # links once held 4 digits
    assert old.points == [[0.1, 0.3333]] and old.seed == 4


def test_too_many_points_stay_out_of_a_link():
    many = [[i / 3000, 1 / 3] for i in range(2000)]
    query = GanConfig(distribution="points", points=many, seed=1).to_query()
    assert query == "distribution=points&seed=1"
    assert len(";".join(f"{x!r},{y!r}" for x, y in many)) > config_module.MAX_POINTS_TEXT
