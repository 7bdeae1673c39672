"""The package's modules and what each imports, read from the source: every import statement, those inside
functions too, with relative imports resolved against the importing module's package. Shared by the layout
and contract tests (pyproject's pytest `pythonpath` puts tests/ on sys.path)."""

from __future__ import annotations

import ast
from pathlib import Path

import ganlab_panel

PACKAGE = Path(ganlab_panel.__file__).parent


def module_name(path: Path) -> str:
    """ganlab_panel/views/layered.py -> ganlab_panel.views.layered; a package's __init__.py -> the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package by name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a `from ... import` names: level 1 is the importing module's own package."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > len(package):
        raise ImportError(f"{module}: relative import beyond the top-level package")
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path):
    return imports_in(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool = False):
    """(module, names) per import in `module`'s source: ("a.b", []) for `import a.b`, ("P", ["a", "b"]) for
    `from P import a, b`, with P absolute."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield _resolve(node, module, is_package), [a.name for a in node.names if a.name != "*"]


def imported_names(path: Path) -> set[str]:
    """Dotted names the module's imports name: for `from P import a` both P and P.a (a may be a module)."""
    return {name for base, names in _imports(path) for name in [base, *(f"{base}.{n}" for n in names)]}


def _known_prefix(name: str, known) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(path: Path, known) -> set[str]:
    """The package's modules that `path` imports: `from P import a` is an edge to P.a where that is a module,
    else to P. Not to the packages above an imported module: their __init__ runs first at import time, but
    an edge for that would put every package's __init__ in a cycle that it does not cause."""
    edges = set()
    for base, names in _imports(path):
        targets = [f"{base}.{n}" if f"{base}.{n}" in known else base for n in names] or [base]
        edges.update(_known_prefix(t, known) for t in targets)
    return edges - {None, module_name(path)}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    known = modules()
    return {name: imported_modules(path, known) for name, path in known.items()}
