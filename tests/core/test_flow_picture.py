"""Pictures of a flow's layered view (PNG and GIF downloads): each layer of a FlowFrame drawn where and in the
colour it belongs, y up, only the layers asked for; the samples move between t = 0 and t = 1."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ganlab_panel import Experiment
from ganlab_panel.core.flow_frame import FlowFrame
from ganlab_panel.files import exports
from ganlab_panel.render.colors import DENSITY_PALETTE, FAKE_COLOR, REAL_COLOR, SPEED_PALETTE, rgb
from ganlab_panel.render.layers import DENSITY_RANGE, FLOW_DEFAULT_LAYERS, FLOW_LAYER_NAMES, flow_heatmap
from ganlab_panel.render.picture import HEATMAP_ALPHA, REAL_ALPHA, caption_height, render

SIZE = 400
WHITE = np.array([255, 255, 255])
SMALL = {"model": "flow", "flow_layers": 2, "flow_neurons": 16, "flow_steps": 6, "heatmap_resolution": 8}


def blank_flow_frame(**fields) -> FlowFrame:
    """A flow frame with nothing in it but `fields`: one point of each kind far outside the square."""
    away = np.full((1, 2), -1.0, dtype=np.float32)
    values = {
        "iteration": 7,
        "time": 1.0,
        "real": away,
        "source": away,
        "samples": away,
        "trajectories": np.full((1, 3, 2), -1.0, np.float32),
        "trajectory_times": np.array([0, 0.5, 1], np.float32),
        "time_index": 2,
        "grid": np.full((21, 21, 2), -1.0, np.float32),
        "grid_stretch": np.ones((20, 20), np.float32),
        "field_points": away,
        "field": np.zeros((1, 2), np.float32),
        "log_density": None,
        "speed": None,
        "loss": float("nan"),
    }
    return FlowFrame(**{**values, **fields})


def pixels(frame: FlowFrame, layers, **options) -> np.ndarray:
    return np.asarray(render(frame, layers, SIZE, caption=False, **options), dtype=int)


def at(image: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixel at unit-square point (x, y), y up."""
    return image[int((1 - y) * SIZE), int(x * SIZE)]


def around(image: np.ndarray, x: float, y: float) -> np.ndarray:
    row, column = int((1 - y) * SIZE), int(x * SIZE)
    return image[row - 1 : row + 2, column - 1 : column + 2].reshape(-1, 3)


def over_white(color: str, alpha: float) -> np.ndarray:
    return np.round(alpha * np.array(rgb(color)) + (1 - alpha) * 255)


def near(image: np.ndarray, color: np.ndarray, tolerance: int = 3) -> np.ndarray:
    return (np.abs(image - color) <= tolerance).all(axis=-1)


@pytest.fixture(scope="module")
def flow():
    return Experiment(distribution="ring8", seed=2, **SMALL).train(150)


def frame_at(flow, time: float, heatmap: str = "density") -> FlowFrame:
    flow.config.update({"flow_time": time, "flow_heatmap": heatmap})
    return flow.frame()


# -- each layer ---------------------------------------------------------------------------------------------------
def test_samples_and_real_points_are_drawn_where_they_are_in_their_colours():
    frame = blank_flow_frame(samples=np.array([[0.7, 0.7]], np.float32), real=np.array([[0.2, 0.8]], np.float32))
    both = pixels(frame, {"show_samples", "show_real"})
    assert near(at(both, 0.7, 0.7)[None], np.array(rgb(FAKE_COLOR)), 2).all()
    assert near(at(both, 0.2, 0.8)[None], over_white(REAL_COLOR, REAL_ALPHA), 2).all()
    only_real = pixels(frame, {"show_real"})
    assert (at(only_real, 0.7, 0.7) == WHITE).all() and (pixels(frame, set())[1:-1, 1:-1] == WHITE).all()


def test_the_density_heatmap_shades_high_density_dark_and_rows_are_y_from_the_bottom():
    log_density = np.full((4, 4), -50.0, np.float32)
    log_density[0, 3] = 2.0  # row 0 = lowest y, column 3 = highest x: the bottom-right cell
    log_density[3, 0] = 2.0 - DENSITY_RANGE / 2  # top left: halfway down the scale
    image = pixels(blank_flow_frame(log_density=log_density), {"show_heatmap"})
    assert (at(image, 0.9, 0.1) == over_white(DENSITY_PALETTE[-1], HEATMAP_ALPHA)).all()
    assert (at(image, 0.1, 0.9) == over_white(DENSITY_PALETTE[128], HEATMAP_ALPHA)).all()
    assert (at(image, 0.9, 0.9) == over_white(DENSITY_PALETTE[0], HEATMAP_ALPHA)).all()
    kind, shades = flow_heatmap(blank_flow_frame(log_density=log_density))
    assert kind == "density" and shades.max() == 1 and shades.min() == 0


def test_the_speed_heatmap_uses_its_own_palette_and_a_missing_heatmap_leaves_white():
    speed = np.zeros((4, 4), np.float32)
    speed[0, 0] = 3.0
    speed[1, 1] = np.nan
    image = pixels(blank_flow_frame(speed=speed), {"show_heatmap"})
    assert (at(image, 0.1, 0.1) == over_white(SPEED_PALETTE[-1], HEATMAP_ALPHA)).all()
    assert (at(image, 0.9, 0.9) == over_white(SPEED_PALETTE[0], HEATMAP_ALPHA)).all()
    assert (at(image, 0.4, 0.4) == over_white("#808080", HEATMAP_ALPHA)).all(), "NaN cells grey, as a GAN's"
    assert (pixels(blank_flow_frame(), {"show_heatmap"})[1:-1, 1:-1] == WHITE).all()  # flow_heatmap 'none'


def test_velocity_arrows_start_at_their_points_and_point_along_the_velocity():
    frame = blank_flow_frame(field_points=np.array([[0.5, 0.5]], np.float32), field=np.array([[0, -0.4]], np.float32))
    image = pixels(frame, {"show_field"})  # 0.04 long at the default 0.1 time units: down to y = 0.46

    def grey(image, x, y):
        r, g, b = around(image, x, y).T
        return ((r == g) & (g == b) & (r < 230)).any()

    assert grey(image, 0.5, 0.48), "grey along the arrow"
    for x, y in ((0.5, 0.55), (0.5, 0.4), (0.45, 0.48)):
        assert (around(image, x, y) == WHITE).all()
    longer = pixels(frame, {"show_field"}, field_time=0.2)  # but never longer than a field cell: 0.05
    assert grey(longer, 0.5, 0.46) and (around(longer, 0.5, 0.42) == WHITE).all()


def test_trajectories_are_darker_up_to_the_frames_time_than_beyond_it():
    path = np.array([[[0.2, 0.5], [0.5, 0.5], [0.8, 0.5]]], np.float32)
    image = pixels(blank_flow_frame(trajectories=path, time_index=1, time=0.5), {"show_trajectories"})
    travelled, ahead = around(image, 0.35, 0.5), around(image, 0.65, 0.5)
    assert travelled.sum(axis=1).min() < ahead.sum(axis=1).min() < 3 * 255
    r, g, b = travelled[travelled.sum(axis=1).argmin()]
    assert r > g and b > g, "purple, as the samples"
    assert (around(image, 0.5, 0.7) == WHITE).all()


def test_the_carried_grid_is_shaded_and_lined_as_a_gans_manifold():
    u = np.linspace(0.25, 0.75, 21, dtype=np.float32)
    image = pixels(blank_flow_frame(grid=np.stack(np.meshgrid(u, u), axis=-1)), {"show_grid"})
    r, g, b = at(image, 0.51, 0.51)
    assert r > g and b > g and r < 255
    assert (at(image, 0.1, 0.1) == WHITE).all()


def test_a_gans_layer_names_stand_for_their_analogues_and_unknown_ones_are_refused():
    frame = blank_flow_frame(samples=np.array([[0.5, 0.5]], np.float32))
    assert (pixels(frame, {"show_fake"}) == pixels(frame, {"show_samples"})).all()
    with pytest.raises(ValueError, match="unknown layers show_axes; choose from show_heatmap, show_grid"):
        render(frame, {"show_axes"})


# -- trained frames -----------------------------------------------------------------------------------------------
def test_a_trained_flows_picture_has_its_size_every_layer_and_moves_from_t0_to_t1(flow):
    start, end = frame_at(flow, 0.0), frame_at(flow, 1.0)
    assert start.log_density is not None
    picture = render(end, size=SIZE)
    assert picture.size == (SIZE, SIZE + caption_height(SIZE)) and picture.mode == "RGB"
    strip = np.asarray(picture, dtype=int)[SIZE + 1 :]
    assert (strip < 128).all(axis=-1).any(), "dark text in the strip"
    every, default = pixels(end, FLOW_LAYER_NAMES), pixels(end, FLOW_DEFAULT_LAYERS)
    assert (every != default).any()
    samples_then, samples_now = pixels(start, {"show_samples"}), pixels(end, {"show_samples"})
    assert (samples_then != samples_now).any()
    purple = np.array(rgb(FAKE_COLOR))
    x, y = start.samples[np.all((start.samples > 0.1) & (start.samples < 0.9), axis=1)][0]
    assert near(around(samples_then, x, y), purple, 2).any(), "a source point where it starts"
    assert (pixels(start, {"show_heatmap"}) != pixels(end, {"show_heatmap"})).any()
    speed = frame_at(flow, 0.5, "speed")
    assert speed.speed is not None and (pixels(speed, {"show_heatmap"}) != pixels(start, {"show_heatmap"})).any()


def test_png_and_gif_downloads_of_a_flow(flow):
    frames = [frame_at(flow, t) for t in (0.0, 0.25, 0.5, 1.0)]
    data = exports.png_bytes(frames[-1], size=240)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (240, 240 + caption_height(240))
    assert (np.asarray(image.convert("RGB")) == np.asarray(render(frames[-1], FLOW_DEFAULT_LAYERS, 240))).all()
    square = Image.open(io.BytesIO(exports.png_bytes(frames[-1], {"show_samples"}, size=100, caption=False)))
    assert square.size == (100, 100)
    animation = Image.open(io.BytesIO(exports.gif_bytes(frames, ["show_real", "show_fake"], size=120, fps=5)))
    assert animation.format == "GIF" and animation.n_frames == 4 and animation.size == (120, 120 + caption_height(120))
    pictures = []
    for i in (0, 3):
        animation.seek(i)
        pictures.append(np.asarray(animation.convert("RGB")))
    assert (pictures[0] != pictures[1]).any()
