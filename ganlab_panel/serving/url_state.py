"""The experiment in the page's URL: a link restores its settings and layers; each change updates the link.

Only settings that differ from their defaults are written (GanConfig.to_query), so a link is short and still
exact (GanConfig fixes the defaults). Settings that are not `linked` (core/settings.py: engine, device,
heatmap_resolution) stay out: the server chooses them, and the page offers no control for them. Outside a
served session (a notebook) there is no URL: nothing happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import panel as pn

from ganlab_panel.core.config import GanConfig, _shown, parse_query
from ganlab_panel.core.distributions import REGISTRY
from ganlab_panel.core.settings import LINKED_SETTINGS, SETTINGS
from ganlab_panel.views.flow_layered import FLOW_LAYERS, FlowLayeredView
from ganlab_panel.views.layered import LAYERS, LayeredView

LAYER_DEFAULTS = {toggle: LayeredView.param[toggle].default for toggle in LAYERS}
FLOW_LAYER_DEFAULTS = {toggle: FlowLayeredView.param[toggle].default for toggle in FLOW_LAYERS}
LINKED_LAYERS = {**LAYER_DEFAULTS, **FLOW_LAYER_DEFAULTS}
"""Every layer toggle a link may hold: a GAN's, a flow's (show_heatmap and show_real are both's)."""
MAX_SHOWN = 8
"""Ignored values listed one by one in the notice; more are counted."""
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass
class Link:
    """What a URL query asks for: the valid settings and layer toggles, and why the rest was ignored."""

    settings: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    restores: bool = False  # the query names at least one setting or layer, so it opens a fresh experiment


def read_link(query: str, current: GanConfig | None = None) -> Link:
    """Each value of `query` checked on its own (over `current`, else the defaults): a bad one is ignored, with
    a message naming the setting and what it accepts, and the others are kept."""
    link = Link()
    trial = GanConfig.from_dict(current.to_dict()) if current is not None else GanConfig()
    for name, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if name in LINKED_LAYERS:
            link.restores = True
            if text.lower() in _TRUE + _FALSE:
                link.layers[name] = text.lower() in _TRUE
            else:
                link.ignored.append(f"{name}: got {_shown(text)}, expected true or false")
        elif name in LINKED_SETTINGS:
            link.restores = True
            try:
                value = parse_query(urlencode([(name, text)]))[name]
                trial.update({name: value})  # checked with those before it: kD and kG cannot both be 0
            except ValueError as error:
                link.ignored.append(str(error))
                continue
            link.settings[name] = getattr(trial, name)
        else:
            link.ignored.append(f"{_shown(name)}: not a setting of this page")
    if REGISTRY[trial.distribution].needs_points and not trial.points:
        what = link.settings.pop("distribution", trial.distribution)
        link.settings.pop("points", None)
        link.ignored.append(f"distribution: {what!r} needs its points, which this link does not hold")
    return link


def link_query(config: GanConfig, layers: dict[str, bool], defaults: dict[str, bool] = LAYER_DEFAULTS) -> str:
    """The query of a link to this experiment: its settings (GanConfig.to_query) and layers that differ from
    their `defaults` (a GAN view's, or FLOW_LAYER_DEFAULTS)."""
    toggles = urlencode([(t, str(shown).lower()) for t, shown in layers.items() if shown != defaults[t]])
    return "&".join(part for part in (config.to_query(), toggles) if part)


SIDES = ("a.", "b.")
"""A compare link's prefixes of the settings of side A or B alone (the others are both sides')."""


def compare_query(config: GanConfig) -> str:
    """The /compare query that opens a GAN (side A) beside a flow (side B) on this experiment's data and seed,
    each with this experiment's settings of its model (a page keeps both models' settings, whichever it shows)."""
    shared, sides = [], {"gan": [("a.model", "gan")], "flow": [("b.model", "flow")]}
    for name, text in parse_qsl(config.to_query(), keep_blank_values=True):
        model = SETTINGS[name].model
        if model is not None:
            sides[model].append((f"{'a' if model == 'gan' else 'b'}.{name}", text))
        elif name != "model":
            shared.append((name, text))
    return urlencode(shared + sides["gan"] + sides["flow"])


def read_compare_link(query: str) -> tuple[dict, dict, dict, list[str]]:
    """(both sides' settings, A's, B's, why the rest was ignored) of a /compare query: `name=value` sets both
    sides, `a.name=value` and `b.name=value` one; each value is checked as read_link checks a page's."""
    groups: dict[str, list] = {"": [], **{side: [] for side in SIDES}}
    for name, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        side = name[:2] if name[:2] in SIDES else ""
        groups[side].append((name[len(side) :], text))
    shared = read_link(urlencode(groups[""]))
    ignored = list(shared.ignored)
    own = []
    for side in SIDES:
        link = read_link(urlencode(groups[side]), GanConfig(**shared.settings))
        own.append(link.settings)
        ignored += [f"{side}{text}" for text in link.ignored]
    return shared.settings, own[0], own[1], ignored


def ignored_message(ignored: list[str]) -> str:
    """The notice for values a link held that were not used (each shown literally: a link is anyone's text)."""
    lines = [f"- {_literal(text)}" for text in ignored[:MAX_SHOWN]]
    if len(ignored) > MAX_SHOWN:
        lines.append(f"- and {len(ignored) - MAX_SHOWN} more")
    return "**Ignored from the link** (the defaults are used for these):\n\n" + "\n".join(lines)


def _literal(text: str) -> str:
    # Markdown reads a backslash-escaped punctuation mark as itself: no HTML, link or emphasis from a link's text
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def served_location():
    """This browser session's pn.state.location, or None outside a served session."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return None
    return pn.state.location


COPY_JS = """
const url = window.location.href
const say = (text) => {
  source.label = text
  setTimeout(() => { source.label = 'Copy link' }, 2000)
}
const fallback = () => {  // plain http on a classroom network has no navigator.clipboard
  const area = document.createElement('textarea')
  area.value = url
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  let copied = false
  try { copied = document.execCommand('copy') } catch (error) {}
  area.remove()
  if (copied) say('Link copied')
  else window.prompt('Copy this link:', url)
}
if (navigator.clipboard && window.isSecureContext)
  navigator.clipboard.writeText(url).then(() => say('Link copied'), fallback)
else
  fallback()
"""


class UrlState:
    """Binds one experiment (its config and the layered view's toggles: a GAN's, and a flow's once there is
    one, add_flow_view) to the page URL of its session."""

    def __init__(self, config: GanConfig, layered: LayeredView, notify=None, warn=None, location=None):
        self.config = config
        self.layered = layered
        self.flow_layered: FlowLayeredView | None = None
        self.location = location if location is not None else served_location()
        self.link = Link()
        self._quiet = False
        self.copy_button = pn.widgets.Button(
            label="Copy link", css_classes=["copy-link"], width=110, visible=self.location is not None
        )
        self.copy_button.js_on_click(code=COPY_JS)
        if self.location is None:
            return
        self.link = read_link(self.location.search, config)
        if self.link.settings:
            config.update(self.link.settings)
        if self.link.layers:
            layered.param.update({name: shown for name, shown in self.link.layers.items() if name in LAYERS})
        if self.link.ignored and warn is not None:
            warn(ignored_message(self.link.ignored))
        elif self.link.restores and notify is not None:
            notify("Experiment opened from the link: iteration 0")
        config.param.watch(self._write, list(LINKED_SETTINGS))
        layered.param.watch(self._write, list(LAYERS))

    @property
    def restored(self) -> bool:
        """Whether the page was opened from a link with settings (then it starts at iteration 0)."""
        return self.link.restores

    def add_flow_view(self, view: FlowLayeredView) -> None:
        """The flow's layered view, built the first time the page shows a flow: a flow's link's layers apply to
        it, and while the page shows a flow, the link holds its toggles."""
        self.flow_layered = view
        if self.location is None:
            return
        if self.link.settings.get("model") == "flow":
            view.param.update({name: shown for name, shown in self.link.layers.items() if name in FLOW_LAYERS})
        view.param.watch(self._write, list(FLOW_LAYERS))

    def query(self) -> str:
        if self.config.model == "flow" and self.flow_layered is not None:
            toggles = {toggle: getattr(self.flow_layered, toggle) for toggle in FLOW_LAYERS}
            return link_query(self.config, toggles, FLOW_LAYER_DEFAULTS)
        return link_query(self.config, {toggle: getattr(self.layered, toggle) for toggle in LAYERS})

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Changes made in this block are not written to the address: a sweep of the flow's t writes its end
        once (`write()`), not 60 entries into the browser's history."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def write(self) -> None:
        """Write the experiment into the address now (nothing outside a served session)."""
        if self.location is not None:
            self._write()

    def _write(self, *_events) -> None:
        if self._quiet:
            return
        query = self.query()
        self.location.search = f"?{query}" if query else ""
