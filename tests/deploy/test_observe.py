"""Observation's own rules (pure parts): an unreadable runtime state is an error, not an empty
inventory (it records what earlier deploys made where the topology no longer says)."""

from __future__ import annotations

import pytest

from streamfabric.deployment.observe import recorded
from streamfabric.errors import DeployError
from streamfabric.state.runtime import Inventory


def test_no_runtime_state_is_an_empty_inventory() -> None:
    assert recorded(None, "s3://b/festival.state.json") == Inventory()
    assert recorded("", "s3://b/festival.state.json") == Inventory()


@pytest.mark.parametrize("text", ["{not json", '{"version": 99}', '{"version": 1}'])
def test_an_unreadable_runtime_state_stops_the_deploy_naming_it(text: str) -> None:
    with pytest.raises(DeployError) as refused:
        recorded(text, "s3://b/festival.state.json")
    message = str(refused.value)
    assert message.startswith("s3://b/festival.state.json: ")
    assert "nothing is changed without it" in message
    assert "restore an earlier version of s3://b/festival.state.json, or delete it" in message
