"""Colours and figure defaults shared by the views (GAN Lab's: real = green, fake = purple)."""

from __future__ import annotations

from bokeh.models import Range1d
from bokeh.palettes import PRGn, interp_palette
from bokeh.plotting import figure

REAL_COLOR = "#1b7837"  # PRGn's dark green
FAKE_COLOR = "#7b3294"  # GAN Lab's generated-sample purple
DISCRIMINATOR_COLOR = "#2c7fb8"  # blue, as the discriminator phase's data-flow edges
GENERATOR_COLOR = FAKE_COLOR  # purple, as the generator phase's
# Bokeh lists PRGn from green to purple; reversed, low D(x) (fake) is purple and high (real) is green.
HEATMAP_PALETTE = tuple(interp_palette(PRGn[11][::-1], 256))


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
