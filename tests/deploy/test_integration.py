"""Against the moto server (the ``aws`` fixture): deploy from nothing, idempotence, destroy."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import PlainReporter, deploy, destroy
from streamfabric.deployment.plan.guard import OnAirError
from streamfabric.deployment.plan.instructions import DeployStack, SetCallerSource
from streamfabric.state.runtime import RuntimeState
from streamfabric.topology.model import Topology

from . import helpers

pytestmark = pytest.mark.integration


def flows_of(sess: boto3.session.Session, model: Topology) -> dict[str, dict[str, Any]]:
    """Every flow of every region, described, by name (all of them: duplicates would show)."""
    found: dict[str, dict[str, Any]] = {}
    for net in model.networks:
        client = sess.client("mediaconnect", region_name=net.region)
        for listed in client.list_flows()["Flows"]:
            assert listed["Name"] not in found, f"duplicate flow {listed['Name']}"
            found[listed["Name"]] = client.describe_flow(FlowArn=listed["FlowArn"])["Flow"]
    return found


def private_ip(sess: boto3.session.Session, region: str, flow: dict[str, Any], vpc_name: str) -> str:
    (vpc,) = [v for v in flow["VpcInterfaces"] if v["Name"] == vpc_name]
    (eni,) = vpc["NetworkInterfaceIds"]
    ec2 = sess.client("ec2", region_name=region)
    return str(
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["PrivateIpAddress"]
    )


def assert_deployed(sess: boto3.session.Session, model: Topology) -> dict[str, dict[str, Any]]:
    flows = flows_of(sess, model)
    assert sorted(flows) == sorted(
        [model.flow_name(i.name) for i in model.ingests]
        + [model.flow_name("live"), model.flow_name("preview")]
    )
    for ingest in model.ingests:
        flow = flows[model.flow_name(ingest.name)]
        assert flow["Status"] == "ACTIVE"
        assert [v["Name"] for v in flow["VpcInterfaces"]] == [f"{ingest.name}-vpc"]
        hops = {o["Name"]: o for o in flow["Outputs"] if o["Name"] in ("to-live", "to-preview")}
        assert sorted(hops) == ["to-live", "to-preview"]
        ip = private_ip(sess, ingest.region, flow, f"{ingest.name}-vpc")
        for out in hops.values():
            assert out["VpcInterfaceAttachment"] == {"VpcInterfaceName": f"{ingest.name}-vpc"}
            assert out["ListenerAddress"] == ip
    for role in ("live", "preview"):
        flow = flows[model.flow_name(role)]
        starts_on = model.hub.flow(role).starts_on  # type: ignore[arg-type]
        ingest = model.ingest(starts_on)
        ip = private_ip(sess, ingest.region, flows[model.flow_name(starts_on)], f"{starts_on}-vpc")
        assert flow["Status"] == "ACTIVE"
        assert [v["Name"] for v in flow["VpcInterfaces"]] == [f"{role}-vpc"]
        source = flow["Source"]
        assert source["Name"] == "standby"  # replaced in place
        assert source["VpcInterfaceName"] == f"{role}-vpc"
        assert source["Transport"]["Protocol"] == "srt-caller"
        assert source["Transport"]["SourceListenerAddress"] == ip
        assert source["Transport"]["SourceListenerPort"] == model.internal_hop.port(role)  # type: ignore[arg-type]
        assert source["Decryption"]["KeyType"] == "srt-password"
    return flows


def assert_nothing_left(sess: boto3.session.Session, model: Topology) -> None:
    for net in model.networks:
        assert sess.client("mediaconnect", region_name=net.region).list_flows()["Flows"] == []
        cfn = sess.client("cloudformation", region_name=net.region)
        assert [s["StackName"] for s in cfn.describe_stacks()["Stacks"]] == []
        enis = sess.client("ec2", region_name=net.region).describe_network_interfaces()["NetworkInterfaces"]
        assert [e["NetworkInterfaceId"] for e in enis if "MediaConnect" in e.get("Description", "")] == []
        vpcs = sess.client("ec2", region_name=net.region).describe_vpcs()["Vpcs"]
        assert [v["CidrBlock"] for v in vpcs if not v.get("IsDefault")] == []


def test_festival_cloudformation_from_nothing_then_idempotent_then_destroyed(
    moto_aws: str, festival: Topology, session: boto3.session.Session, gateway: AwsGateway
) -> None:
    helpers.create_example_secrets(festival, moto_aws)
    helpers.create_example_hosted_zone(festival)
    counter = helpers.CallCounter(session)
    out = io.StringIO()

    result = deploy(festival, network="cloudformation", gateway=gateway, reporter=PlainReporter(out))

    flows = assert_deployed(session, festival)
    assert "festival-flows-eu-west-1: CREATE_COMPLETE" in out.getvalue()
    assert result.state_written
    state = RuntimeState.from_json(Path(result.state_uri).read_text())
    assert state == result.state
    assert Path(result.state_uri).parent == Path(festival.source.uri).parent
    assert state.live.flow_arn == flows["festival-live"]["FlowArn"]
    assert state.live.source_arn == flows["festival-live"]["Source"]["SourceArn"]
    assert state.ingests["sydney-stage"].private_ip == private_ip(
        session, "ap-southeast-2", flows["festival-sydney-stage"], "sydney-stage-vpc"
    )
    assert state.ingests["nyc-studio"].output_arns["preview"] == next(
        o["OutputArn"] for o in flows["festival-nyc-studio"]["Outputs"] if o["Name"] == "to-preview"
    )
    assert state.hop_secret_arn.startswith("arn:aws:secretsmanager:eu-west-1:")

    counter.reset()
    second = deploy(festival, network="cloudformation", gateway=gateway)
    assert counter.mutating == []
    assert second.plan.empty and second.executed == () and not second.state_written

    destroy(festival, gateway=gateway)
    assert_nothing_left(session, festival)
    assert not Path(result.state_uri).exists()


def test_second_deploy_keeps_a_switch(
    moto_aws: str, minimal: Topology, session: boto3.session.Session, gateway: AwsGateway
) -> None:
    """An operator's switch is not taken back by a deploy (the source stays where it is)."""
    helpers.create_example_secrets(minimal, moto_aws)
    deploy(minimal, network="cloudformation", gateway=gateway)
    flows = flows_of(session, minimal)
    client = session.client("mediaconnect", region_name="us-east-1")
    live = flows["minimal-live"]
    # Leave the hub source pointing at the ingest but with another latency: a deploy fixes that only.
    client.update_flow_source(FlowArn=live["FlowArn"], SourceArn=live["Source"]["SourceArn"], MinLatency=1000)
    counter = helpers.CallCounter(session)
    # Fixing the latency re-points what is on air: refused unless the operator accepts it.
    with pytest.raises(OnAirError, match="live is on camera-one: this deploy would re-point the live source"):
        deploy(minimal, network="cloudformation", gateway=helpers.gateway(session))
    assert counter.mutating == []
    result = deploy(
        minimal, network="cloudformation", gateway=helpers.gateway(session), allow_interruption=True
    )
    assert [type(s) for s in result.executed] == [SetCallerSource]
    assert [c for c in counter.mutating] == [("mediaconnect", "UpdateFlowSource")]
    assert result.executed[0].ingest == "camera-one"  # type: ignore[union-attr]


def test_dry_run_changes_nothing(
    moto_aws: str, minimal: Topology, session: boto3.session.Session, gateway: AwsGateway
) -> None:
    helpers.create_example_secrets(minimal, moto_aws)
    counter = helpers.CallCounter(session)
    out = io.StringIO()
    result = deploy(
        minimal, network="cloudformation", gateway=gateway, dry_run=True, reporter=PlainReporter(out)
    )
    # It asks CloudFormation (change sets, as `plan` does) and leaves nothing behind: the change
    # sets are deleted again, and so are the stacks their CREATE made (REVIEW_IN_PROGRESS).
    assert {op for _, op in counter.mutating} <= {"CreateChangeSet", "DeleteChangeSet", "DeleteStack"}
    askable = [
        s
        for s in result.plan.phase("stacks").steps
        if isinstance(s, DeployStack) and all(isinstance(v, str) for _, v in s.parameters)
    ]
    assert askable  # the network stacks at least
    assert sum(1 for _, op in counter.mutating if op == "CreateChangeSet") == len(askable)
    for net in minimal.networks:
        cfn = session.client("cloudformation", region_name=net.region)
        live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
        assert live == []
        assert session.client("mediaconnect", region_name=net.region).list_flows()["Flows"] == []
    assert result.dry_run and result.executed == ()
    text = out.getvalue()
    assert "plan (dry run, nothing will change):" in text
    assert "create stack minimal-network-us-east-1 (us-east-1)" in text
    caller = "source = SRT caller on live-vpc to camera-one (<IP of minimal-camera-one camera-one-vpc>:7000)"
    assert f"minimal-live: {caller}" in text


def test_terraform_network_outputs(
    moto_aws: str, minimal: Topology, session: boto3.session.Session, gateway: AwsGateway, tmp_path: Path
) -> None:
    """--network-outputs: the network comes from `terraform output -json`; only flow stacks are deployed."""
    helpers.create_example_secrets(minimal, moto_aws)
    regions: dict[str, dict[str, str]] = {}
    iam = session.client("iam")
    role = iam.create_role(RoleName="mc", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for net in minimal.networks:
        ec2 = session.client("ec2", region_name=net.region)
        vpc = ec2.create_vpc(CidrBlock=net.vpc_cidr)["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=net.subnet_cidr, AvailabilityZone=net.availability_zone
        )["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="mc", Description="mc", VpcId=vpc)["GroupId"]
        secret = session.client("secretsmanager", region_name=net.region).create_secret(
            Name="minimal/hop", SecretString="x"
        )["ARN"]
        regions[net.region] = {
            "vpc_id": vpc,
            "subnet_id": subnet,
            "security_group_id": sg,
            "role_arn": role,
            "hop_secret_arn": secret,
        }
    outputs = tmp_path / "terraform-outputs.json"
    outputs.write_text(json.dumps({"regions": {"sensitive": False, "type": "map", "value": regions}}))

    result = deploy(minimal, network_outputs=str(outputs), gateway=gateway)

    assert sorted(s.stack for s in result.plan.phase("stacks").steps) == [  # type: ignore[union-attr]
        "minimal-api-us-east-1",
        "minimal-flows-eu-west-2",
        "minimal-flows-us-east-1",
    ]
    assert_deployed(session, minimal)
    flows = flows_of(session, minimal)
    (vpc,) = flows["minimal-camera-one"]["VpcInterfaces"]
    assert vpc["SubnetId"] == regions["eu-west-2"]["subnet_id"]
    assert vpc["SecurityGroupIds"] == [regions["eu-west-2"]["security_group_id"]]
    assert (
        flows["minimal-live"]["Source"]["Decryption"]["SecretArn"] == regions["us-east-1"]["hop_secret_arn"]
    )
    counter = helpers.CallCounter(session)
    deploy(minimal, network_outputs=str(outputs), gateway=helpers.gateway(session))
    assert counter.mutating == []
    destroy(minimal, gateway=helpers.gateway(session))
    for net in minimal.networks:
        assert session.client("mediaconnect", region_name=net.region).list_flows()["Flows"] == []


def test_destroy_deletes_orphaned_interfaces_only(
    moto_aws: str, tmp_path: Path, session: boto3.session.Session, gateway: AwsGateway
) -> None:
    """Two topologies on one (Terraform) network: destroying one deletes a MediaConnect ENI left
    detached in the subnet, and leaves the other topology's interfaces alone."""
    from streamfabric.topology.loading import parse_topology

    def named(name: str) -> Topology:
        doc = json.loads((Path(__file__).resolve().parents[2] / "examples" / "minimal.json").read_text())
        doc["name"] = name
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc))
        return parse_topology(path.read_bytes(), str(path))

    first, second = named("first"), named("second")
    helpers.create_example_secrets(first, moto_aws)
    network = helpers.create_network(session, first, moto_aws)
    deploy(first, network_outputs=network, gateway=gateway)
    deploy(second, network_outputs=network, gateway=gateway)
    ec2 = session.client("ec2", region_name="eu-west-2")
    subnet = network["regions"]["value"]["eu-west-2"]["subnet_id"]  # type: ignore[index]
    orphan = ec2.create_network_interface(
        SubnetId=subnet, Description="MediaConnect flow first-camera-one VPC interface camera-one-vpc"
    )["NetworkInterface"]["NetworkInterfaceId"]
    theirs = [
        v["NetworkInterfaceIds"][0]
        for f in flows_of(session, second).values()
        for v in f["VpcInterfaces"]
        if f["Name"] == "second-camera-one"
    ]

    destroy(first, gateway=gateway, network_outputs=network)  # type: ignore[arg-type]

    left = {e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    assert orphan not in left
    assert set(theirs) <= left
    assert_deployed_names = sorted(flows_of(session, second))
    assert assert_deployed_names == ["second-camera-one", "second-live", "second-preview"]


def test_the_same_topology_from_another_path_changes_nothing(
    moto_aws: str, minimal: Topology, session: boto3.session.Session, gateway: AwsGateway, tmp_path: Path
) -> None:
    """The generated header (source path, SHA-256) differs; the stacks do not: no change set at all."""
    from streamfabric.topology.loading import load_topology

    helpers.create_example_secrets(minimal, moto_aws)
    deploy(minimal, network="cloudformation", gateway=gateway)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "minimal.json"
    copy.write_bytes(Path(minimal.source.uri).read_bytes())
    counter = helpers.CallCounter(session)
    for _ in range(2):
        deploy(load_topology(str(copy)), network="cloudformation", gateway=helpers.gateway(session))
    assert counter.mutating == []
