"""The package's layout rules: a small public face at the top level, modules short enough to read, and no
import cycles (imports inside functions count: they only postpone a cycle to the first call)."""

from __future__ import annotations

from package_imports import PACKAGE, import_graph, modules

PUBLIC_FACE = {"__init__", "__main__", "experiment", "cli", "app", "compare"}
MAX_TOP_LEVEL = 6
MAX_LINES = 450


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None: a depth-first search that meets a module on its own path."""
    done, path, on_path = set(), [], set()

    def visit(node):
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return path[path.index(target) :] + [target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(path.pop())
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done and (cycle := visit(node)):
            return cycle
    return None


def test_the_top_level_is_the_public_face():
    top = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, (
        f"{len(top)} modules at the top of ganlab_panel/: {top} (the public face: {sorted(PUBLIC_FACE)}; "
        "the rest belongs in a subpackage)"
    )


def test_no_module_is_longer_than_450_lines():
    lengths = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    long = {name: n for name, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_find_cycle_finds_one_and_only_one_that_is_there():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"b"}}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"b", "d"}, "d": set()}) == ["b", "c", "b"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_public_face_imports():
    from ganlab_panel import Experiment, GanConfig
    from ganlab_panel.app import GanLab
    from ganlab_panel.compare import Comparison

    assert all(isinstance(c, type) for c in (Experiment, GanConfig, GanLab, Comparison))
