"""Compare-and-set reads AWS, never the Switcher's remembered view: after a change made outside
streamfabric (a plain boto3 UpdateFlowSource, which writes no audit record), a switch or a take given
``expected`` refuses when AWS no longer carries what was expected, and goes ahead when it does."""

from __future__ import annotations

import pytest

from streamfabric.errors import ConflictError
from streamfabric.switching import Switcher

from .conftest import World

pytestmark = pytest.mark.integration


def _out_of_band(world: World, sw: Switcher, role: str, ingest: str) -> None:
    """``role``'s hub flow now listens to ``ingest``: UpdateFlowSource with plain boto3."""
    state = sw.state
    hub, target = state.hub_flow(role), state.ingests[ingest]  # type: ignore[arg-type]
    client = world.session().client("mediaconnect", region_name=state.hub_region)
    client.update_flow_source(
        FlowArn=hub.flow_arn,
        SourceArn=hub.source_arn,
        SourceListenerAddress=target.private_ip,
        SourceListenerPort=target.port(role),  # type: ignore[arg-type]
    )
    assert world.hub_source(role)["Transport"]["SourceListenerAddress"] == target.private_ip


def test_switch_with_expected_reads_aws_after_an_out_of_band_update(on_air_reset: World) -> None:
    world = on_air_reset
    sw = world.switcher()
    assert sw.status().live.ingest == "main-stage"  # remembered: main-stage on Live
    _out_of_band(world, sw, "live", "boston-remote")
    with pytest.raises(ConflictError) as excinfo:
        sw.switch("nyc-studio", "live", expected="main-stage", force=True)
    assert (excinfo.value.on_air, excinfo.value.expected) == ("boston-remote", "main-stage")
    live = world.hub_source("live")["Transport"]["SourceListenerAddress"]
    assert live == sw.state.ingests["boston-remote"].private_ip  # nothing was switched
    assert sw.history()[-1].outcome == "conflict"
    # what AWS carries now is what may be expected
    assert sw.switch("nyc-studio", "live", expected="boston-remote", force=True).changed


def test_take_with_expected_reads_aws_after_an_out_of_band_update(on_air_reset: World) -> None:
    world = on_air_reset
    sw = world.switcher()
    status = sw.status()
    assert (status.live.ingest, status.preview.ingest) == ("main-stage", "tent-stage")
    _out_of_band(world, sw, "preview", "sydney-stage")
    with pytest.raises(ConflictError) as excinfo:
        sw.take(expected_live="main-stage", expected_preview="tent-stage", force=True)
    assert (excinfo.value.on_air, excinfo.value.expected) == ("sydney-stage", "tent-stage")
    live = world.hub_source("live")["Transport"]["SourceListenerAddress"]
    assert live == sw.state.ingests["main-stage"].private_ip  # nothing was switched
    taken = sw.take(expected_live="main-stage", expected_preview="sydney-stage", force=True)
    assert (taken.live, taken.preview) == ("sydney-stage", "main-stage")
