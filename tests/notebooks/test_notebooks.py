"""Every notebook in notebooks/ runs top to bottom in a fresh kernel, offline, without a cell error.

The kernel is this interpreter (the venv's), whatever `python` on PATH or a user's kernelspec says, and the
package is importable from the checkout without installing it. The tour must also display the app and train
it inside the kernel.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOUR = ROOT / "notebooks" / "01_tour.ipynb"
PANEL_MIME = "application/vnd.holoviews_exec.v0+json"
CELL_TIMEOUT_S = 180  # generous: the machine's cores are shared
LOAD_MIME = "application/vnd.holoviews_load.v0+json"
CDN_URL = re.compile(r"(?:https?:)?//[\w.-]*\bcdn\b[\w.-]*", re.IGNORECASE)
"""A URL whose host names a CDN (cdn.bokeh.org, cdn.holoviz.org, cdn.jsdelivr.net...)."""
LOADER_LISTS = re.compile(r"const (js_urls|js_modules|js_exports|css_urls) = (\[[^\]]*\]|\{[^}]*\})")
"""What the BokehJS loader of a library bundle fetches; empty when the libraries are inlined."""


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    """run(path) -> the notebook after executing every cell, once per session; raises on a cell error.

    The kernel is a kernelspec 'python3' written for sys.executable (so a `python` elsewhere on PATH, or a
    user's kernelspec, is never picked up) with the checkout on PYTHONPATH."""
    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / "python3", overrides={"env": {"PYTHONPATH": str(ROOT)}})
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    done = {}

    def execute(path: Path) -> nbformat.NotebookNode:
        if path not in done:
            notebook = nbformat.read(path, as_version=4)
            manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)
            assert manager.kernel_spec.argv[0] == sys.executable
            resources = {"metadata": {"path": str(path.parent)}}  # cells run in notebooks/, as in Jupyter
            NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S, resources=resources).execute()
            done[path] = notebook
        return done[path]

    return execute


def _outputs(notebook):
    """(cell, outputs) of every code cell."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            yield cell, list(cell.get("outputs", []))


def _text(output) -> str:
    """Everything an output carries as text: stream text, tracebacks and every mime bundle entry."""
    parts = [output.get("text", ""), *output.get("traceback", [])]
    for value in output.get("data", {}).values():
        parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def _printed(notebook) -> str:
    return "".join(o.get("text", "") for _, outputs in _outputs(notebook) for o in outputs if o.output_type == "stream")


def test_there_are_notebooks():
    assert TOUR in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_offline(run, path):
    notebook = run(path)  # a cell error raises CellExecutionError with the cell and its traceback
    cdn = _cdn_references(notebook)
    assert not cdn, f"outputs load from a CDN, which fails offline: {sorted(set(cdn))[:5]}"


def _cdn_references(notebook) -> list[str]:
    """CDN URLs the outputs would load. A library bundle (inlined BokehJS and Panel) is judged by its loader's
    lists: its code names CDNs for features fetched only on demand (MathJax, an icon font)."""
    found = []
    for _, outputs in _outputs(notebook):
        for output in outputs:
            loader = LOADER_LISTS.findall(output.get("data", {}).get(LOAD_MIME, ""))
            if loader:
                found += [f"{name} = {value}" for name, value in loader if "//" in value]
            else:
                found += CDN_URL.findall(_text(output))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    assert all(
        not c.get("outputs") and c.get("execution_count") is None for c in notebook.cells if c.cell_type == "code"
    )


def test_tour_displays_the_app(run):
    notebook = run(TOUR)
    app_cells = [(c, o) for c, o in _outputs(notebook) if "GanLab()" in c.source]
    assert app_cells, "the tour has no cell that creates GanLab()"
    bundles = [o for _, outputs in app_cells for o in outputs if PANEL_MIME in o.get("data", {})]
    assert bundles, "GanLab() rendered no Panel output"
    # the rendered document is the app's: its toolbar and views are in the bundle
    rendered = "\n".join(_text(o) for o in bundles)
    for marker in ("Play", "Use pretrained model", "real-samples"):
        assert marker in rendered


def test_tour_trains_the_app_in_the_kernel(run):
    printed = _printed(run(TOUR))
    stepped = re.search(r"Iteration after one step: (\d+)", printed)
    played = re.search(r"Iterations trained in the kernel: (\d+)", printed)
    assert stepped and int(stepped.group(1)) == 1932  # the pretrained gaussians model (1931), then one step
    # Play runs a periodic callback in the kernel's event loop; it must have trained past the single step
    assert played and int(played.group(1)) > 1932


def test_tour_plots_inline_holoviews(run):
    """The headless half draws HoloViews plots, inlined (bokeh's JS travels with the notebook)."""
    notebook = run(TOUR)
    plot_cells = [o for c, outputs in _outputs(notebook) if "samples_plot(" in c.source for o in outputs]
    assert any(PANEL_MIME in o.get("data", {}) for o in plot_cells)
    printed = _printed(notebook)
    assert "restored discriminator gives the same heatmap: True" in printed
