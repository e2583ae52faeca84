"""Golden output of the CloudFormation renderer for examples/festival.json, both network modes.

``STREAMFABRIC_UPDATE_GOLDEN=1`` rewrites ``tests/golden/cloudformation/`` (then review the diff).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from golden_util import assert_golden
from streamfabric.rendering.cloudformation import render_cloudformation
from streamfabric.topology.model import SourceInfo, Topology


@pytest.mark.parametrize("mode", ["terraform", "cloudformation"])
def test_festival_golden(festival: Topology, mode: str) -> None:
    # The header names the topology's path: make it independent of where the checkout lives.
    model = dataclasses.replace(
        festival, source=SourceInfo(uri="examples/festival.json", sha256=festival.source.sha256)
    )
    files = render_cloudformation(model, mode)  # type: ignore[arg-type]
    assert_golden(
        f"cloudformation/{mode}-network",
        {path.removeprefix("cloudformation/"): text for path, text in files.items()},
    )


def test_cloudformation_renders_byte_identical_under_any_hash_seed() -> None:
    """Rendered in separate processes with different hash seeds (a set or dict iterated in hash
    order would differ between them, which rendering twice in one process cannot see): the same
    files, in the same order, byte for byte, for both network modes and the control API."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    script = (
        "import hashlib, json, sys;"
        "from streamfabric.topology.loading import load_topology;"
        "from streamfabric.rendering import render;"
        "m = load_topology(sys.argv[1]);"
        "f = {**render(m, 'cloudformation'), **render(m, 'terraform')};"
        "print(hashlib.sha256(json.dumps(list(f.items())).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("0", "1", "2", "12345"):
        proc = subprocess.run(
            [sys.executable, "-c", script, "examples/festival.json"],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root / "src")},
        )
        digests.add(proc.stdout.strip())
    assert len(digests) == 1, digests
