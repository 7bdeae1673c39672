"""Every user setting, with its default, range, label and one-line doc; round trips through dicts, JSON and links.

`GanConfig` is the single source of truth for values: widgets, the URL, checkpoints and the CLI are views of it.
core/settings.py's SETTINGS says the rest of each setting, once: how a change applies, where it shows, who
carries it.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import numpy as np
import param

from ganlab_panel.core.distributions import REGISTRY, validate_points
from ganlab_panel.core.settings import SETTINGS, Effect
from ganlab_panel.engines.factory import TORCH_MISSING, torch_available
from ganlab_panel.engines.flow_base import ACTIVATIONS, SCHEDULES
from ganlab_panel.engines.losses import LOSSES

MAX_POINTS_TEXT = 16_000
"""Characters of points a link may hold (~1,200 drawn points): a longer query risks the server's header limit,
so a larger point set (a big CSV file) is left out of the link, which then says so when opened."""


class StepCount(param.Integer):
    """kD / kG: 0-10 each, but an iteration must do at least one step."""

    __slots__ = ["partner"]

    def __init__(self, *, partner: str, **kwargs):
        super().__init__(bounds=(0, 10), **kwargs)
        self.partner = partner

    def __set__(self, obj, val):
        if obj is not None and val == 0 and getattr(obj, self.partner, 1) == 0:
            raise ValueError(f"{self.name} and {self.partner} cannot both be 0: an iteration needs at least one step")
        super().__set__(obj, val)


class LearningRate(param.Number):
    """Any finite positive number; widgets offer GAN Lab's LEARNING_RATES."""

    def __init__(self, default: float = 0.1, **kwargs):
        super().__init__(default=default, bounds=(0, None), inclusive_bounds=(False, True), **kwargs)

    def _validate_value(self, value, allow_None):
        super()._validate_value(value, allow_None)
        if not np.isfinite(value):
            raise ValueError(f"{self.name} must be finite, not {value}")


class GanConfig(param.Parameterized):
    """All settings of one experiment: a GAN (GAN Lab's hyperparameters and a few of ours) or a flow (the
    flow_* settings). A label says what a setting is where its card (Generator, Discriminator) says whose it
    is; a setting of the model not trained does nothing (core/settings.py: Setting.model)."""

    model = param.Selector(
        label="Model",
        default="gan",
        objects=["gan", "flow"],
        doc="What learns the data: a GAN, or a flow (flow matching: a velocity field carrying noise to data).",
    )
    distribution = param.Selector(
        label="Distribution", default="gaussians", objects=list(REGISTRY), doc="Real-data distribution to learn."
    )
    points = param.List(
        label="Points", default=[], item_type=list, doc="Points of a drawn or loaded distribution, as [x, y] pairs."
    )
    noise_dim = param.Selector(
        label="Noise dimensions", default=2, objects=[1, 2], doc="Dimensions of the generator's noise input."
    )
    noise_type = param.Selector(
        label="Noise distribution",
        default="uniform",
        objects=["uniform", "gaussian"],
        doc="Noise distribution: uniform on [0, 1] or truncated gaussian (mean 0.5, std 0.25).",
    )
    generator_layers = param.Integer(
        label="Hidden layers", default=1, bounds=(0, 5), doc="Hidden layers of the generator."
    )
    generator_neurons = param.Integer(
        label="Neurons per layer", default=8, bounds=(1, 100), doc="Neurons per generator hidden layer."
    )
    discriminator_layers = param.Integer(
        label="Hidden layers", default=1, bounds=(0, 5), doc="Hidden layers of the discriminator."
    )
    discriminator_neurons = param.Integer(
        label="Neurons per layer", default=8, bounds=(1, 100), doc="Neurons per discriminator hidden layer."
    )
    pack = param.Integer(
        label="Packing (PacGAN): samples per D input",
        default=1,
        bounds=(1, 4),
        doc="PacGAN packing: samples the discriminator judges together, concatenated.",
    )
    generator_optimizer = param.Selector(
        label="Optimizer", default="sgd", objects=["sgd", "adam"], doc="Generator optimizer."
    )
    discriminator_optimizer = param.Selector(
        label="Optimizer", default="sgd", objects=["sgd", "adam"], doc="Discriminator optimizer."
    )
    generator_learning_rate = LearningRate(label="Learning rate", doc="Generator learning rate (any finite value > 0).")
    discriminator_learning_rate = LearningRate(
        label="Learning rate", doc="Discriminator learning rate (any finite value > 0)."
    )
    adam_beta1 = param.Number(
        label="Adam beta1",
        default=0.9,
        bounds=(0.0, 0.999),
        doc="Adam's beta1, the decay of its gradient average (WGAN-GP uses 0.5).",
    )
    adam_beta2 = param.Number(
        label="Adam beta2",
        default=0.999,
        bounds=(0.0, 0.999),
        doc="Adam's beta2, the decay of its squared-gradient average (WGAN-GP: 0.9).",
    )
    loss = param.Selector(
        label="Loss function",
        default="log",
        objects=list(LOSSES),
        doc="GAN loss: what D and G each minimise (GAN Lab's is log loss, non-saturating).",
    )
    gp_weight = param.Number(
        label="WGAN-GP penalty weight (lambda)",
        default=10.0,
        bounds=(0.0, 1000.0),
        doc="WGAN-GP's penalty weight lambda: 10 in its paper, 0.1 in its authors' toy code, 0 turns it off.",
    )
    real_label = param.Number(
        label="Real label (1 = no smoothing)",
        default=0.95,
        bounds=(0.5, 1.0),
        doc="Target for real samples in D's log loss: 1 is none, GAN Lab's 0.95 is one-sided label smoothing.",
    )
    k_discriminator = StepCount(
        label="kD: discriminator steps per iteration",
        default=2,
        partner="k_generator",
        doc="Discriminator steps per iteration (kD).",
    )
    k_generator = StepCount(
        label="kG: generator steps per iteration",
        default=1,
        partner="k_discriminator",
        doc="Generator steps per iteration (kG).",
    )
    batch_size = param.Integer(label="Batch size", default=150, bounds=(1, 2000), doc="Samples per training batch.")
    seed = param.Integer(
        label="Random seed", default=0, bounds=(0, 2**31 - 1), doc="Random seed for weights, data and noise."
    )
    flow_source = param.Selector(
        label="Source distribution",
        default="gaussian",
        objects=["gaussian", "uniform"],
        doc="Where the flow starts at t = 0: a gaussian (mean 0.5, std 0.25) or uniform over the square.",
    )
    flow_layers = param.Integer(
        label="Hidden layers", default=3, bounds=(1, 5), doc="Hidden layers of the flow's velocity network."
    )
    flow_neurons = param.Integer(
        label="Neurons per layer", default=64, bounds=(1, 256), doc="Neurons per velocity-network hidden layer."
    )
    flow_activation = param.Selector(
        label="Activation",
        default="silu",
        objects=list(ACTIVATIONS),
        doc="The velocity network's activation: SiLU (smooth, so is the field's divergence), ReLU or tanh.",
    )
    flow_optimizer = param.Selector(
        label="Optimizer", default="adam", objects=["adam", "sgd"], doc="The velocity network's optimizer."
    )
    flow_learning_rate = LearningRate(
        default=0.01, label="Learning rate", doc="The velocity network's learning rate (any finite value > 0)."
    )
    flow_schedule = param.Selector(
        label="Learning-rate schedule",
        default="cosine",
        objects=list(SCHEDULES),
        doc="Cosine: the rate decays to 1% of itself over the decay iterations, then stays; constant: it stays.",
    )
    flow_decay_iterations = param.Integer(
        label="Decay iterations",
        default=16_000,
        bounds=(1, 10_000_000),
        doc="Iterations over which the cosine schedule decays the learning rate.",
    )
    flow_batch_size = param.Integer(
        label="Batch size", default=256, bounds=(1, 2000), doc="(source, data) pairs per flow training batch."
    )
    flow_steps = param.Integer(
        label="Sampling steps", default=20, bounds=(1, 200), doc="ODE steps from t = 0 to 1 when sampling."
    )
    flow_method = param.Selector(
        label="Sampling method",
        default="midpoint",
        objects=["midpoint", "euler"],
        doc="ODE solver for sampling and density: midpoint (two velocity evaluations a step) or Euler (one).",
    )
    flow_time = param.Number(
        label="Time t",
        default=1.0,
        bounds=(0.0, 1.0),
        doc="The moment shown: samples carried from the source (t = 0) towards the data (t = 1), field, density.",
    )
    flow_heatmap = param.Selector(
        label="Heatmap",
        default="density",
        objects=["density", "speed", "none"],
        doc="What the flow's heatmap shows at time t: the model's log-density, the speed |v|, or nothing.",
    )
    engine = param.Selector(
        label="Engine",
        default="auto",
        objects=["auto", "torch", "numpy"],
        doc="Training engine: torch, NumPy, or auto (the faster for these networks, NumPy at GAN Lab's sizes).",
    )
    device = param.String(
        label="Device", default="cpu", doc="Torch device, e.g. 'cpu' or 'cuda' (the NumPy engine runs on the CPU)."
    )
    heatmap_resolution = param.Integer(
        label="Heatmap resolution", default=30, bounds=(2, 200), doc="Cells per side of the discriminator heatmap."
    )

    def __init__(self, **params):
        # settings given here are checked as update() checks them: one ValueError naming the setting and its range
        settings = {k: params.pop(k) for k in list(params) if k != "name"}
        super().__init__(**params)
        if settings:
            self.update(settings)

    @param.depends("points", watch=True, on_init=True)
    def _check_points(self):
        if self.points:
            validate_points(self.points, "points")

    def to_dict(self) -> dict:
        """All settings as a plain, JSON-ready dict."""
        return {name: _plain(getattr(self, name)) for name in EFFECTS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_query(self) -> str:
        """A link's query: the settings links carry (Setting.linked) that differ from their defaults. Points
        beyond MAX_POINTS_TEXT characters are left out: opening the link says they are missing."""
        default = GanConfig.defaults()
        query = []
        for name, value in self.to_dict().items():
            if SETTINGS[name].linked and value != default[name]:
                text = _to_text(name, value)
                if name != "points" or len(text) <= MAX_POINTS_TEXT:
                    query.append((name, text))
        return urlencode(query)

    def update(self, values: dict) -> None:
        """Validate every value first, then apply them together (nothing changes on a bad value)."""
        checked = check(values, current=self)
        # kD/kG are checked as a pair, so set them in an order that never passes through (0, 0).
        order = sorted(checked, key=lambda k: k in ("k_discriminator", "k_generator") and checked[k] == 0)
        with param.parameterized.batch_call_watchers(self):
            for name in order:
                setattr(self, name, checked[name])

    @classmethod
    def defaults(cls) -> dict:
        return cls().to_dict()

    @classmethod
    def from_dict(cls, values: dict) -> GanConfig:
        """A config from a (possibly partial) dict; unknown keys and bad values raise ValueError."""
        config = cls()
        config.update(values)
        return config

    @classmethod
    def from_json(cls, text: str) -> GanConfig:
        try:
            values = json.loads(text)
        except (ValueError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
            raise ValueError(f"settings are not valid JSON: {error}") from None
        if not isinstance(values, dict):
            raise ValueError("settings JSON must be an object of setting names to values")
        return cls.from_dict(values)

    @classmethod
    def from_query(cls, query: str) -> GanConfig:
        return cls.from_dict(parse_query(query))


EFFECTS: dict[str, Effect] = {name: SETTINGS[name].effect for name in GanConfig.param if name != "name"}
"""How each setting applies (SETTINGS' effects), in GanConfig's order: that of dicts, JSON and links."""

REBUILD_SETTINGS = tuple(k for k, v in EFFECTS.items() if v is Effect.REBUILD)
LIVE_SETTINGS = tuple(k for k, v in EFFECTS.items() if v is Effect.LIVE)


def allowed(name: str) -> str:
    """Human description of a setting's allowed values, for error messages and tooltips."""
    p = GanConfig.param[name]
    if isinstance(p, param.Selector):
        return "one of " + ", ".join(repr(o) for o in p.objects)
    if isinstance(p, param.Number):  # Integer is a Number
        low, high = p.bounds
        kind = "an integer" if isinstance(p, param.Integer) else "a number"
        lo_op = ">=" if p.inclusive_bounds[0] else ">"
        if high is None:
            return f"a finite number {lo_op} {low}" if isinstance(p, LearningRate) else f"{kind} {lo_op} {low}"
        return f"{kind} from {low} to {high}"
    if isinstance(p, param.List):
        return "a list of [x, y] pairs of finite numbers"
    return "a string"


def check(values: dict, current: GanConfig | None = None) -> dict:
    """Validate a dict of settings (to be applied over `current`), returning them coerced; raise
    ValueError naming the first bad setting and its allowed range. Nothing is applied."""
    if not isinstance(values, dict):
        raise ValueError("settings must be a mapping of setting names to values")
    unknown = sorted(set(values) - set(EFFECTS), key=str)
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(map(str, unknown))}; known: {', '.join(EFFECTS)}")
    checked = {}
    for name, value in values.items():
        try:
            value = _coerce(name, value)
            GanConfig.param[name]._validate(value)
            if name == "points" and value:
                validate_points(value, "points")
        except (ValueError, TypeError, OverflowError) as error:  # OverflowError: float(10**400)
            detail = f" ({error})" if name == "points" else ""
            raise ValueError(f"{name}: got {_shown(value)}, expected {allowed(name)}{detail}") from None
        checked[name] = value
    base = current if current is not None else GanConfig
    merged = {**{k: getattr(base, k) for k in ("k_discriminator", "k_generator")}, **checked}
    if merged["k_discriminator"] == 0 and merged["k_generator"] == 0:
        raise ValueError("k_discriminator and k_generator cannot both be 0: an iteration needs a step")
    if checked.get("engine") == "torch" and not torch_available():
        raise ValueError(f"engine: {TORCH_MISSING}")
    engine, device = (checked.get(k, getattr(base, k)) for k in ("engine", "device"))
    if engine == "numpy" and device != "cpu":
        raise ValueError(f"engine 'numpy' runs on the CPU only, not on device {device!r}: choose engine 'torch'")
    return checked


def _coerce(name: str, value):
    """Accept what JSON and hand-written dicts naturally give (2 for 2.0, 2.0 for 2, [[x, y]])."""
    p = GanConfig.param[name]
    if isinstance(p, param.Number) and isinstance(value, bool):  # param takes True for 1; a file means a number
        raise TypeError(f"{name} is a number, not {value}")
    if isinstance(p, param.Integer) and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(p, param.Number) and not isinstance(p, param.Integer) and isinstance(value, int):
        return float(value)
    if name == "points" and isinstance(value, (list, tuple, np.ndarray)):
        try:
            return [[float(x), float(y)] for x, y in value]
        except (TypeError, ValueError, OverflowError):
            return value
    return value


def _shown(value, limit: int = 80) -> str:
    """A value for a one-line message: a 10,000-digit number or a megabyte of text is cut short."""
    try:
        text = repr(value)
    except ValueError:  # it holds an int too long to print
        text = "a value too long to print"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(value):
    return [list(map(float, p)) for p in value] if isinstance(value, list) else value


def _to_text(name: str, value) -> str:
    if name == "points":  # repr is the shortest text that reads back as the same float: exact, and brief
        return ";".join(f"{x!r},{y!r}" for x, y in value)
    return str(value)


def parse_query(query: str) -> dict:
    """Turn a URL query string into typed setting values (validation happens in `check`); points read in
    either format links have had (repr, or 4 significant digits)."""
    values = {}
    for name, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        values[name] = _from_text(name, text)
    return values


def _from_text(name: str, text: str):
    p = GanConfig.param[name] if name in EFFECTS else None
    try:
        if name == "points":
            return [[float(v) for v in pair.split(",")] for pair in text.split(";") if pair]
        if isinstance(p, param.Selector):
            for option in p.objects:  # typed options, e.g. noise_dim 1/2
                if str(option) == text:
                    return option
            return text
        if isinstance(p, param.Integer):
            return int(text)
        if isinstance(p, param.Number):
            return float(text)
    except ValueError:
        raise ValueError(f"{name}: got {_shown(text)}, expected {allowed(name)}") from None
    return text
