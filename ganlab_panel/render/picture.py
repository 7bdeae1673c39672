"""A picture of the layered view: a Frame drawn with Pillow, as the page draws it, for downloads; a flow's
FlowFrame likewise.

Layers stack as in the view (a GAN's: heatmap, real samples, gradients, fake samples, manifold; a flow's:
heatmap, carried grid, real samples, trajectories, velocity arrows, samples) with its colours, opacities and
sizes (the view's square is 400 px; marks scale with `size`). Shapes are drawn at twice the size and shrunk,
which smooths their edges. The unit square's y axis points up.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from PIL import Image, ImageDraw, ImageFont, features

from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.core.frame import Frame
from ganlab_panel.render.colors import (
    DENSITY_PALETTE,
    FAKE_COLOR,
    FIELD_COLOR,
    HEATMAP_NAN_COLOR,
    HEATMAP_PALETTE,
    REAL_COLOR,
    SPEED_PALETTE,
    rgb,
)
from ganlab_panel.render.layers import (
    ARROW_SCALE,
    DEFAULT_LAYERS,
    FIELD_ARROW_TIME,
    FLOW_DEFAULT_LAYERS,
    cell_alpha,
    check_flow_layers,
    check_layers,
    field_arrows,
    flow_heatmap,
    gradient_arrows,
    manifold_cells,
)

VIEW_SIZE = 400
"""The page's square in pixels: marks keep their size relative to it."""
SUPERSAMPLE = 2
OUTLINE_COLOR = "#999999"
HEATMAP_ALPHA = 0.75
REAL_ALPHA = 0.8
GRADIENT_ALPHA = 0.55
MANIFOLD_LINE_ALPHA = 0.6
DOT_SIZE = 4  # diameter at VIEW_SIZE, as the view's scatter markers
ARROW_WIDTH = 1.2
MANIFOLD_LINE_WIDTH = 0.6
FIELD_ALPHA = 0.6
FIELD_HEAD = 1.5  # a velocity arrow's head, half its length at VIEW_SIZE (a gradient's: DOT_SIZE / 2)
PATH_ALPHA = 0.55  # a trajectory up to the frame's time
PATH_AHEAD_ALPHA = 0.18  # and on from it to t = 1
PATH_WIDTH = 0.8
CAPTION_FRACTION = 0.06
"""The caption strip's height as a fraction of the square's side."""

_PALETTE = np.array([rgb(c) for c in HEATMAP_PALETTE], dtype=np.float32)
_FLOW_PALETTES = {
    "density": np.array([rgb(c) for c in DENSITY_PALETTE], dtype=np.float32),
    "speed": np.array([rgb(c) for c in SPEED_PALETTE], dtype=np.float32),
}
_NAN = np.array(rgb(HEATMAP_NAN_COLOR), dtype=np.float32)
_WHITE = (255, 255, 255)


def caption_height(size: int) -> int:
    """Pixels the 'Iteration N' strip adds below a square of `size`."""
    return max(12, round(size * CAPTION_FRACTION))


def render(
    frame: Frame | FlowFrame,
    layers: Collection[str] | None = None,
    size: int = 480,
    arrow_scale: float = ARROW_SCALE,
    caption: bool = True,
    field_time: float = FIELD_ARROW_TIME,
) -> Image.Image:
    """An RGB picture of `frame`'s layered view: `size` pixels square, plus a strip reading 'Iteration N'
    below it when `caption` (a flow's: 'Iteration N, t = T'). `layers` names the view's toggles to show (e.g.
    'show_heatmap'; layers.LAYER_NAMES, or a flow's layers.FLOW_LAYER_NAMES), by default those the view opens
    with. `arrow_scale` sizes a GAN's gradient arrows, `field_time` a flow's velocity arrows."""
    if size < 16:
        raise ValueError(f"a picture needs at least 16 pixels a side, got {size}")
    if isinstance(frame, FlowFrame):
        square = _flow_square(
            frame, check_flow_layers(FLOW_DEFAULT_LAYERS if layers is None else layers), size, field_time
        )
    else:
        square = _gan_square(frame, check_layers(DEFAULT_LAYERS if layers is None else layers), size, arrow_scale)
    ImageDraw.Draw(square).rectangle((0, 0, size - 1, size - 1), outline=OUTLINE_COLOR)
    return _with_caption(square, frame) if caption else square


def _gan_square(frame: Frame, layers: frozenset[str], size: int, arrow_scale: float) -> Image.Image:
    big = size * SUPERSAMPLE
    canvas = _heatmap(frame.heatmap, big) if "show_heatmap" in layers else Image.new("RGB", (big, big), _WHITE)
    painter = _Painter(canvas, big / VIEW_SIZE)
    if "show_real" in layers:
        painter.dots(frame.real, REAL_COLOR, REAL_ALPHA)
    if "show_gradients" in layers:
        painter.arrows(*gradient_arrows(frame.fake, frame.gradients, arrow_scale))
    if "show_fake" in layers:
        painter.dots(frame.fake, FAKE_COLOR, 1.0)
    if "show_manifold" in layers:
        painter.manifold(np.asarray(frame.manifold, dtype=np.float32), np.asarray(frame.manifold_stretch))
    return canvas.resize((size, size), Image.Resampling.BOX)  # BOX averages each 2x2 block: plain supersampling


def _flow_square(frame: FlowFrame, layers: frozenset[str], size: int, field_time: float) -> Image.Image:
    big = size * SUPERSAMPLE
    heatmap = flow_heatmap(frame) if "show_heatmap" in layers else None
    if heatmap is None:  # no heatmap asked for, or the frame has none (flow_heatmap 'none', or left out)
        canvas = Image.new("RGB", (big, big), _WHITE)
    else:
        canvas = _heatmap(heatmap[1], big, _FLOW_PALETTES[heatmap[0]])
    painter = _Painter(canvas, big / VIEW_SIZE)
    if "show_grid" in layers:
        painter.manifold(np.asarray(frame.grid, dtype=np.float32), np.asarray(frame.grid_stretch))
    if "show_real" in layers:
        painter.dots(frame.real, REAL_COLOR, REAL_ALPHA)
    if "show_trajectories" in layers:
        paths, index = np.asarray(frame.trajectories, dtype=np.float32), frame.time_index
        painter.polylines(list(paths[:, : index + 1]), FAKE_COLOR, PATH_ALPHA, PATH_WIDTH)
        painter.polylines(list(paths[:, index:]), FAKE_COLOR, PATH_AHEAD_ALPHA, PATH_WIDTH)
    if "show_field" in layers:
        painter.arrows(*field_arrows(frame.field_points, frame.field, field_time), FIELD_COLOR, FIELD_ALPHA, FIELD_HEAD)
    if "show_samples" in layers:
        painter.dots(frame.samples, FAKE_COLOR, 1.0)
    return canvas.resize((size, size), Image.Resampling.BOX)


def _heatmap(heatmap: np.ndarray, side: int, palette: np.ndarray = _PALETTE) -> Image.Image:
    """The heatmap's cells (shades in [0, 1]) in the palette, at HEATMAP_ALPHA over white, as blocks filling the
    square."""
    values = np.asarray(heatmap, dtype=np.float32)
    # As Bokeh's LinearColorMapper over [0, 1]: 256 equal bins, 1.0 in the last.
    index = np.clip(np.floor(np.nan_to_num(values) * len(palette)), 0, len(palette) - 1).astype(np.intp)
    colors = np.where(np.isnan(values)[..., None], _NAN, palette[index])
    blended = HEATMAP_ALPHA * colors + (1 - HEATMAP_ALPHA) * 255
    cells = Image.fromarray(np.round(blended[::-1]).astype(np.uint8), "RGB")  # row 0 is y = 0: the bottom
    return cells.resize((side, side), Image.Resampling.NEAREST)


class _Painter:
    """Draws unit-square shapes on a canvas, each blended on its own (as a browser canvas does)."""

    def __init__(self, canvas: Image.Image, scale: float):
        self.canvas = canvas
        self.draw = ImageDraw.Draw(canvas, "RGBA")
        self.side = canvas.width
        self.scale = scale  # canvas pixels per view pixel

    def pixels(self, points: np.ndarray) -> np.ndarray:
        """Canvas coordinates of unit-square points (y up). Pillow puts pixel i's centre at i, not i + 0.5."""
        points = np.asarray(points, dtype=np.float64)
        return np.stack([points[..., 0] * self.side, (1 - points[..., 1]) * self.side], axis=-1) - 0.5

    def dots(self, points: np.ndarray, color: str, alpha: float) -> None:
        fill = (*rgb(color), round(alpha * 255))
        radius = DOT_SIZE / 2 * self.scale
        for x, y in self.pixels(points)[np.isfinite(points).all(axis=1)].tolist():
            self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)

    def arrows(
        self, start: np.ndarray, end: np.ndarray, color=FAKE_COLOR, alpha=GRADIENT_ALPHA, head=DOT_SIZE / 2
    ) -> None:
        """A line from each start to its end and a small triangle head at the end, as the view's segments."""
        fill = (*rgb(color), round(alpha * 255))
        width = max(1, round(ARROW_WIDTH * self.scale))
        head = head * self.scale
        finite = np.isfinite(start).all(axis=1) & np.isfinite(end).all(axis=1)
        a, b = self.pixels(start[finite]), self.pixels(end[finite])
        length = np.hypot(*(b - a).T)
        unit = (b - a) / np.maximum(length, 1e-9)[:, None]
        normal = np.stack([-unit[:, 1], unit[:, 0]], axis=1) * head * 0.87
        tip, base = b + unit * head, b - unit * head / 2
        heads = np.stack([tip, base + normal, base - normal], axis=1)  # (N, 3 corners, 2)
        for line, corners, drawn in zip(
            np.concatenate([a, b], axis=1).tolist(), heads.tolist(), length > 0, strict=True
        ):
            self.draw.line(line, fill=fill, width=width)
            if drawn:
                self.draw.polygon([tuple(c) for c in corners], fill=fill)

    def manifold(self, manifold: np.ndarray, stretch: np.ndarray) -> None:
        """2-D noise: the deformed grid's cells shaded by density, and its lines; 1-D noise: the curve. (A flow's
        carried grid is drawn as a 2-D manifold.)"""
        color = rgb(FAKE_COLOR)
        if manifold.ndim == 3:
            xs, ys = manifold_cells(manifold)
            corners = self.pixels(np.stack([xs, ys], axis=-1))  # (cells, 4, 2)
            alphas = np.round(cell_alpha(stretch.ravel()) * 255).astype(int)
            finite = np.isfinite(corners).all(axis=(1, 2))
            for cell, alpha in zip(corners[finite].tolist(), alphas[finite].tolist(), strict=True):
                self.draw.polygon([tuple(c) for c in cell], fill=(*color, alpha))
            polylines = [*manifold, *manifold.transpose(1, 0, 2)]
        else:
            polylines = [manifold]
        self.polylines(polylines, FAKE_COLOR, MANIFOLD_LINE_ALPHA, MANIFOLD_LINE_WIDTH)

    def polylines(self, polylines: list[np.ndarray], color: str, alpha: float, line_width: float) -> None:
        """Lines stroked together at one opacity (overlaps do not darken, as one canvas path)."""
        mask = Image.new("L", self.canvas.size, 0)
        draw = ImageDraw.Draw(mask)
        width = max(1, round(line_width * self.scale))
        for line in polylines:
            points = self.pixels(line[np.isfinite(line).all(axis=1)])
            if len(points) > 1:
                draw.line([tuple(p) for p in points.tolist()], fill=255, width=width, joint="curve")
        box = mask.getbbox()
        if box:  # blend only where lines are: most of the square has none
            region = mask.crop(box).point(lambda value: round(value * alpha))
            self.canvas.paste(rgb(color), box, region)


def _with_caption(square: Image.Image, frame: Frame | FlowFrame) -> Image.Image:
    """The square above a white strip reading 'Iteration N' (a flow's: 'Iteration N, t = T'; and 'diverged'
    when training stopped)."""
    strip = caption_height(square.width)
    picture = Image.new("RGB", (square.width, square.height + strip), _WHITE)
    picture.paste(square, (0, 0))
    text = f"Iteration {frame.iteration:,}" + (f", t = {frame.time:.2f}" if isinstance(frame, FlowFrame) else "")
    text += " (diverged)" if frame.diverged else ""
    draw = ImageDraw.Draw(picture)
    draw.text((square.width / 2, square.height + strip / 2), text, fill="#333333", font=_font(strip), anchor="mm")
    return picture


def _font(strip: int):
    """A font about 60% of the strip high; Pillow's built-in bitmap font where FreeType is missing."""
    if features.check("freetype2"):
        return ImageFont.load_default(size=max(8, round(strip * 0.6)))
    return ImageFont.load_default()
