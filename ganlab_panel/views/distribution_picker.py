"""Pick the real-data distribution from a row of small pictures, as GAN Lab's top bar does."""

from __future__ import annotations

import numpy as np
import panel as pn
import param

from ganlab_panel.core import distributions
from ganlab_panel.render.colors import REAL_COLOR

ACCENT_COLOR = "#0072b5"  # as Panel's primary button
CHOICES = ("line", "gaussians", "ring", "disjoint", "ring8", "grid25", "moons", "spiral", "checkerboard", "drawing")
"""GAN Lab's four in its order, the benchmarks' and other shapes, then drawing ('points' come from a file)."""
PICTURE_SAMPLES = 300
PICTURE_SIZE = 84  # pixels

# A hand-drawn-looking stroke for the distribution the user draws.
_DRAWING_PATH = "M14,72 C22,30 38,18 50,42 S70,82 86,28"


def _svg(body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PICTURE_SIZE}" height="{PICTURE_SIZE}" '
        f'viewBox="0 0 100 100" role="img">'
        f'<rect x="0.5" y="0.5" width="99" height="99" fill="white" stroke="#cccccc"/>{body}</svg>'
    )


def picture(name: str, samples: int = PICTURE_SAMPLES, points=None) -> str:
    """An inline SVG scatter of `samples` draws of a distribution (y up); for 'drawing' and 'points' the
    given points' distribution, or a stroke when there are none yet."""
    info = distributions.REGISTRY[name]
    if info.needs_points and (points is None or len(points) == 0):
        return _svg(
            f'<path d="{_DRAWING_PATH}" fill="none" stroke="{REAL_COLOR}" stroke-width="4" stroke-linecap="round"'
            ' stroke-dasharray="1 7"/>'
        )
    drawn = np.clip(distributions.sample(name, samples, seed=0, points=points), 0, 1)
    dots = "".join(f'<circle cx="{100 * x:.1f}" cy="{100 - 100 * y:.1f}" r="1.4"/>' for x, y in drawn)
    return _svg(f'<g fill="{REAL_COLOR}" fill-opacity="0.8">{dots}</g>')


THUMB_SIZE = 40  # pixels: GAN Lab's row of small thumbnails, in the page's top bar
THUMB_SAMPLES = 120


def _thumb(name: str, title: str, svg: str) -> str:
    return (
        f'<button type="button" class="thumb" data-name="{name}" aria-label="{title}" title="{title}" '
        f'aria-pressed="false">{svg}</button>'
    )


_STYLE = (
    "<style>.thumbs{display:flex;gap:3px;align-items:center}"
    ".thumb{padding:1px;margin:0;border:2px solid transparent;border-radius:4px;background:white;cursor:pointer;"
    f"width:{THUMB_SIZE + 6}px;height:{THUMB_SIZE + 6}px;line-height:0}}"
    ".thumb:hover{border-color:#9cc3e0}.thumb:focus-visible{outline:2px solid #0072b5}"
    f".thumb[aria-pressed=true]{{border-color:{ACCENT_COLOR}}}"
    f".thumb svg{{width:{THUMB_SIZE}px;height:{THUMB_SIZE}px}}</style>"
)


class DistributionPicker(pn.reactive.ReactiveHTML):
    """GAN Lab's row of thumbnails, one button per distribution (its title is the button's name and tooltip);
    clicking sets `value` (clicking the current one re-announces it, so the app can reload it or reopen the
    drawing). `value` also accepts 'points' (data from a file), which no button shows. One Bokeh model for the
    whole row: a page with fewer models opens sooner."""

    value = param.Selector(
        default="gaussians", objects=list(distributions.REGISTRY), doc="The chosen distribution's name"
    )
    drawing = param.String(default="", doc="The drawing button's picture (SVG): the applied drawing, once there is one")
    picked = param.String(default="", doc="The page's last click: 'name#time' (a click on the same one changes it)")

    _child_config = {"drawing": "literal"}

    _template = (
        _STYLE
        + '<div id="row" class="thumbs" role="group" aria-label="Data distribution"><b style="margin: 0 4px">Data</b>'
        + "".join(
            _thumb(name, distributions.titles()[name], picture(name, THUMB_SAMPLES))
            for name in CHOICES
            if name != "drawing"
        )
        + '<button type="button" class="thumb" data-name="drawing" aria-label="{t}" title="{t}" aria-pressed="false">'
        '<span id="drawpic" style="line-height:0">${drawing}</span></button></div>'
    ).replace("{t}", distributions.titles()["drawing"])

    _scripts = {
        "render": """
        for (const b of row.querySelectorAll('button'))
          b.addEventListener('click', () => { data.picked = b.dataset.name + '#' + Date.now() })
        self.value()
        """,
        "value": """
        for (const b of row.querySelectorAll('button'))
          b.setAttribute('aria-pressed', String(b.dataset.name === data.value))
        """,
    }

    def __init__(self, **params):
        params.setdefault("drawing", picture("drawing", THUMB_SAMPLES))
        super().__init__(**params)
        self.param.watch(self._on_pick, "picked")

    def _on_pick(self, event) -> None:
        if event.new:
            self.choose(event.new.split("#", 1)[0])

    def choose(self, name: str) -> None:
        """Select `name`; choosing the current one again triggers `value` watchers anyway."""
        if name == self.value:
            self.param.trigger("value")
        else:
            self.value = name

    def show_drawing(self, points) -> None:
        """Picture the user's drawing (after Apply) instead of the generic stroke."""
        self.drawing = picture("drawing", THUMB_SAMPLES, points=points)
