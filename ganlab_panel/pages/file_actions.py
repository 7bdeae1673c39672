"""The GAN Lab page's files: downloads (model, settings, history, picture, animation, PyTorch script), a
checkpoint or the shipped model to continue from, and CSV points to learn. A bad file changes nothing; the
message says why."""

from __future__ import annotations

from ganlab_panel.core import distributions
from ganlab_panel.files import checkpoints, exports
from ganlab_panel.files.csv_points import load_csv_points
from ganlab_panel.files.script_export import export_script
from ganlab_panel.views.flow_layered import FLOW_LAYERS
from ganlab_panel.views.layered import LAYERS


class FileActions:
    """Files in and out of one page's experiment; `page` is the GanLab (its config, trainer, timeline, the
    frame shown, its layers and its notices)."""

    def __init__(self, page):
        self.page = page

    def export(self, kind: str) -> tuple[bytes | str, str] | None:
        """The data and file name of a download (downloads.DOWNLOADS), or None after saying why there is none.
        The model is the latest one (a script's weights too); the picture is what the layered view shows (a past
        frame while scrubbing)."""
        page, trainer = self.page, self.page.trainer
        # the layers the view shows: a GAN's, or a flow's (its view has only its own toggles)
        layers = [toggle for toggle in (*LAYERS, *FLOW_LAYERS) if getattr(page.layered, toggle, False)]
        latest = kind in ("checkpoint", "history", "script_weights")
        iteration = trainer.iteration if latest else page.frame.iteration
        try:
            if kind in ("checkpoint", "script_weights") and trainer.diverged:
                raise ValueError("training diverged, so the model's weights are not worth saving; press Reset")
            if kind == "checkpoint":
                data = exports.checkpoint_bytes(page.config, trainer.engine.get_weights(), trainer.iteration)
            elif kind == "config":
                data = exports.config_json(page.config)
            elif kind == "history":
                data = exports.history_csv(trainer.history)
            elif kind == "png":
                data = exports.png_bytes(page.frame, layers)
            elif kind == "gif":
                data = exports.gif_bytes(page.timeline.frames(), layers)
            elif kind == "script":
                data = export_script(page.config)
            elif kind == "script_weights":
                data = export_script(page.config, trainer.engine.get_weights(), iteration=trainer.iteration)
            else:
                raise ValueError(f"unknown download {kind!r}")
        except ValueError as error:
            page._error(f"Nothing to download: {error}")
            return None
        return data, exports.filename(kind, page.config, iteration)

    def load_pretrained(self, distribution: str) -> None:
        try:
            path = checkpoints.pretrained_path(distribution)
        except ValueError:
            info = distributions.REGISTRY[distribution]
            what = "a drawn distribution" if info.needs_points else f"'{info.title}'"
            self.page._error(f"There is no pretrained model for {what}: train one with Play.")
            return
        try:
            checkpoint = checkpoints.load(path)
            checkpoints.check_model(checkpoint, self.page.config.model)
        except ValueError as error:
            self.page._error(f"The pretrained model could not be loaded: {error}")
            return
        self.page._adopt(checkpoint.state(), f"Pretrained model loaded: iteration {checkpoint.iteration}")

    def load_checkpoint(self, data: bytes, filename: str | None = None) -> None:
        name = f" {filename}" if filename else ""
        try:
            checkpoint = checkpoints.load(bytes(data))
            checkpoints.check_model(checkpoint, self.page.config.model)  # a flow's into a GAN page: refused
        except ValueError as error:
            self.page._error(f"Not loaded{name}: {error}")
            return
        self.page._adopt(
            checkpoint.state(), f"Loaded{name}: iteration {checkpoint.iteration:,}; Play continues from it"
        )

    def load_csv(self, data: bytes | str, filename: str | None = None) -> None:
        if not data:
            return
        name = f" {filename}" if filename else ""
        try:
            points = load_csv_points(data)
            self.page.config.update({"distribution": "points", "points": points.tolist()})
        except ValueError as error:
            self.page._error(f"Not loaded{name}: {error}")
            return
        self.page._notify(f"Loaded {len(points):,} points from{name or ' the file'}: iteration 0")
