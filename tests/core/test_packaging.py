"""pyproject.toml and environment.yml install the same packages with the same version ranges."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]
CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name
NOT_PACKAGES = {"python", "pip"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


def _split(requirement: str) -> tuple[str, str]:
    """(normalised name, version spec without spaces) of `name[extras] spec` or conda's `name spec`."""
    requirement = requirement.split(";")[0].split("#")[0]
    match = REQUIREMENT.match(requirement)
    assert match, f"cannot read requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return CONDA_NAMES.get(name, name), match.group(3).replace(" ", "")


def _environment_dependencies(text: str) -> list[str]:
    """`- entry` lines under `dependencies:`, including a `- pip:` sublist (no YAML library needed)."""
    entries, inside = [], False
    for line in text.splitlines():
        content = line.split(" #")[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        if not line[0].isspace():  # a top-level key
            inside = content.startswith("dependencies:")
            continue
        item = content.strip()
        if inside and item.startswith("- "):
            value = item[2:].strip().strip("'\"")
            if value != "pip:" and not value.startswith(("-e ", "--", ".", "/")):
                entries.append(value)
    return entries


def _pyproject():
    return {
        name: spec
        for name, spec in map(_split, tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    }


def _environment():
    path = ROOT / "environment.yml"
    assert path.exists(), "environment.yml is missing: conda users need it"
    pairs = map(_split, _environment_dependencies(path.read_text()))
    return {name: spec for name, spec in pairs if name not in NOT_PACKAGES}


def test_environment_yml_names_the_same_packages_as_pyproject():
    assert sorted(_environment()) == sorted(_pyproject())


def test_environment_yml_uses_the_same_version_ranges_as_pyproject():
    assert _environment() == _pyproject()


def test_dependency_list_parser_reads_conda_and_pip_entries():
    text = """name: demo
channels:
  - conda-forge
dependencies:
  - python>=3.10  # comment
  - numpy>=1.26,<3
  - pytorch >=2.2,<2.14
  - Some_Package[extra]==1.0
  - pip
  - pip:
      - -e .
      - holoviews>=1.20
other:
  - notadependency
"""
    assert _environment_dependencies(text) == [
        "python>=3.10",
        "numpy>=1.26,<3",
        "pytorch >=2.2,<2.14",
        "Some_Package[extra]==1.0",
        "pip",
        "holoviews>=1.20",
    ]
    assert _split("pytorch >=2.2,<2.14") == ("torch", ">=2.2,<2.14")
    assert _split("Some_Package[extra]==1.0") == ("some-package", "==1.0")


def test_core_modules_run_headless_without_panel_bokeh_or_torch():
    core = ["config", "distributions", "noise", "losses", "metrics", "history", "presets", "frame", "trainer"]
    core += ["experiment", "checkpoints", "colors", "layers", "picture", "exports", "timeline", "training_state"]
    core += ["pacing", "explanations"]
    code = (
        "import importlib, importlib.util, sys\n"
        f"for name in {core!r}:\n"
        "    if importlib.util.find_spec('ganlab_panel.' + name):\n"
        "        importlib.import_module('ganlab_panel.' + name)\n"
        "print(sorted(m for m in ('panel', 'bokeh', 'holoviews', 'torch') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
