"""The emulator's tree (src/streamfabric/sandbox/): no import cycle inside it, no module over 500 lines.

Imports are read from the source with ``ast`` (nothing is imported), every one of them: at module
level and inside functions alike, since a cycle closed by a deferred import is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "src" / "streamfabric" / "sandbox"
PACKAGE = "streamfabric.sandbox"
MAX_LINES = 500


def module_name(path: Path, root: Path, package: str) -> str:
    parts = [*package.split("."), *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(root: Path, package: str) -> dict[str, Path]:
    return {module_name(path, root, package): path for path in sorted(root.rglob("*.py"))}


def _imported(node: ast.AST, name: str, is_package: bool) -> Iterator[str]:
    """The dotted names one import statement of module ``name`` refers to (modules or attributes)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = name.split(".") if is_package else name.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        yield module
        yield from (f"{module}.{alias.name}" for alias in node.names)


def import_graph(root: Path = SANDBOX, package: str = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports."""
    modules = _modules(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets = {
            target
            for node in ast.walk(tree)
            for target in _imported(node, name, path.name == "__init__.py")
            if target in modules and target != name
        }
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first search (each as the path that closes it)."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_there_is_no_import_cycle_in_the_sandbox() -> None:
    graph = import_graph()
    assert len(graph) > 20
    assert import_cycles(graph) == []


def test_no_sandbox_module_is_over_500_lines() -> None:
    sizes = {
        str(path.relative_to(SANDBOX)): len(path.read_text().splitlines()) for path in SANDBOX.rglob("*.py")
    }
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def test_the_tree_is_laid_out_like_moto() -> None:
    names = set(_modules(SANDBOX, PACKAGE))
    for expected in (
        "mediaconnect.models",
        "mediaconnect.responses",
        "cloudformation.resources.mediaconnect",
        "cloudformation.changesets",
        "cloudformation.updates",
        "ec2.subnets",
        "patching",
        "server",
        "presets",
    ):
        assert f"{PACKAGE}.{expected}" in names
    flat = ("moto_cfn", "moto_mc_", "moto_mediaconnect", "moto_ext", "moto_dispatch", "moto_ec2")
    assert not [name for name in names if name.rsplit(".", 1)[-1].startswith(flat)]  # the old flat modules


def test_the_check_finds_a_cycle_through_a_deferred_import(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "inner" / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("from .inner.b import f\n")
    (tmp_path / "inner" / "b.py").write_text("def f():\n    from .. import a\n    return a\n")
    (tmp_path / "c.py").write_text("import pkg.a\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.c"] == {"pkg.a"}
    assert import_cycles(graph) == [["pkg.a", "pkg.inner.b", "pkg.a"]]
