"""The import contract: the views draw Frames and never reach for the trainer or an engine; the layers
import one way; only the torch engine modules import torch, and the model side neither Panel nor Bokeh."""

from __future__ import annotations

from pathlib import Path

from package_imports import import_graph, imported_names, imports_in, modules

import ganlab_panel.views as views
from ganlab_panel.views.charts import ChartsView
from ganlab_panel.views.drawing import DrawingSurface
from ganlab_panel.views.layered import LayeredView

FORBIDDEN = {"torch", "ganlab_panel.core.trainer", "ganlab_panel.engines", "ganlab_panel.experiment"}
LAYERS = ["engines", "core", "render", "files", "views", "serving", "pages", "standalone"]
"""Subpackages from the bottom up: a module imports from its own layer or those below it, never above.
standalone/ builds a page from pages/ and is built by the CLI, so it sits between them."""
HEADLESS = ("engines", "core", "render", "files")
"""Layers that run without a browser: no Panel, no Bokeh."""


def layer(module: str) -> int:
    """Index in LAYERS; the top-level modules (the package, its entry points and Experiment) above them all."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def _top_level_imports(path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(path)}


def test_views_import_no_trainer_engine_or_torch():
    for path in sorted(Path(views.__file__).parent.rglob("*.py")):
        bad = {name for name in imported_names(path) for f in FORBIDDEN if name == f or name.startswith(f + ".")}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_relative_imports_resolve_against_the_importing_modules_package():
    source = "from .. import experiment\nfrom ..core import trainer\nfrom . import style\n"
    source += "def f():\n    from .x import y\n"
    assert dict(imports_in(source, "ganlab_panel.views.charts")) == {
        "ganlab_panel": ["experiment"],
        "ganlab_panel.core": ["trainer"],
        "ganlab_panel.views": ["style"],
        "ganlab_panel.views.x": ["y"],  # inside a function too
    }
    # in a package's __init__, `.` is the package itself
    assert dict(imports_in("from . import charts", "ganlab_panel.views", is_package=True)) == {
        "ganlab_panel.views": ["charts"]
    }


def test_layers_import_one_way():
    upward = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in sorted(targets)
        if layer(target) > layer(module)
    ]
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_model_side_imports_neither_panel_nor_bokeh():
    for module, path in modules().items():
        if module.split(".")[1:2] and module.split(".")[1] in HEADLESS:
            assert not _top_level_imports(path) & {"panel", "bokeh"}, f"{module} imports Panel or Bokeh"


TORCH_ENGINES = {"ganlab_panel.engines.torch_engine", "ganlab_panel.engines.flow_torch"}
"""The GAN's and the flow's torch engines: the only modules importing torch (the standalone page has none)."""


def test_only_the_torch_engines_import_torch():
    importers = {module for module, path in modules().items() if "torch" in _top_level_imports(path)}
    assert importers == TORCH_ENGINES


def test_update_reuses_the_bokeh_models(frame, frame_1d):
    for view in [LayeredView(show_manifold=True), ChartsView(), DrawingSurface()]:
        figures = [getattr(view, name) for name in ("figure", "loss_figure", "metric_figure") if hasattr(view, name)]
        before = [(fig, list(fig.renderers), [r.data_source for r in fig.renderers]) for fig in figures]
        view.update(frame)
        view.update(frame_1d)
        after = [(fig, list(fig.renderers), [r.data_source for r in fig.renderers]) for fig in figures]
        assert before == after
