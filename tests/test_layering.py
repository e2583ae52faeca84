"""The layers of src/streamfabric, enforced over the source's own imports (``ast``, no import runs).

The pipeline reads top to bottom: topology → render → deploy → switching → api/panel, with reports
beside deploy, aws/ the only code that talks to AWS, and the emulator (sandbox/) a model of AWS that
depends on nothing of ours but ``errors``. docs/architecture.md draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "streamfabric"

# What each layer may import of streamfabric (besides itself). A name is a top-level package or
# module of src/streamfabric; the drivers at the top (cli, commands, demo, __main__, the package's
# lazy __init__) may import anything and are not listed.
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "resources": frozenset(),
    "aws": frozenset({"errors"}),
    "topology": frozenset({"errors", "resources", "aws"}),
    # the runtime state document (runtime.py) and where it is kept (store.py: a file or S3)
    "state": frozenset({"errors", "aws", "topology"}),
    "rendering": frozenset({"errors", "resources", "topology", "state"}),
    "reports": frozenset({"errors", "resources", "aws", "topology", "rendering", "state"}),
    "deployment": frozenset({"errors", "resources", "aws", "topology", "rendering", "state"}),
    "switching": frozenset({"errors", "aws", "topology", "state"}),
    "panel": frozenset(),
    "api": frozenset({"errors", "aws", "topology", "state", "switching", "panel", "__init__"}),
    "sandbox": frozenset({"errors"}),
}
# cli/: the command, its output conventions, the demo, `sandbox serve`, the pre-commit hooks' entry
# points and the terraform binary's runner: drivers on top, which may import anything.
DRIVERS = frozenset({"cli", "__main__", "__init__"})
# Only these talk to AWS themselves (create sessions or clients): aws/ for the product; the emulator
# and the demo, which seeds the emulator it starts, drive their own endpoint.
TALKS_TO_AWS = ("aws/", "sandbox/", "cli/demo.py")


def layer_of(path: Path, root: Path = SRC) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def module_of(path: Path, root: Path = SRC) -> list[str]:
    parts = ["streamfabric", *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_layers(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """(line, layer) for every streamfabric module the file imports, relative or absolute."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module = module_of(path, root)
    package = module if path.name == "__init__.py" else module[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        targets: list[list[str]] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = base + (node.module.split(".") if node.module else [])
            else:
                mod = (node.module or "").split(".")
            if mod[:1] != ["streamfabric"]:
                continue
            # from streamfabric import x / from .. import x: x is a module or an attribute
            targets = [[*mod, alias.name] for alias in node.names] if len(mod) == 1 else [mod]
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".") for a in node.names if a.name.split(".")[0] == "streamfabric"]
        for target in targets:
            name = target[1] if len(target) > 1 else "__init__"
            if name not in ALLOWED and name not in DRIVERS:
                name = "__init__"  # an attribute of the package (__version__, a lazy re-export)
            found.append((node.lineno, name))
    return found


def layering_violations(root: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        layer = layer_of(path, root)
        if layer in DRIVERS:
            continue
        allowed = ALLOWED.get(layer)
        if allowed is None:
            problems.append(f"{path.relative_to(root)}: layer {layer!r} has no place in ALLOWED")
            continue
        for line, target in imported_layers(path, root):
            if target != layer and target not in allowed:
                problems.append(f"{path.relative_to(root)}:{line}: {layer} may not import {target}")
    return problems


def aws_call_violations(root: Path = SRC) -> list[str]:
    """Clients and sessions made outside aws/: ``x.client("s3")``, ``boto3.session.Session(...)``.
    Asking the gateway (``gateway.client(...)``, ``self.gateway.client(...)``) is the sanctioned way."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).as_posix().startswith(TALKS_TO_AWS):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            attr = node.func.attr
            receiver = ast.unparse(node.func.value)
            if receiver.split(".")[-1] in {"gateway", "_gateway"}:
                continue
            literal_service = bool(node.args) and isinstance(node.args[0], ast.Constant)
            if (attr in {"client", "resource"} and literal_service) or attr == "Session":
                problems.append(f"{path.relative_to(root)}:{node.lineno}: {attr}() outside aws/")
    return problems


def _module_files(root: Path) -> dict[str, Path]:
    return {".".join(module_of(path, root)): path for path in sorted(root.rglob("*.py"))}


def imported_modules(path: Path, root: Path, known: set[str]) -> set[str]:
    """Every module of ours ``path`` imports, anywhere in it (function-local imports too): a name
    ``a.b.c`` is the longest of its prefixes that is a module of ``known``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module = module_of(path, root)
    package = module if path.name == "__init__.py" else module[:-1]
    names: list[list[str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = base + (node.module.split(".") if node.module else [])
            else:
                mod = (node.module or "").split(".")
            names.extend([*mod, alias.name] for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name.split(".") for alias in node.names)
    found: set[str] = set()
    for parts in names:
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                found.add(".".join(parts[:end]))
                break
    found.discard(".".join(module))
    return found


def import_cycles(root: Path = SRC) -> list[list[str]]:
    """Sets of modules that import each other in a loop (Tarjan's strongly connected components);
    a package's ``__init__`` importing its own modules is not a loop unless they import it back."""
    files = _module_files(root)
    graph = {name: sorted(imported_modules(path, root, set(files))) for name, path in files.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return cycles


# Inside deployment/: planning is pure (it neither talks to AWS nor knows the executor or the
# reads), and the executor does not plan.
SUBLAYERS: dict[str, tuple[str, ...]] = {
    "streamfabric.deployment.plan": (
        "streamfabric.aws",
        "streamfabric.deployment.execute",
        "streamfabric.deployment.observe",
        "streamfabric.deployment.reads",
        "streamfabric.deployment.pipeline",
    ),
    "streamfabric.deployment.execute": (
        "streamfabric.deployment.plan.deploy",
        "streamfabric.deployment.plan.flows",
        "streamfabric.deployment.plan.retire",
        "streamfabric.deployment.plan.guard",
        "streamfabric.deployment.pipeline",
    ),
}


def sublayer_violations(root: Path = SRC) -> list[str]:
    files = _module_files(root)
    problems = []
    for name, path in files.items():
        for inner, forbidden in SUBLAYERS.items():
            if name != inner and not name.startswith(inner + "."):
                continue
            for target in sorted(imported_modules(path, root, set(files))):
                if any(target == f or target.startswith(f + ".") for f in forbidden):
                    problems.append(f"{path.relative_to(root)}: {inner} may not import {target}")
    return problems


def test_no_import_cycle_anywhere() -> None:
    assert import_cycles() == []


def test_planning_imports_neither_aws_nor_the_executor() -> None:
    assert sublayer_violations() == []


def test_the_cycle_check_finds_a_loop_hidden_in_a_function(tmp_path: Path) -> None:
    (tmp_path / "deployment").mkdir()
    (tmp_path / "deployment" / "__init__.py").write_text("")
    (tmp_path / "deployment" / "guard.py").write_text("from .retire import replaced\n")
    (tmp_path / "deployment" / "retire.py").write_text("def f():\n    from .guard import on_air\n")
    assert import_cycles(tmp_path) == [["streamfabric.deployment.guard", "streamfabric.deployment.retire"]]


def test_the_sublayer_check_fails_when_planning_imports_the_gateway(tmp_path: Path) -> None:
    (tmp_path / "deployment" / "plan").mkdir(parents=True)
    (tmp_path / "aws").mkdir()
    (tmp_path / "aws" / "gateway.py").write_text("")
    (tmp_path / "deployment" / "plan" / "x.py").write_text("from ...aws.gateway import AwsGateway\n")
    assert sublayer_violations(tmp_path) == [
        "deployment/plan/x.py: streamfabric.deployment.plan may not import streamfabric.aws.gateway"
    ]


def test_no_layer_imports_a_layer_above_it() -> None:
    assert layering_violations() == []


def test_only_aws_makes_clients_and_sessions() -> None:
    assert aws_call_violations() == []


def test_every_source_package_has_a_layer() -> None:
    names = {p.name if p.is_dir() else p.stem for p in SRC.iterdir() if p.suffix == ".py" or p.is_dir()}
    names -= {"__pycache__", "_data"}
    assert names <= set(ALLOWED) | DRIVERS


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("topology/x.py", "from ..deployment import deploy\n", "topology may not import deployment"),
        (
            "rendering/x.py",
            "from streamfabric.switching import Switcher\n",
            "rendering may not import switching",
        ),
        ("sandbox/x.py", "from ..aws.gateway import AwsGateway\n", "sandbox may not import aws"),
        ("switching/x.py", "from .. import api\n", "switching may not import api"),
    ],
)
def test_the_check_fails_when_a_lower_layer_imports_an_upper_one(
    tmp_path: Path, where: str, source: str, expected: str
) -> None:
    (tmp_path / where).parent.mkdir(parents=True)
    (tmp_path / where).write_text(source)
    problems = layering_violations(tmp_path)
    assert any(expected in p for p in problems), problems


def test_the_aws_check_fails_on_a_client_made_outside_aws(tmp_path: Path) -> None:
    (tmp_path / "switching").mkdir()
    (tmp_path / "switching" / "x.py").write_text("def f(s):\n    return s.client('mediaconnect')\n")
    problems = aws_call_violations(tmp_path)
    assert problems == ["switching/x.py:2: client() outside aws/"]
