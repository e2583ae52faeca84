"""The on-air guard and the retire phase, planned (pure): what a deploy would interrupt, and how a
leaving flow is taken out of service (the hub moved off it first)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from streamfabric.deployment.manifest import stack_specs
from streamfabric.deployment.observed import RemoteState, VpcInterfaceState
from streamfabric.deployment.plan.deploy import plan_deploy
from streamfabric.deployment.plan.guard import Interruption, offline_verdict, on_air_verdict
from streamfabric.deployment.plan.instructions import RemoveVpcInterface, SetCallerSource, StopFlow
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES


def _model(extra: bool) -> Topology:
    doc: dict[str, Any] = json.loads((EXAMPLES / "minimal.json").read_text())
    if extra:
        doc["ingests"].append({**doc["ingests"][0], "name": "camera-two", "port": 5002})
    return parse_topology(json.dumps(doc).encode(), "minimal.json")


@pytest.fixture(scope="module")
def both() -> Topology:
    return _model(extra=True)


@pytest.fixture(scope="module")
def one() -> Topology:
    return _model(extra=False)


def _live_on(remote: RemoteState, model: Topology, ingest: str) -> RemoteState:
    live = remote.flows[model.flow_name("live")]
    assert live.source is not None
    source = replace(live.source, listener_address=samples.ip(ingest))
    return replace(remote, flows={**remote.flows, live.name: replace(live, source=source)})


def _without(remote: RemoteState, flow_name: str) -> RemoteState:
    """``flow_name`` observed as a flow of ours the topology no longer has (retired)."""
    flow = remote.flows[flow_name]
    flows = {name: f for name, f in remote.flows.items() if name != flow_name}
    return replace(remote, flows=flows, retired={flow.arn: flow})


def test_a_deployed_topology_interrupts_nothing(both: Topology) -> None:
    rendered = samples.files(both)
    remote = samples.deployed(both, rendered)
    plan = plan_deploy(both, stack_specs(rendered), remote, network=None)
    assert on_air_verdict(both, remote, plan) == ()


def test_removing_the_ingest_on_live_is_an_interruption_and_retire_moves_live_first(
    both: Topology, one: Topology
) -> None:
    remote = _without(
        _live_on(samples.deployed(both, samples.files(both)), both, "camera-two"), "minimal-camera-two"
    )
    plan = plan_deploy(one, stack_specs(samples.files(one)), remote, network=None)

    assert on_air_verdict(one, remote, plan) == (
        Interruption("live", "camera-two", "remove camera-two (flow minimal-camera-two)"),
    )
    retire = plan.phase("retire").steps
    move = retire[0]
    assert isinstance(move, SetCallerSource) and move.flow == "minimal-live"
    assert (move.ingest, move.address) == ("camera-one", samples.ip("camera-one"))
    stop = retire[1]
    assert isinstance(stop, StopFlow) and stop.flow == "minimal-camera-two"
    assert stop.after == (move.key,)
    assert [type(s).__name__ for s in retire[2:]] == ["DetachOutput", "DetachOutput", "RemoveVpcInterface"]


def test_removing_an_ingest_that_is_not_on_air_interrupts_nothing(both: Topology, one: Topology) -> None:
    remote = _without(samples.deployed(both, samples.files(both)), "minimal-camera-two")
    plan = plan_deploy(one, stack_specs(samples.files(one)), remote, network=None)
    assert on_air_verdict(one, remote, plan) == ()
    assert [s.flow for s in plan.phase("retire").steps][:1] == ["minimal-camera-two"]  # type: ignore[union-attr]
    assert not any(isinstance(s, SetCallerSource) for s in plan.phase("retire").steps)


def test_a_hub_flow_whose_interface_must_move_is_a_restart(one: Topology) -> None:
    remote = samples.deployed(one, samples.files(one))
    live = remote.flows["minimal-live"]
    moved = replace(live, vpc_interfaces=(replace(live.vpc_interfaces[0], subnet_id="subnet-old"),))
    assert isinstance(moved.vpc_interfaces[0], VpcInterfaceState)
    remote = replace(remote, flows={**remote.flows, "minimal-live": moved})
    plan = plan_deploy(one, stack_specs(samples.files(one)), remote, network=None)
    assert any(isinstance(s, RemoveVpcInterface) and s.flow == "minimal-live" for s in plan.steps)
    (verdict,) = on_air_verdict(one, remote, plan)
    assert (verdict.role, verdict.ingest) == ("live", "camera-one")
    assert verdict.what.startswith("restart the live flow minimal-live")
    assert "switch live away from camera-one first" in str(verdict)


def test_offline_verdict_names_the_ingests_whose_removal_would_interrupt(
    both: Topology, one: Topology
) -> None:
    assert offline_verdict(both, one) == ["would interrupt Live or Preview if camera-two is on air (removed)"]
    assert offline_verdict(one, both) == []
