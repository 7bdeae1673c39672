"""Slow motion: GAN Lab's ten sub-steps, their captions for each loss, and the walk through them."""

from __future__ import annotations

import pytest

from ganlab_panel.core.config import EFFECTS, GanConfig
from ganlab_panel.core.slow_motion import COMPONENTS, EDGES, PACE_SECONDS, SUBSTEPS, SlowMotion, SubStep, substeps
from ganlab_panel.views.explanations import COMPONENT_TOPICS, EXPLANATIONS, SETTING_TOPICS, explain


def test_ten_substeps_discriminator_phase_then_generator_phase():
    assert [(s.phase, s.number) for s in SUBSTEPS] == [("discriminator", n) for n in range(1, 6)] + [
        ("generator", n) for n in range(1, 6)
    ]
    assert PACE_SECONDS == 1.25


def test_only_the_fifth_substep_of_each_phase_updates_its_network():
    updating = [(s.phase, s.number) for s in SUBSTEPS if s.performs_update]
    assert updating == [("discriminator", 5), ("generator", 5)]


def test_captions_follow_gan_lab():
    captions = [s.caption for s in SUBSTEPS]
    assert captions[0] == captions[5] == "Generator derives samples from noise"
    assert "real and fake samples" in captions[1]
    assert captions[6] == "Discriminator classifies fake samples only"
    assert "update" in captions[4].lower() and captions[4].startswith("Discriminator")
    assert "update" in captions[9].lower() and captions[9].startswith("Generator")


def test_loss_captions_describe_the_chosen_formulation():
    log, squares = substeps("log"), substeps("least_squares")
    assert log[2].caption == "Discriminator computes its loss (log loss: -[0.95 log D(real) + log(1 - D(fake))])"
    assert "-log D(fake)" in log[7].caption
    assert "(D(real) - 1)² + D(fake)²" in squares[2].caption
    assert "(D(fake) - 1)²" in squares[7].caption and "log" not in squares[7].caption
    # only the loss sub-steps depend on the formulation
    assert [a.caption == b.caption for a, b in zip(log, squares, strict=True)] == [n not in (2, 7) for n in range(10)]
    with pytest.raises(ValueError, match="unknown loss"):
        substeps("wasserstein")
    assert (
        "log(1 - D(fake))" in substeps("minimax")[7].caption and "max(0, 1 - f(real))" in substeps("hinge")[2].caption
    )
    assert "-[1 log D(real)" in substeps("log", real_label=1.0)[2].caption  # the real label is a setting


def test_substeps_name_overview_components_and_edges_of_their_own_phase():
    for step in SUBSTEPS:
        assert step.components and set(step.components) <= set(COMPONENTS)
        assert step.edges and all(step.phase in EDGES[edge] for edge in step.edges)
    assert "real" not in SUBSTEPS[6].components  # the generator phase classifies fake samples only
    assert {"real", "fake", "discriminator"} <= set(SUBSTEPS[1].components)
    assert SUBSTEPS[3].edges == ("discriminator-gradients",) and SUBSTEPS[8].edges == ("generator-gradients",)


def test_substep_is_frozen():
    with pytest.raises(AttributeError):
        SUBSTEPS[0].number = 2
    assert isinstance(SUBSTEPS[0], SubStep) and SUBSTEPS[0].label == "Discriminator phase, step 1 of 5"


def test_slow_motion_walks_the_ten_substeps_and_wraps_to_the_next_iteration():
    slow = SlowMotion(GanConfig())
    assert slow.current is None and not slow.finishes_iteration
    walked = [slow.advance() for _ in range(10)]
    assert [(s.phase, s.number) for s in walked] == [(s.phase, s.number) for s in SUBSTEPS]
    assert slow.finishes_iteration
    assert (slow.advance().phase, slow.current.number) == ("discriminator", 1)
    assert not slow.finishes_iteration
    slow.reset()
    assert slow.current is None and slow.advance().number == 1


def test_slow_motion_reads_the_loss_live():
    config = GanConfig()
    slow = SlowMotion(config)
    for _ in range(3):
        step = slow.advance()
    assert "log loss" in step.caption
    config.loss = "least_squares"
    assert "least squares" in slow.current.caption


def test_slow_motion_skips_a_phase_with_no_steps():
    config = GanConfig(k_discriminator=0)
    slow = SlowMotion(config)
    assert [slow.advance().phase for _ in range(6)] == ["generator"] * 6
    config.update({"k_discriminator": 2, "k_generator": 0})
    slow.reset()
    phases = [slow.advance() for _ in range(5)]
    assert [s.phase for s in phases] == ["discriminator"] * 5 and slow.finishes_iteration
    assert slow.advance().number == 1


def test_every_component_and_setting_has_an_explanation():
    assert set(COMPONENT_TOPICS) == set(COMPONENTS)
    assert set(SETTING_TOPICS) == set(EFFECTS)
    for topic in [*COMPONENT_TOPICS.values(), *SETTING_TOPICS.values()]:
        assert topic in EXPLANATIONS
    for name in ("real", "fake", "generator", "discriminator", "heatmap", "gradients", "manifold"):
        assert name in EXPLANATIONS
    assert {"loss_charts", "divergences", "slow_motion"} <= set(EXPLANATIONS)


def test_explanations_are_short():
    for topic, text in EXPLANATIONS.items():
        sentences = text.count(". ") + 1
        assert 1 <= sentences <= 3, topic
        assert "**" in text, topic  # each names its subject in bold


def test_explain_resolves_topics_components_and_settings():
    assert explain("discriminator") == EXPLANATIONS["discriminator"]
    assert explain("generator_learning_rate") == EXPLANATIONS["learning_rate"]
    assert explain("fake-predictions") == EXPLANATIONS["predictions"]
    with pytest.raises(KeyError, match="no explanation"):
        explain("flux capacitor")
