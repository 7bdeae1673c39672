"""The drawing surface: strokes become points, Apply hands them over, an empty drawing is refused."""

from __future__ import annotations

import numpy as np
from bokeh.models import FreehandDrawTool

from ganlab_panel.views.drawing import EMPTY_MESSAGE, DrawingSurface


def draw(surface, strokes):
    """Set the strokes as Bokeh's FreehandDrawTool leaves them: one list of x and one of y per stroke."""
    surface.stroke_source.data = {
        "xs": [[x for x, _ in s] for s in strokes],
        "ys": [[y for _, y in s] for s in strokes],
    }


def click(button):
    button.clicks += 1


def test_the_pen_is_active_without_a_toolbar_and_draws_strokes():
    surface = DrawingSurface()
    pen = surface.figure.toolbar.active_drag
    assert isinstance(pen, FreehandDrawTool)
    assert [r.name for r in pen.renderers] == ["strokes"]
    assert surface.figure.toolbar_location is None


def test_buttons_have_visible_text():
    surface = DrawingSurface()
    assert surface.apply_button.label == "Apply" and surface.clear_button.label == "Clear"


def test_applying_an_empty_drawing_says_so_and_does_not_call_back():
    calls = []
    surface = DrawingSurface(on_apply=calls.append)
    click(surface.apply_button)
    assert calls == []
    assert surface.message.visible and surface.message.object == EMPTY_MESSAGE


def test_apply_hands_every_stroke_vertex_clipped_to_the_unit_square():
    calls = []
    surface = DrawingSurface(on_apply=calls.append)
    draw(surface, [[(0.1, 0.3), (0.2, 0.4)], [(0.5, 1.2), (-0.1, 0.5)]])
    click(surface.apply_button)
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], [[0.1, 0.3], [0.2, 0.4], [0.5, 1.0], [0.0, 0.5]])
    assert "4" in surface.message.object and surface.message.visible


def test_points_skips_empty_strokes_and_non_finite_vertices():
    surface = DrawingSurface()
    surface.stroke_source.data = {"xs": [[], [0.2, float("nan")], [0.3]], "ys": [[], [0.2, 0.5], [0.6]]}
    np.testing.assert_allclose(surface.points(), [[0.2, 0.2], [0.3, 0.6]])
    assert surface.points().dtype == float


def test_clear_removes_the_strokes():
    calls = []
    surface = DrawingSurface(on_apply=calls.append)
    draw(surface, [[(0.1, 0.1), (0.2, 0.2)]])
    click(surface.clear_button)
    assert surface.points().shape == (0, 2)
    click(surface.apply_button)
    assert calls == [] and surface.message.object == EMPTY_MESSAGE


def test_a_refusal_from_the_app_is_shown():
    def refuse(points):
        raise ValueError("points must lie in the unit square")

    surface = DrawingSurface(on_apply=refuse)
    draw(surface, [[(0.1, 0.1)]])
    click(surface.apply_button)
    assert surface.message.visible and "unit square" in surface.message.object


def test_the_guide_shows_the_current_real_samples_faintly(frame):
    surface = DrawingSurface()
    surface.update(frame)
    guide = surface.figure.select_one({"name": "drawing-guide"})
    np.testing.assert_allclose(guide.data_source.data["x"], frame.real[:, 0])
    assert guide.glyph.fill_alpha < 0.5
    surface.show_guide = False
    assert guide.visible is False
