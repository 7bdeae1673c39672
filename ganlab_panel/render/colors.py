"""GAN Lab's colours as plain hex strings (real = green, fake = purple), for the views and for pictures.

No Bokeh here: the heatmap palette is Bokeh's `interp_palette(PRGn[11][::-1], 256)` computed the same way,
so a picture drawn without Bokeh shades the heatmap exactly as the page does.
"""

from __future__ import annotations

import numpy as np

REAL_COLOR = "#1b7837"  # PRGn's dark green
FAKE_COLOR = "#7b3294"  # GAN Lab's generated-sample purple
DISCRIMINATOR_COLOR = "#2c7fb8"  # blue, as the discriminator phase's data-flow edges
GENERATOR_COLOR = FAKE_COLOR  # purple, as the generator phase's
HEATMAP_NAN_COLOR = "#808080"  # Bokeh's colour mapper draws NaN grey

PRGN_11 = ("#00441b", "#1b7837", "#5aae61", "#a6dba0", "#d9f0d3", "#f7f7f7")
PRGN_11 += ("#e7d4e8", "#c2a5cf", "#9970ab", "#762a83", "#40004b")
"""ColorBrewer's 11-class PRGn as Bokeh lists it: dark green to dark purple."""


def interpolate(colors: tuple[str, ...], n: int) -> tuple[str, ...]:
    """`n` colours evenly along `colors`, each channel interpolated linearly and truncated, as Bokeh's
    interp_palette does."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=float)
    at = np.linspace(0, len(colors) - 1, n)
    channels = [np.interp(at, np.arange(len(colors)), rgb[:, k]).astype(np.uint8) for k in range(3)]
    return tuple("#{:02x}{:02x}{:02x}".format(*map(int, c)) for c in zip(*channels, strict=True))


# Reversed, low D(x) (fake) is purple and high (real) is green.
HEATMAP_PALETTE = interpolate(PRGN_11[::-1], 256)


def rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of a '#rrggbb' colour."""
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


# A flow's heatmaps: the density in the light part of PRGn's purple half (white to a lilac, where samples go: lighter
# than the samples' purple, which stays visible on it), the speed in ColorBrewer's YlOrBr (pale still, brown
# fast); 256 colours each, low to high.
DENSITY_PALETTE = interpolate(PRGN_11[5:9], 256)
SPEED_PALETTE = interpolate(
    ("#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#993404"), 256
)
FIELD_COLOR = "#404040"  # the velocity arrows: dark grey, apart from both samples' colours
