"""Pictures of the layered view (PNG and GIF downloads): each layer drawn where and in the colour the page
draws it, y up, and only the layers asked for."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ganlab_panel.core.frame import Frame
from ganlab_panel.core.trainer import Trainer
from ganlab_panel.render.colors import FAKE_COLOR, HEATMAP_PALETTE, REAL_COLOR, rgb
from ganlab_panel.render.layers import DEFAULT_LAYERS, LAYER_NAMES
from ganlab_panel.render.picture import HEATMAP_ALPHA, REAL_ALPHA, caption_height, render

SIZE = 400
WHITE = np.array([255, 255, 255])


def blank_frame(**fields) -> Frame:
    """A frame with nothing in it but `fields`: one sample of each kind far outside the square."""
    away = np.full((1, 2), -1.0, dtype=np.float32)
    values = {
        "iteration": 7,
        "discriminator_steps": 7,
        "generator_steps": 7,
        "real": away,
        "fake": away,
        "noise": np.zeros((1, 2), np.float32),
        "heatmap": np.full((4, 4), 0.5, np.float32),
        "manifold": np.full((21, 21, 2), -1.0, np.float32),
        "manifold_stretch": np.ones((20, 20), np.float32),
        "gradients": np.zeros((1, 2), np.float32),
        "real_predictions": np.zeros(1, np.float32),
        "fake_predictions": np.zeros(1, np.float32),
        "discriminator_loss": float("nan"),
        "generator_loss": float("nan"),
    }
    return Frame(**{**values, **fields})


def pixels(frame: Frame, layers, **options) -> np.ndarray:
    return np.asarray(render(frame, layers, SIZE, caption=False, **options), dtype=int)


def at(image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixel at unit-square point (x, y), y up."""
    return image[int((1 - y) * SIZE), int(x * SIZE)]


def around(image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The 3 x 3 pixels around unit-square point (x, y): a line on a pixel boundary may fall either side."""
    row, column = int((1 - y) * SIZE), int(x * SIZE)
    return image[row - 1 : row + 2, column - 1 : column + 2].reshape(-1, 3)


def over_white(color: str, alpha: float) -> np.ndarray:
    return np.round(alpha * np.array(rgb(color)) + (1 - alpha) * 255)


def near(image: np.ndarray, color: np.ndarray, tolerance: int = 3) -> np.ndarray:
    """A mask of the pixels within `tolerance` of `color` in every channel."""
    return (np.abs(image - color) <= tolerance).all(axis=-1)


# -- colours --------------------------------------------------------------------------------------------
def test_heatmap_palette_is_bokehs_interpolated_prgn():
    from bokeh.palettes import PRGn, interp_palette

    assert tuple(interp_palette(PRGn[11][::-1], 256)) == HEATMAP_PALETTE


def test_views_use_the_shared_colours():
    from bokeh.models import GlyphRenderer, LinearColorMapper

    from ganlab_panel.views.layered import LayeredView

    figure = LayeredView().figure
    colours = {
        str(value)
        for renderer in figure.select(type=GlyphRenderer)
        for name in ("fill_color", "line_color")
        if isinstance(value := getattr(renderer.glyph, name, None), str)
    }
    assert {REAL_COLOR, FAKE_COLOR} <= colours
    assert any(tuple(m.palette) == HEATMAP_PALETTE for m in figure.select(type=LinearColorMapper))


def test_default_layers_are_what_the_view_shows_when_it_opens():
    from ganlab_panel.views.layered import LAYERS, LayeredView

    view = LayeredView()
    assert tuple(LAYERS) == LAYER_NAMES
    assert {name for name in LAYER_NAMES if getattr(view, name)} == DEFAULT_LAYERS


# -- heatmap ----------------------------------------------------------------------------------------------
def test_heatmap_shades_real_green_and_fake_purple_as_the_palette_at_the_views_opacity():
    green = pixels(blank_frame(heatmap=np.ones((4, 4), np.float32)), {"show_heatmap"})
    purple = pixels(blank_frame(heatmap=np.zeros((4, 4), np.float32)), {"show_heatmap"})
    assert (green[5:-5, 5:-5] == over_white(HEATMAP_PALETTE[-1], HEATMAP_ALPHA)).all()
    assert (purple[5:-5, 5:-5] == over_white(HEATMAP_PALETTE[0], HEATMAP_ALPHA)).all()
    r, g, b = green[SIZE // 2, SIZE // 2]
    assert g > r and g > b
    r, g, b = purple[SIZE // 2, SIZE // 2]
    assert r > g and b > g


def test_heatmap_rows_are_y_from_the_bottom_and_columns_x():
    heatmap = np.zeros((4, 4), np.float32)
    heatmap[0, 3] = 1.0  # row 0 = lowest y, column 3 = highest x: the bottom-right cell
    image = pixels(blank_frame(heatmap=heatmap), {"show_heatmap"})
    green = over_white(HEATMAP_PALETTE[-1], HEATMAP_ALPHA)
    assert (at(image, 0.9, 0.1) == green).all()
    for x, y in ((0.1, 0.1), (0.9, 0.9), (0.1, 0.9)):
        assert not (at(image, x, y) == green).all()


def test_a_diverged_heatmaps_nan_cells_are_grey():
    image = pixels(blank_frame(heatmap=np.full((4, 4), np.nan, np.float32)), {"show_heatmap"})
    assert (image[SIZE // 2, SIZE // 2] == over_white("#808080", HEATMAP_ALPHA)).all()


# -- samples and gradients --------------------------------------------------------------------------------------
def test_a_real_sample_at_top_left_is_drawn_there_in_the_real_colour():
    frame = blank_frame(real=np.array([[0.1, 0.9]], np.float32))
    image = pixels(frame, DEFAULT_LAYERS)
    heatmap = pixels(frame, {"show_heatmap"})
    assert not (at(image, 0.1, 0.9) == at(heatmap, 0.1, 0.9)).all()
    alone = pixels(frame, {"show_real"})
    assert near(at(alone, 0.1, 0.9)[None], over_white(REAL_COLOR, REAL_ALPHA), 2).all()
    for x, y in ((0.9, 0.9), (0.1, 0.1), (0.9, 0.1)):  # nowhere else
        assert (at(alone, x, y) == WHITE).all()


def test_fake_samples_are_opaque_purple_and_hiding_a_layer_removes_its_colour():
    frame = blank_frame(real=np.array([[0.3, 0.3]], np.float32), fake=np.array([[0.7, 0.7]], np.float32))
    fake = np.array(rgb(FAKE_COLOR))
    real = over_white(REAL_COLOR, REAL_ALPHA)
    both = pixels(frame, {"show_real", "show_fake"})
    assert near(at(both, 0.7, 0.7)[None], fake, 2).all()
    assert near(both, fake).any() and near(both, real).any()
    only_real = pixels(frame, {"show_real"})
    assert not near(only_real, fake, 40).any() and near(only_real, real).any()
    only_fake = pixels(frame, {"show_fake"})
    assert near(only_fake, fake).any() and not near(only_fake, real, 40).any()
    assert (pixels(frame, set()) == pixels(blank_frame(), set())).all()


def test_gradient_arrows_start_at_their_fake_sample_and_point_along_the_gradient():
    frame = blank_frame(fake=np.array([[0.5, 0.5]], np.float32), gradients=np.array([[0.5, 0.0]], np.float32))
    image = pixels(frame, {"show_gradients"}, arrow_scale=0.3)  # 0.15 long: to x = 0.65
    for x in (0.55, 0.6):
        r, g, b = around(image, x, 0.5).T
        assert ((r > g) & (b > g)).any(), "purple along the arrow"
    for x, y in ((0.45, 0.5), (0.75, 0.5), (0.6, 0.6)):
        assert (around(image, x, y) == WHITE).all()
    assert (pixels(frame, {"show_fake"}) != pixels(frame, {"show_gradients", "show_fake"})).any()


def test_samples_outside_the_square_or_not_finite_are_left_out():
    frame = blank_frame(
        real=np.array([[np.nan, 0.5], [2.0, 2.0]], np.float32),
        fake=np.array([[np.inf, 0.5]], np.float32),
        gradients=np.array([[np.nan, 0.0]], np.float32),
    )
    image = pixels(frame, {"show_real", "show_fake", "show_gradients"})
    assert (image[1:-1, 1:-1] == WHITE).all()


# -- manifold ------------------------------------------------------------------------------------------------------
def test_2d_manifold_shades_the_deformed_grids_cells():
    u = np.linspace(0.25, 0.75, 21, dtype=np.float32)
    grid = np.stack(np.meshgrid(u, u), axis=-1)  # evenly stretched: every cell alpha 0.5
    image = pixels(blank_frame(manifold=grid), {"show_manifold"})
    r, g, b = at(image, 0.51, 0.51)
    assert r > g and b > g and r < 255
    for x, y in ((0.1, 0.1), (0.9, 0.5), (0.5, 0.9)):
        assert (at(image, x, y) == WHITE).all()
    assert (pixels(blank_frame(manifold=grid), DEFAULT_LAYERS)[1:-1, 1:-1] != image[1:-1, 1:-1]).any()


def test_1d_manifold_is_a_curve():
    curve = np.stack([np.linspace(0, 1, 101), np.full(101, 0.3)], axis=1).astype(np.float32)
    image = pixels(blank_frame(manifold=curve, manifold_stretch=np.ones(100, np.float32)), {"show_manifold"})
    drawn = np.argwhere((image[1:-1, 1:-1] != WHITE).any(axis=-1)) + 1
    assert set(drawn[:, 1]) == set(range(1, SIZE - 1)), "across the whole square"
    assert np.abs(drawn[:, 0] - 0.7 * SIZE).max() <= 1, "at y = 0.3"


# -- the whole picture -------------------------------------------------------------------------------------------
def test_caption_strip_reads_below_the_square():
    frame = blank_frame()
    captioned = render(frame, DEFAULT_LAYERS, SIZE)
    assert captioned.size == (SIZE, SIZE + caption_height(SIZE)) and captioned.mode == "RGB"
    strip = np.asarray(captioned, dtype=int)[SIZE + 1 :]
    assert (strip < 128).all(axis=-1).any(), "dark text in the strip"
    assert render(frame, DEFAULT_LAYERS, SIZE, caption=False).size == (SIZE, SIZE)


@pytest.mark.parametrize(
    ("settings", "manifold_shape"),
    [
        ({"distribution": "ring", "seed": 4}, (21, 21, 2)),
        ({"distribution": "line", "noise_dim": 1, "seed": 1}, (101, 2)),
    ],
)
def test_trained_frames_render_with_every_layer(settings, manifold_shape):
    trainer = Trainer(**settings)
    trainer.train(3)
    frame = trainer.frame(with_metrics=False)
    assert frame.manifold.shape == manifold_shape
    points = frame.manifold.reshape(-1, 2)
    assert ((points > 0.05) & (points < 0.95)).all(axis=1).any(), "some of the manifold lies in the square"
    every = np.asarray(render(frame, LAYER_NAMES, SIZE))
    default = np.asarray(render(frame, DEFAULT_LAYERS, SIZE))
    assert every.shape == default.shape == (SIZE + caption_height(SIZE), SIZE, 3)
    assert (every != default).any()


def test_unknown_layers_and_tiny_sizes_are_refused():
    with pytest.raises(ValueError, match="unknown layers show_axes"):
        render(blank_frame(), {"show_axes"})
    with pytest.raises(ValueError, match="16 pixels"):
        render(blank_frame(), DEFAULT_LAYERS, size=8)
    assert render(replace(blank_frame(), diverged="NaN"), "show_real", 64).size[0] == 64
