"""Save and load: a download button for each export, and a checkpoint upload to continue from."""

from __future__ import annotations

import io
from collections.abc import Callable

import panel as pn

DOWNLOADS = {  # kind -> the button's label
    "checkpoint": "Model (.npz)",
    "config": "Settings (.json)",
    "history": "Metric history (.csv)",
    "png": "Picture (.png)",
    "gif": "Animation (.gif)",
    "script": "PyTorch script (.py)",
    "script_weights": "Script + weights (.py)",
}


class _Download(pn.widgets.FileDownload):
    """A FileDownload whose callback may return None: the app has already said why there is nothing to save."""

    def _sync_data(self, fileobj):
        if fileobj is not None:
            super()._sync_data(fileobj)


class Downloads(pn.viewable.Viewer):
    """One button per export; `export(kind)` returns (data, filename), or None after showing a message."""

    def __init__(
        self,
        export: Callable[[str], tuple[bytes | str, str] | None],
        on_upload: Callable[[bytes, str | None], None],
    ):
        super().__init__()
        self.buttons = {}
        for kind, label in DOWNLOADS.items():
            button = _Download(label=label, filename=f"ganlab.{kind}", width=170, css_classes=[f"download-{kind}"])
            button.callback = self._callback(button, kind, export)
            self.buttons[kind] = button
        self.upload = pn.widgets.FileInput(accept=".npz", css_classes=["upload-checkpoint"], width=230)
        self.upload.param.watch(lambda event: event.new and on_upload(event.new, self.upload.filename), "value")

    @staticmethod
    def _callback(button: pn.widgets.FileDownload, kind: str, export) -> Callable[[], io.BytesIO | None]:
        def make():
            made = export(kind)
            if made is None:
                return None
            data, button.filename = made  # read by FileDownload after this returns
            return io.BytesIO(data.encode() if isinstance(data, str) else data)

        return make

    def __panel__(self):
        return pn.Column(
            pn.pane.HTML("Download:", margin=(5, 10, 0, 10)),
            pn.FlexBox(*self.buttons.values(), margin=(0, 5)),
            pn.pane.HTML("Continue from a saved model (.npz):", margin=(10, 10, 0, 10)),
            self.upload,
        )
