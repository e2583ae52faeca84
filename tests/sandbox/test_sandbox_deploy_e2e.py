"""``streamfabric.deployment`` of examples/festival.json against the sandbox, with no test-side patch.

Only what a real account has before a deploy is made first, with the sandbox's public presets: the
hosted zone with the topology's zone id and every secret the topology references (those given by
ARN with that very ARN). Then deploy (CloudFormation network mode, every stack through change
sets, the post-steps) must leave every flow ACTIVE, Live and Preview on SRT callers to their
starting ingests, and a second deploy must not make a single mutating call.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import deploy
from streamfabric.sandbox.presets import preset_hosted_zone, preset_secret
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

FESTIVAL = Path(__file__).resolve().parents[2] / "examples" / "festival.json"
READS = ("Describe", "List", "Get")


class MutatingCalls:
    """Counts the mutating calls of a session's clients (a botocore ``before-call.*.*`` hook)."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()
        session.events.register("before-call.*.*", self._before_call)

    def _before_call(self, model: Any, **_: Any) -> None:
        if not model.name.startswith(READS):
            with self._lock:
                self.calls.append(f"{model.service_model.service_name}.{model.name}")


def _private_ip(session: boto3.session.Session, region: str, flow: dict[str, Any], vpc_name: str) -> str:
    [vpc] = [v for v in flow["VpcInterfaces"] if v["Name"] == vpc_name]
    [eni] = vpc["NetworkInterfaceIds"]
    ec2 = session.client("ec2", region_name=region)
    [interface] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
    return str(interface["PrivateIpAddress"])


def _flows(session: boto3.session.Session, model: Topology) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every flow of every region of the topology: name -> (region, described flow)."""
    flows: dict[str, tuple[str, dict[str, Any]]] = {}
    for net in model.networks:
        mc = session.client("mediaconnect", region_name=net.region)
        for listed in mc.list_flows()["Flows"]:
            assert listed["Name"] not in flows, listed["Name"]
            flows[listed["Name"]] = (net.region, mc.describe_flow(FlowArn=listed["FlowArn"])["Flow"])
    return flows


@pytest.mark.integration
def test_festival_deploys_on_the_sandbox_without_shims_and_again_without_a_change(
    aws: str, tmp_path: Path
) -> None:
    topology = tmp_path / "festival.json"  # the runtime state is written next to it
    shutil.copy(FESTIVAL, topology)
    model = load_topology(str(topology))
    assert model.dns is not None
    preset_hosted_zone(model.dns.hosted_zone_id, model.dns.domain)
    for region, ref in model.secret_uses():
        arn = preset_secret(region, ref.ref, "sandbox-only-passphrase")
        assert not ref.is_arn or arn == ref.ref

    session = boto3.session.Session(region_name="us-east-1")
    counter = MutatingCalls(session)  # before the gateway makes its clients
    gateway = AwsGateway(session, waiter_delay=0)

    result = deploy(model, network="cloudformation", session=session, gateway=gateway)

    assert result.state_written
    flows = _flows(session, model)
    expected = [model.flow_name(i.name) for i in model.ingests] + [
        model.flow_name("live"),
        model.flow_name("preview"),
    ]
    assert sorted(flows) == sorted(expected)
    assert {name: flow["Status"] for name, (_, flow) in flows.items()} == dict.fromkeys(expected, "ACTIVE")
    for role in ("live", "preview"):
        starts_on = model.hub.flow(role).starts_on  # type: ignore[arg-type]
        ingest_region, ingest_flow = flows[model.flow_name(starts_on)]
        _, flow = flows[model.flow_name(role)]
        source = flow["Source"]
        assert source["Transport"]["Protocol"] == "srt-caller", role
        assert source["VpcInterfaceName"] == f"{role}-vpc"
        assert [v["Name"] for v in flow["VpcInterfaces"]] == [f"{role}-vpc"]
        assert source["Transport"]["SourceListenerAddress"] == _private_ip(
            session, ingest_region, ingest_flow, f"{starts_on}-vpc"
        )
    stacks = {
        stack["StackName"]: stack
        for net in model.networks
        for stack in session.client("cloudformation", region_name=net.region).describe_stacks()["Stacks"]
    }
    assert {s["StackStatus"] for s in stacks.values()} == {"CREATE_COMPLETE"}
    network = stacks[model.stack_name("network", model.hub.region)]
    assert {o["OutputKey"] for o in network["Outputs"]} >= {"VpcId", "SubnetId", "RoleArn", "HopSecretArn"}

    counter.calls.clear()
    again = deploy(model, network="cloudformation", session=session, gateway=gateway)
    assert counter.calls == []
    assert again.plan.empty
    assert not again.state_written
