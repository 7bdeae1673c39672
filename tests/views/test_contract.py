"""The views' side of the app contract: they draw Frames and never reach for the trainer or an engine."""

from __future__ import annotations

import ast
from pathlib import Path

import ganlab_panel.views as views

FORBIDDEN = {"torch", "ganlab_panel.core.trainer", "ganlab_panel.engines", "ganlab_panel.experiment"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "ganlab_panel." * (node.level > 0) + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def test_views_import_no_trainer_engine_or_torch():
    for path in Path(views.__file__).parent.glob("*.py"):
        bad = {name for name in imported_modules(path) for f in FORBIDDEN if name == f or name.startswith(f + ".")}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_update_reuses_the_bokeh_models(frame, frame_1d):
    for view in [views.LayeredView(show_manifold=True), views.ChartsView(), views.DrawingSurface()]:
        figures = [getattr(view, name) for name in ("figure", "loss_figure", "metric_figure") if hasattr(view, name)]
        before = [(fig, list(fig.renderers), [r.data_source for r in fig.renderers]) for fig in figures]
        view.update(frame)
        view.update(frame_1d)
        after = [(fig, list(fig.renderers), [r.data_source for r in fig.renderers]) for fig in figures]
        assert before == after
