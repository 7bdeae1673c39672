"""A canvas to draw a real-data distribution by hand (mouse or touch), applied through a callback."""

from __future__ import annotations

import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, FreehandDrawTool

from ganlab_panel.core.frame import Frame
from ganlab_panel.render.colors import REAL_COLOR
from ganlab_panel.views.style import unit_square_figure

EMPTY_MESSAGE = "Draw at least one stroke first"


class DrawingSurface(pn.viewable.Viewer):
    """A square over the unit square with a freehand pen; Apply hands every stroke vertex to `on_apply`."""

    on_apply = param.Callable(default=None, doc="Called with the (N, 2) drawn points when Apply is clicked")
    show_guide = param.Boolean(True, doc="Show the current real samples faintly under the drawing")
    size = param.Integer(360, bounds=(100, None), constant=True, doc="Side of the square canvas in pixels")

    def __init__(self, **params):
        super().__init__(**params)
        self.figure = fig = unit_square_figure(self.size)
        self.guide_source = ColumnDataSource({"x": [], "y": []})
        self.stroke_source = ColumnDataSource({"xs": [], "ys": []})
        self._guide = fig.scatter(
            "x", "y", source=self.guide_source, size=3, color=REAL_COLOR, alpha=0.15, name="drawing-guide"
        )
        strokes = fig.multi_line(
            "xs", "ys", source=self.stroke_source, line_width=3, color=REAL_COLOR, line_cap="round", name="strokes"
        )
        # One point per pointer-move event, as GAN Lab's canvas; Bokeh's pan events cover touch too.
        self.pen = FreehandDrawTool(renderers=[strokes], num_objects=0)
        fig.add_tools(self.pen)
        fig.toolbar.active_drag = self.pen
        fig.toolbar.active_tap = self.pen
        self.apply_button = pn.widgets.Button(label="Apply", color="primary", width=90)
        self.clear_button = pn.widgets.Button(label="Clear", width=90)
        # clicks arrive without the document lock: hold so the direct Bokeh changes are dispatched safely
        self.apply_button.on_click(lambda _event: _held(self.apply))
        self.clear_button.on_click(lambda _event: _held(self.clear))
        self.message = pn.pane.Alert("", alert_type="warning", visible=False, margin=(5, 5))
        self._real: np.ndarray | None = None
        self._sync_guide()
        self.param.watch(lambda _event: self._sync_guide(), "show_guide")
        hint = pn.pane.Markdown("Draw with the mouse or a finger: each stroke adds points.", margin=(0, 5))
        self._layout = pn.Column(hint, pn.pane.Bokeh(fig), pn.Row(self.apply_button, self.clear_button), self.message)

    def __panel__(self):
        return self._layout

    def points(self) -> np.ndarray:
        """Every stroke vertex as a float (N, 2) array, clipped to the unit square; (0, 2) when empty."""
        data = self.stroke_source.data
        strokes = [
            np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
            for xs, ys in zip(data.get("xs", []), data.get("ys", []), strict=False)
            if len(xs) and len(xs) == len(ys)
        ]
        if not strokes:
            return np.empty((0, 2))
        points = np.concatenate(strokes)
        return np.clip(points[np.isfinite(points).all(axis=1)], 0, 1)

    def apply(self) -> None:
        """Hand the drawing to `on_apply`, or say why not."""
        points = self.points()
        if len(points) == 0:
            self._say(EMPTY_MESSAGE, "warning")
            return
        if self.on_apply is None:
            return
        try:
            self.on_apply(points)
        except ValueError as error:  # the app refused the points: show its reason
            self._say(str(error), "danger")
            return
        self._say(f"Applied {len(points)} drawn points", "success")

    def clear(self) -> None:
        """Remove every stroke."""
        self.stroke_source.data = {"xs": [], "ys": []}
        self.message.visible = False

    def update(self, frame: Frame) -> None:
        """Keep the faint guide on the current real samples (resent only when they change)."""
        if self._real is not None and np.array_equal(self._real, frame.real):
            return
        self._real = frame.real
        self._sync_guide()

    def _sync_guide(self) -> None:
        self._guide.visible = self.show_guide
        if self.show_guide and self._real is not None:
            self.guide_source.data = {"x": self._real[:, 0], "y": self._real[:, 1]}

    def _say(self, text: str, kind: str) -> None:
        self.message.object = text
        self.message.alert_type = kind
        self.message.visible = True


def _held(action) -> None:
    with pn.io.hold():
        action()
