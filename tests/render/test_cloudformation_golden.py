"""Golden output of the CloudFormation renderer for examples/festival.json, both network modes.

``STREAMFABRIC_UPDATE_GOLDEN=1`` rewrites ``tests/golden/cloudformation/`` (then review the diff).
"""

from __future__ import annotations

import dataclasses

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
