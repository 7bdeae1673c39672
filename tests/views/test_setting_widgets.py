"""Settings widgets read each setting's label (its parameter's) and options, menu and step (its record)."""

from __future__ import annotations

from ganlab_panel.core.config import GanConfig
from ganlab_panel.core.settings import SETTING_GROUPS, SETTINGS
from ganlab_panel.engines.losses import LOSSES
from ganlab_panel.views.settings import setting_widget, show_value


def test_widgets_follow_the_parameters_and_records():
    config = GanConfig()
    for names in SETTING_GROUPS.values():
        for name in names:
            widget, setting = setting_widget(config, name), SETTINGS[name]
            assert widget.name == GanConfig.param[name].label
            if setting.options is not None:
                assert widget.options == {label: value for value, label in setting.options.items()}
            if setting.menu is not None:
                assert set(setting.menu) <= set(widget.options.values())
            elif hasattr(widget, "step") and isinstance(widget.step, float):
                assert widget.step == setting.slider_step


def test_the_loss_menu_lists_the_registry():
    assert list(setting_widget(GanConfig(), "loss").options) == [loss.title for loss in LOSSES.values()]


def test_a_value_off_the_menu_joins_it():
    widget = setting_widget(GanConfig(), "generator_learning_rate")
    show_value(widget, "generator_learning_rate", 0.02)
    assert widget.value == 0.02 and "0.02" in widget.options
