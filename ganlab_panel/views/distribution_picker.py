"""Pick the real-data distribution from small pictures of each, as GAN Lab's data row does."""

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
BUTTON_WIDTH = 150

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


class DistributionPicker(pn.viewable.Viewer):
    """A picture and a button per distribution; clicking sets `value` (clicking the current one re-announces
    it, so the app can reload it or reopen the drawing). `value` also accepts 'points' (data from a file),
    which no button shows."""

    value = param.Selector(
        default="gaussians", objects=list(distributions.REGISTRY), doc="The chosen distribution's name"
    )

    def __init__(self, **params):
        super().__init__(**params)
        titles = distributions.titles()
        self.pictures: dict[str, pn.pane.HTML] = {}
        self.buttons: dict[str, pn.widgets.Button] = {}
        items = []
        for name in CHOICES:
            side = (BUTTON_WIDTH - PICTURE_SIZE) // 2  # centres the picture over its button
            self.pictures[name] = pn.pane.HTML(
                picture(name), width=PICTURE_SIZE, height=PICTURE_SIZE, margin=(6, side + 5, 6, side + 5)
            )
            button = pn.widgets.Button(label=titles[name], width=BUTTON_WIDTH, margin=(0, 5))
            button.on_click(lambda _event, name=name: self.choose(name))
            self.buttons[name] = button
            items.append(pn.Column(self.pictures[name], button))
        self._highlight()
        self.param.watch(lambda _event: self._highlight(), "value")
        self._layout = pn.FlexBox(*items, sizing_mode="stretch_width")  # wraps on narrow screens

    def __panel__(self):
        return self._layout

    def choose(self, name: str) -> None:
        """Select `name`; choosing the current one again triggers `value` watchers anyway."""
        if name == self.value:
            self.param.trigger("value")
        else:
            self.value = name

    def show_drawing(self, points) -> None:
        """Picture the user's drawing (after Apply) instead of the generic stroke."""
        self.pictures["drawing"].object = picture("drawing", points=points)

    def _highlight(self) -> None:
        for name, button in self.buttons.items():
            chosen = name == self.value
            button.color = "primary" if chosen else "default"
            self.pictures[name].styles = (
                {"outline": f"3px solid {ACCENT_COLOR}", "border-radius": "2px"} if chosen else {"outline": "none"}
            )
