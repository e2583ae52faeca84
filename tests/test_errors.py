"""Every exception streamfabric raises on purpose names its own ``kind``: the ``error`` of the CLI's
JSON error object, an interface that a class rename must not change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamfabric.cli.main import main
from streamfabric.cli.output import error_kind
from streamfabric.errors import ConflictError, StreamfabricError

ROOT = Path(__file__).resolve().parents[1]

# Import every module of the package (in a child process: importing the sandbox's moto extension
# must not change this test process), then walk StreamfabricError's subclasses.
_WALK = """
import importlib, json, pkgutil, streamfabric
from streamfabric.errors import StreamfabricError
for info in pkgutil.walk_packages(streamfabric.__path__, "streamfabric."):
    if not info.name.endswith(".__main__"):
        importlib.import_module(info.name)
def walk(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from walk(sub)
rows = {(c.__module__, c.__qualname__, c.__dict__.get("kind")) for c in walk(StreamfabricError)}
print(json.dumps(sorted(rows)))
"""

# What each kind was when it was derived from the class name: the CLI's output must not change.
KINDS = {
    "AwsError": "aws",
    "ConflictError": "conflict",
    "DeployError": "deploy",
    "EmulatorError": "emulator",
    "GraphvizError": "graphviz",
    "HclFormatError": "hcl_format",
    "IngestNotActiveError": "ingest_not_active",
    "NotFoundError": "not_found",
    "OnAirError": "on_air",
    "LeaseHeldError": "lease_held",
    "LeaseLostError": "lease_lost",
    "PackageError": "package",
    "PresetError": "preset",
    "PriceError": "price",
    "RenderError": "render",
    "SignalCheckError": "signal_check",
    "SourceError": "source",
    "StackFailed": "stack_failed",
    "StateError": "state",
    "StillUpdatingError": "still_updating",
    "SwitchError": "switch",
    "TerraformError": "terraform",
    "TerraformRenderError": "terraform_render",
    "ThrottledError": "throttled",
    "TopologyError": "topology",
    "UnknownIngestError": "unknown_ingest",
    "UsageError": "usage",
}


def _subclasses() -> list[tuple[str, str, str | None]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", _WALK], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    return [tuple(row) for row in json.loads(proc.stdout)]  # type: ignore[misc]


def test_every_streamfabric_error_names_its_own_kind() -> None:
    found = [row for row in _subclasses() if row[0].startswith("streamfabric.")]
    assert len(found) >= len(KINDS), f"the walk missed classes: {found}"
    without = [f"{module}.{name}" for module, name, kind in found if not kind]
    assert not without, f"no kind of their own (add kind = '...'): {without}"
    kinds = {name: kind for _, name, kind in found}
    assert kinds == KINDS
    assert len(set(kinds.values())) == len(kinds), "two classes share a kind"


def test_the_kind_is_the_class_attribute_not_the_class_name() -> None:
    class Renamed(ConflictError):  # a subclass that names no kind keeps its parent's
        pass

    assert error_kind(Renamed("x")) == "conflict"
    assert error_kind(StreamfabricError("x")) == "streamfabric"
    assert error_kind(ValueError("x")) == "error"


def test_the_json_error_object_carries_the_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamfabric.cli.commands import cost

    class Odd(StreamfabricError):
        kind = "an_odd_kind"

    def fail(_: object) -> int:
        raise Odd("it went wrong")

    monkeypatch.setattr(cost, "run", fail)
    assert main(["cost", str(ROOT / "examples" / "minimal.json"), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"error": "an_odd_kind", "message": "it went wrong"}
    assert captured.err == "error: it went wrong\n"
