"""The one registry of what the emulator changes in moto (sandbox/patching.py), and the private parts
of moto it uses (sandbox/moto_internals.py): every target exists in the installed moto, as the
registry recorded it for the pinned one (a moto that changed something we patch fails here), the
patches apply in the registry's order, once, from any number of threads, and nothing else in the
emulator patches moto or reaches into its private attributes."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from streamfabric.sandbox import moto_internals, patching
from streamfabric.sandbox.moto_internals import Private
from streamfabric.sandbox.patch import ABSENT, MARK, How, Patch, numbered, problems

SRC = Path(__file__).resolve().parents[2] / "src"
SANDBOX = SRC / "streamfabric" / "sandbox"
# Our own private names that the emulator's modules use on objects other than self/cls.
OWN_PRIVATE = frozenset({"_delete", "_REGISTRY"})

_PROBE = """
import json
import os
from streamfabric.sandbox import moto_internals, patch, patching
print(json.dumps({"patches": patch.problems(patching.REGISTRY), "private": moto_internals.problems()}))
"""


@pytest.fixture(scope="module")
def pristine() -> dict[str, list[str]]:
    """The checks, run where nothing is installed yet (a new interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=300,
    )
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_every_patch_target_exists_as_the_registry_recorded_it(pristine: dict[str, list[str]]) -> None:
    assert pristine["patches"] == []


def test_every_private_attribute_exists_as_the_registry_recorded_it(pristine: dict[str, list[str]]) -> None:
    assert pristine["private"] == []


def test_the_check_fails_when_moto_changed_or_lacks_a_target() -> None:
    registry = numbered(
        (
            Patch(How.WRAP, "moto.cloudformation.models:Stack.parse_template", len, "test", "(template)"),
            Patch(How.WRAP, "moto.cloudformation.models:Stack.no_such_method", len, "test", "(self)"),
            Patch(How.WRAP, "moto.no_such_module:function", len, "test", "(x)"),
            Patch(How.ADD, "moto.cloudformation.models:Stack.update", len, "test", ABSENT),
            Patch(
                How.MODEL,
                "moto.cloudformation.parsing:get_model_map",
                len,
                "test",
                ABSENT,
                key="AWS::EC2::VPC",
            ),
        )
    )
    found = problems(registry)
    assert len(found) == 5
    assert "moto has \"(template: 'str') -> 'dict[str, Any]'\"" in found[0]
    assert "no_such_method does not exist" in found[1] or "records" in found[1]
    assert "the target does not exist" in found[2]
    assert 'moto has "present: (self, template' in found[3]
    assert "moto.ec2.models.vpcs.VPC" in found[4]


def test_the_check_fails_when_moto_lacks_a_private_attribute() -> None:
    missing = (
        Private("moto.mediaconnect.models:MediaConnectBackend._no_such_attribute", "attribute", "", "test"),
        Private("moto.cloudformation.models:Stack._no_such_method", "method", "(self)", "test"),
        Private("moto.cloudformation.models:Stack._add_stack_event", "method", "(self)", "test"),
        Private("moto.moto_api._internal:no_such_thing", "module attribute", "", "test"),
    )
    found = moto_internals.problems(missing)
    assert len(found) == 4, found
    assert "no longer sets _no_such_attribute" in found[0]
    assert "moto has" in found[2]


def test_each_patch_says_why_and_has_its_own_id() -> None:
    ids = [patch.id for patch in patching.REGISTRY]
    assert len(ids) == len(set(ids))
    assert all(patch.why.strip() and patch.original for patch in patching.REGISTRY)


def test_install_applies_the_registry_in_order_once_from_many_threads() -> None:
    threads = [threading.Thread(target=patching.install) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    patching.install()
    wrapped: dict[str, list[str]] = {}
    for patch in patching.REGISTRY:
        if patch.how in (How.WRAP, How.WRAP_CLASSMETHOD):
            wrapped.setdefault(patch.target, []).append(patch.id)
    assert wrapped["moto.cloudformation.models:Stack.update"] == [
        "moto.cloudformation.models:Stack.update",  # cloudformation/failures.py: the inner one
        "moto.cloudformation.models:Stack.update#2",  # cloudformation/updates.py: around it
    ]
    for target, ids in wrapped.items():
        module, qualified = target.split(":")
        value: object = importlib.import_module(module)
        for part in qualified.split("."):
            value = getattr(value, part)
        value = getattr(value, "__func__", value)
        assert getattr(value, MARK) == tuple(ids), target


def test_the_models_are_moto_cloudformations() -> None:
    from moto.cloudformation.parsing import get_model_map

    patching.install()
    models = get_model_map()
    for patch in patching.REGISTRY:
        if patch.how is How.MODEL:
            assert models[patch.key] is patch.replacement


def _sandbox_modules() -> list[Path]:
    return sorted(SANDBOX.rglob("*.py"))


def _moto_names(tree: ast.AST) -> set[str]:
    """The names a module binds to moto's modules and classes (``from moto.x import Y``, ``import moto``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {
                (a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "moto"
            }
    return names


def _root(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_only_the_registry_patches_moto() -> None:
    """No module keeps its own install() or _patch helper, or sets an attribute of moto's modules and
    classes (patch.py applies the registry's patches)."""
    found = []
    for path in _sandbox_modules():
        tree = ast.parse(path.read_text())
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        if path.name != "patching.py" and "install" in functions:
            found.append(f"{path.name}: install()")
        found += [f"{path.name}: {name}()" for name in functions if name.startswith("_patch")]
        moto = _moto_names(tree)
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            found += [
                f"{path.name}:{node.lineno}: {ast.unparse(target)} ="
                for target in targets
                if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in moto
            ]
            setting = isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("setattr", "delattr")
            if setting and node.args and _root(node.args[0]) in moto:  # type: ignore[attr-defined]
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_private_parts_of_moto_are_reached_only_through_moto_internals() -> None:
    found = []
    for path in _sandbox_modules():
        if path.name in ("moto_internals.py", "patch.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            module = (node.module or "").split(".") if isinstance(node, ast.ImportFrom) else []
            if module[:1] == ["moto"] and any(part.startswith("_") for part in module):
                found.append(f"{path.name}:{node.lineno}: from {node.module}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in OWN_PRIVATE
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    assert found == []
