"""The on-air guard reading CloudFormation's answers (pure): which ``ResourceChange`` of a change set
interrupts what Live and Preview carry, and which does not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from streamfabric.deployment.observed import RemoteState, ResourceChange
from streamfabric.deployment.plan.guard import Interruption, on_air_verdict, stack_verdict
from streamfabric.deployment.plan.instructions import DeployStack, Phase, Plan
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES

SG_BEFORE = """Resources:
  SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: media
      SecurityGroupIngress:
        - {IpProtocol: udp, FromPort: 7000, ToPort: 7001, CidrIp: 10.10.0.0/16}
      SecurityGroupEgress:
        - {IpProtocol: udp, FromPort: 0, ToPort: 65535, CidrIp: 10.10.0.0/16}
"""


@pytest.fixture(scope="module")
def minimal() -> Topology:
    return load_topology(str(EXAMPLES / "minimal.json"))


@pytest.fixture(scope="module")
def festival() -> Topology:
    return load_topology(str(EXAMPLES / "festival.json"))


def _remote(model: Topology) -> RemoteState:
    return samples.deployed(model, samples.files(model))


def _step(model: Topology, kind: str, region: str, body: str = "Resources: {}\n") -> DeployStack:
    return DeployStack(
        stack=model.stack_name(kind, region),
        region=region,
        kind=kind,
        change_set_type="UPDATE",
        template=f"cloudformation/{kind}-{region}.yaml",
        template_body=body,
    )


def _modify(
    physical: str, logical: str, type_: str, *properties: str, replacement: str = "False"
) -> ResourceChange:
    return ResourceChange(
        logical,
        type_,
        "Modify",
        replacement,
        physical,
        ("Properties",),
        tuple(("Properties", name, "Always" if replacement == "True" else "Never") for name in properties),
    )


FLOW = "AWS::MediaConnect::Flow"


def test_cloudformation_updating_a_hub_flows_source_interrupts_it(minimal: Topology) -> None:
    remote = _remote(minimal)
    live = remote.flows[minimal.flow_name("live")]
    step = _step(minimal, "flows", minimal.hub.region)
    found = stack_verdict(minimal, remote, step, [_modify(live.arn, "LiveFlow", FLOW, "Source")])
    assert [(i.role, i.ingest) for i in found] == [("live", "camera-one")]
    assert "let CloudFormation set the live flow's source to its template's" in found[0].what
    assert "black until the post-steps re-point it" in found[0].what


def test_other_properties_of_a_hub_flow_interrupt_nothing(minimal: Topology) -> None:
    remote = _remote(minimal)
    live = remote.flows[minimal.flow_name("live")]
    step = _step(minimal, "flows", minimal.hub.region)
    maintenance = _modify(live.arn, "LiveFlow", FLOW, "Maintenance", "SourceMonitoringConfig")
    tags = replace(maintenance, scope=("Tags",), targets=(("Tags", "", "Never"),))
    assert stack_verdict(minimal, remote, step, [maintenance, tags]) == ()


def test_a_modification_that_names_no_property_is_read_as_touching_the_source(minimal: Topology) -> None:
    remote = _remote(minimal)
    live = remote.flows[minimal.flow_name("live")]
    step = _step(minimal, "flows", minimal.hub.region)
    unnamed = ResourceChange("LiveFlow", FLOW, "Modify", "False", live.arn, ("Properties",))
    assert [i.role for i in stack_verdict(minimal, remote, step, [unnamed])] == ["live"]


def test_replacing_or_changing_the_source_of_the_ingest_on_air_interrupts_both_roles(
    minimal: Topology,
) -> None:
    remote = _remote(minimal)  # Live and Preview both on camera-one
    ingest = remote.flows[minimal.flow_name("camera-one")]
    step = _step(minimal, "flows", "eu-west-2")
    replaced = _modify(ingest.arn, "CameraOneFlow", FLOW, "AvailabilityZone", replacement="True")
    assert {i.role for i in stack_verdict(minimal, remote, step, [replaced])} == {"live", "preview"}
    source = _modify(ingest.arn, "CameraOneFlow", FLOW, "Source")
    assert all(
        "update the source of camera-one" in i.what for i in stack_verdict(minimal, remote, step, [source])
    )
    conditional = replace(replaced, replacement="Conditional")
    assert "maybe replace CameraOneFlow" in stack_verdict(minimal, remote, step, [conditional])[0].what


def test_a_hop_output_change_interrupts_only_the_role_it_feeds(minimal: Topology) -> None:
    remote = _remote(minimal)
    ingest = remote.flows[minimal.flow_name("camera-one")]
    to_live = ingest.output("to-live")
    assert to_live is not None
    step = _step(minimal, "flows", "eu-west-2")
    change = _modify(to_live.arn, "CameraOneToLiveOutput", "AWS::MediaConnect::FlowOutput", "Port")
    assert [i.role for i in stack_verdict(minimal, remote, step, [change])] == ["live"]


def _with_deployed(remote: RemoteState, stack: str, body: str) -> RemoteState:
    state = remote.stacks[stack]
    return replace(remote, stacks={**remote.stacks, stack: replace(state, template_body=body)})


def test_security_group_rules_added_interrupt_nothing_removed_or_changed_do(minimal: Topology) -> None:
    stack = minimal.stack_name("network", minimal.hub.region)
    remote = _with_deployed(_remote(minimal), stack, SG_BEFORE)
    change = _modify("sg-hub", "SecurityGroup", "AWS::EC2::SecurityGroup", "SecurityGroupIngress")
    added = SG_BEFORE.replace(
        "      SecurityGroupEgress:",
        "        - {IpProtocol: udp, FromPort: 7000, ToPort: 7001, CidrIp: 10.20.0.0/16}\n"
        "      SecurityGroupEgress:",
    )
    assert (
        stack_verdict(minimal, remote, _step(minimal, "network", minimal.hub.region, added), [change]) == ()
    )
    changed = SG_BEFORE.replace("ToPort: 7001", "ToPort: 7002")
    found = stack_verdict(minimal, remote, _step(minimal, "network", minimal.hub.region, changed), [change])
    assert {i.role for i in found} == {"live", "preview"}
    assert "removes a changed rule before adding its replacement" in found[0].what
    egress = replace(change, targets=(("Properties", "SecurityGroupEgress", "Never"),))
    removed = SG_BEFORE.split("      SecurityGroupEgress:")[0]
    assert stack_verdict(minimal, remote, _step(minimal, "network", minimal.hub.region, removed), [egress])


def test_the_network_on_the_path_matters_and_only_that(festival: Topology) -> None:
    remote = _remote(festival)  # Live on main-stage (hub region), Preview on tent-stage (hub region)
    nyc = festival.ingest("nyc-studio").region
    subnet = ResourceChange("Subnet", "AWS::EC2::Subnet", "Modify", "True", "subnet-x", ("Properties",))
    hub_network = _step(festival, "network", festival.hub.region)
    assert {i.role for i in stack_verdict(festival, remote, hub_network, [subnet])} == {"live", "preview"}
    # another region's network, peering and routes: not on these paths
    assert stack_verdict(festival, remote, _step(festival, "network", nyc), [subnet]) == ()
    route = ResourceChange(f"{festival.network(nyc).logical}Route", "AWS::EC2::Route", "Remove", "", "r-1")
    peering = _step(festival, "peering", festival.hub.region)
    assert stack_verdict(festival, remote, peering, [route]) == ()
    # Preview on nyc-studio: now its peering route, its routes stack and its network are on the path
    preview = remote.flows[festival.flow_name("preview")]
    assert preview.source is not None
    moved = replace(preview, source=replace(preview.source, listener_address=samples.ip("nyc-studio")))
    on_nyc = replace(remote, flows={**remote.flows, preview.name: moved})
    assert [i.role for i in stack_verdict(festival, on_nyc, peering, [route])] == ["preview"]
    other = replace(route, logical_id=f"{festival.network('ap-southeast-2').logical}Route")
    assert stack_verdict(festival, on_nyc, peering, [other]) == ()
    assert [i.role for i in stack_verdict(festival, on_nyc, _step(festival, "routes", nyc), [route])] == [
        "preview"
    ]
    added = replace(subnet, action="Add", replacement="")
    assert stack_verdict(festival, on_nyc, _step(festival, "network", nyc), [added]) == ()


def test_the_verdict_includes_cloudformations_answers_for_the_steps_asked(minimal: Topology) -> None:
    remote = _remote(minimal)
    live = remote.flows[minimal.flow_name("live")]
    step = _step(minimal, "flows", minimal.hub.region)
    plan = Plan((Phase("stacks", (step,)),))
    assert on_air_verdict(minimal, remote, plan) == ()  # not asked: nothing known
    verdict = on_air_verdict(
        minimal, remote, plan, {step.stack: [_modify(live.arn, "LiveFlow", FLOW, "Source")]}
    )
    assert verdict and isinstance(verdict[0], Interruption) and verdict[0].role == "live"
    stopped = replace(live, status="STANDBY")  # a hub flow not running carries nothing to interrupt
    idle = replace(remote, flows={**remote.flows, live.name: stopped})
    assert stack_verdict(minimal, idle, step, [_modify(live.arn, "LiveFlow", FLOW, "Source")]) == ()
