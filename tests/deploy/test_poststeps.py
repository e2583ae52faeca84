"""The post-step planner: only what observation shows missing (whole plans compared)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from streamfabric.deployment.network import NetworkOutputs, load_terraform_outputs
from streamfabric.deployment.observed import RemoteState, SourceState
from streamfabric.deployment.plan.flows import plan_poststeps
from streamfabric.deployment.plan.instructions import (
    AddVpcInterface,
    AttachOutput,
    AwaitFlow,
    DetachOutput,
    RemoveVpcInterface,
    SetCallerSource,
    StartFlow,
    StopFlow,
)
from streamfabric.deployment.plan.values import InterfaceAddress
from streamfabric.errors import DeployError
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def festival() -> Topology:
    return load_topology(str(EXAMPLES / "festival.json"))


@pytest.fixture(scope="module")
def network(festival: Topology) -> NetworkOutputs:
    return load_terraform_outputs(samples.terraform_outputs(festival), festival)


@pytest.fixture(scope="module")
def deployed(festival: Topology) -> RemoteState:
    return samples.deployed(festival, samples.files(festival, network="terraform"), network="terraform")


def with_flow(remote: RemoteState, name: str, **changes: object) -> RemoteState:
    return replace(remote, flows={**remote.flows, name: replace(remote.flows[name], **changes)})  # type: ignore[arg-type]


def test_nothing_missing(festival: Topology, deployed: RemoteState, network: NetworkOutputs) -> None:
    assert plan_poststeps(festival, deployed, network) == ()


def test_outputs_not_yet_on_the_interface(
    festival: Topology, deployed: RemoteState, network: NetworkOutputs
) -> None:
    flow = deployed.flows["festival-boston-remote"]
    detached = tuple(replace(o, vpc_interface=None) for o in flow.outputs)
    remote = with_flow(deployed, flow.name, outputs=detached, status="STANDBY")
    arn = flow.arn
    assert plan_poststeps(festival, remote, network) == (
        AttachOutput(
            region="us-east-1",
            flow=flow.name,
            flow_arn=arn,
            output="to-live",
            output_arn=f"arn:output:{flow.name}:to-live",
            vpc_interface="boston-remote-vpc",
        ),
        AttachOutput(
            region="us-east-1",
            flow=flow.name,
            flow_arn=arn,
            output="to-preview",
            output_arn=f"arn:output:{flow.name}:to-preview",
            vpc_interface="boston-remote-vpc",
            after=(f"{flow.name}:attach-output:to-live",),
        ),
        StartFlow(
            region="us-east-1", flow=flow.name, flow_arn=arn, after=(f"{flow.name}:attach-output:to-preview",)
        ),
    )


def test_a_switch_is_kept(festival: Topology, deployed: RemoteState, network: NetworkOutputs) -> None:
    live = deployed.flows["festival-live"]
    assert live.source is not None
    switched = replace(live.source, listener_address=samples.ip("nyc-studio"))
    assert plan_poststeps(festival, with_flow(deployed, live.name, source=switched), network) == ()


def test_a_source_on_no_ingest_goes_back_to_the_starting_one(
    festival: Topology, deployed: RemoteState, network: NetworkOutputs
) -> None:
    live = deployed.flows["festival-live"]
    standby = SourceState(
        name="standby",
        arn=live.source.arn,
        protocol="srt-listener",  # type: ignore[union-attr]
        ingest_port=7000,
        whitelist_cidr="10.0.0.0/16",
    )
    steps = plan_poststeps(
        festival, with_flow(deployed, live.name, source=standby, status="STANDBY"), network
    )
    hub = network.region("eu-west-1")
    assert steps == (
        SetCallerSource(
            region="eu-west-1",
            flow="festival-live",
            flow_arn=live.arn,
            source_arn=live.source.arn,  # type: ignore[union-attr]
            vpc_interface="live-vpc",
            ingest="main-stage",
            address=samples.ip("main-stage"),
            port=7000,
            min_latency_ms=500,
            secret_arn=hub.hop_secret_arn,
            role_arn=hub.role_arn,
        ),
        StartFlow(
            region="eu-west-1",
            flow="festival-live",
            flow_arn=live.arn,
            after=("festival-live:caller-source",),
        ),
    )


def test_an_interface_in_the_wrong_subnet_is_replaced(
    festival: Topology, deployed: RemoteState, network: NetworkOutputs
) -> None:
    ingest = deployed.flows["festival-main-stage"]
    wrong = tuple(replace(v, subnet_id="subnet-old") for v in ingest.vpc_interfaces)
    steps = plan_poststeps(festival, with_flow(deployed, ingest.name, vpc_interfaces=wrong), network)
    name, arn, region = ingest.name, ingest.arn, "eu-west-1"
    net = network.region(region)
    out = f"arn:output:{name}"
    assert steps[:8] == (
        StopFlow(region=region, flow=name, flow_arn=arn),
        DetachOutput(
            region=region,
            flow=name,
            flow_arn=arn,
            output="to-live",
            output_arn=f"{out}:to-live",
            after=(f"{name}:stop",),
        ),
        DetachOutput(
            region=region,
            flow=name,
            flow_arn=arn,
            output="to-preview",
            output_arn=f"{out}:to-preview",
            after=(f"{name}:detach-output:to-live",),
        ),
        RemoveVpcInterface(
            region=region,
            flow=name,
            flow_arn=arn,
            name="main-stage-vpc",
            after=(f"{name}:detach-output:to-preview",),
        ),
        AddVpcInterface(
            region=region,
            flow=name,
            flow_arn=arn,
            name="main-stage-vpc",
            subnet_id=net.subnet_id,
            security_group_id=net.security_group_id,
            role_arn=net.role_arn,
            after=(f"{name}:remove-vpc-interface:main-stage-vpc",),
        ),
        AttachOutput(
            region=region,
            flow=name,
            flow_arn=arn,
            output="to-live",
            output_arn=f"{out}:to-live",
            vpc_interface="main-stage-vpc",
            after=(f"{name}:add-vpc-interface:main-stage-vpc",),
        ),
        AttachOutput(
            region=region,
            flow=name,
            flow_arn=arn,
            output="to-preview",
            output_arn=f"{out}:to-preview",
            vpc_interface="main-stage-vpc",
            after=(f"{name}:attach-output:to-live",),
        ),
        StartFlow(region=region, flow=name, flow_arn=arn, after=(f"{name}:attach-output:to-preview",)),
    )
    # Live calls main-stage: its new address is only known once the interface is back.
    (caller,) = steps[8:]
    assert isinstance(caller, SetCallerSource)
    assert caller.flow == "festival-live" and caller.ingest == "main-stage"
    assert caller.address == InterfaceAddress(region, name, "main-stage-vpc", arn)
    assert caller.after == (f"{name}:add-vpc-interface:main-stage-vpc",)


def test_transient_states_are_waited_out(
    festival: Topology, deployed: RemoteState, network: NetworkOutputs
) -> None:
    remote = with_flow(deployed, "festival-sydney-stage", status="STARTING")
    remote = with_flow(remote, "festival-preview", status="STOPPING")
    sydney, preview = remote.flows["festival-sydney-stage"], remote.flows["festival-preview"]
    assert plan_poststeps(festival, remote, network) == (
        AwaitFlow(region="ap-southeast-2", flow=sydney.name, flow_arn=sydney.arn, waiter="flow_active"),
        AwaitFlow(region="eu-west-1", flow=preview.name, flow_arn=preview.arn, waiter="flow_standby"),
        StartFlow(
            region="eu-west-1",
            flow=preview.name,
            flow_arn=preview.arn,
            after=("festival-preview:await:flow_standby",),
        ),
    )


def test_a_missing_hop_output_is_an_error(
    festival: Topology, deployed: RemoteState, network: NetworkOutputs
) -> None:
    flow = deployed.flows["festival-tent-stage"]
    remote = with_flow(deployed, flow.name, outputs=flow.outputs[:1])
    with pytest.raises(DeployError, match="flow festival-tent-stage has no output to-preview"):
        plan_poststeps(festival, remote, network)
