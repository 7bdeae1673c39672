"""Figure defaults shared by the views (their colours are render/colors.py's, shared with the PNG pictures)."""

from __future__ import annotations

from bokeh.models import Range1d
from bokeh.plotting import figure

WRAP_CHECKBOXES = ".bk-input-group { flex-wrap: wrap; column-gap: 10px; }"
"""A layered view's toggles in rows under its square, as many as fit."""


def unit_square_figure(size: int, **kwargs):
    """A square figure over [0, 1]^2 (y up) with no toolbar, axes or grid: a canvas for samples."""
    fig = figure(
        frame_width=size,
        frame_height=size,
        x_range=Range1d(0, 1, bounds=(0, 1)),
        y_range=Range1d(0, 1, bounds=(0, 1)),
        toolbar_location=None,
        tools="",
        min_border=4,
        background_fill_color="white",
        outline_line_color="#999999",
        x_axis_type=None,  # no axes or grids at all: hidden ones would still be models sent with every frame
        y_axis_type=None,
        **kwargs,
    )
    return fig
