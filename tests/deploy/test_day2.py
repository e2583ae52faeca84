"""Day two against the emulator (issue 13): the topology changes while the show runs.

Removing a region converges (and can be changed again); removing the ingest on air is refused
before any change, and with --allow-interruption Preview is moved off it first; destroy leaves
nothing in any region ever used. Everything is checked with the test's own describe calls."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from encoders import encoders_for_ingests  # tests/ is on sys.path
from streamfabric.aws.gateway import AwsGateway
from streamfabric.cli.main import main
from streamfabric.deployment import PlainReporter, deploy, destroy
from streamfabric.deployment.plan.guard import OnAirError
from streamfabric.state.runtime import RuntimeState
from streamfabric.switching.switcher import Switcher
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import helpers
from .conftest import EXAMPLES

pytestmark = pytest.mark.integration

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")


def edited(path: Path, edit: Any) -> Topology:
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc, indent=2))
    return load_topology(str(path))


def without_sydney(doc: dict[str, Any]) -> None:
    doc["regions"] = [r for r in doc["regions"] if r["region"] != "ap-southeast-2"]
    doc["ingests"] = [i for i in doc["ingests"] if i["name"] != "sydney-stage"]


def without(name: str) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        doc["ingests"] = [i for i in doc["ingests"] if i["name"] != name]

    return edit


def flows_in(sess: boto3.session.Session, region: str) -> dict[str, dict[str, Any]]:
    client = sess.client("mediaconnect", region_name=region)
    return {
        f["FlowArn"]: client.describe_flow(FlowArn=f["FlowArn"])["Flow"] for f in client.list_flows()["Flows"]
    }


def no_change_sets_left(sess: boto3.session.Session) -> bool:
    """No change set of ours is left unexecuted in any stack of festival's regions."""
    for region in ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"):
        cfn = sess.client("cloudformation", region_name=region)
        for name in stacks_in(sess, region):
            # an executed change set stays listed (EXECUTE_COMPLETE), as on AWS; a pending one is left over
            summaries = cfn.list_change_sets(StackName=name)["Summaries"]
            if any(c["ExecutionStatus"] != "EXECUTE_COMPLETE" for c in summaries):
                return False
    return True


def stacks_in(sess: boto3.session.Session, region: str) -> dict[str, str]:
    stacks = sess.client("cloudformation", region_name=region).describe_stacks()["Stacks"]
    return {s["StackName"]: s["StackStatus"] for s in stacks}


def eni_ip(sess: boto3.session.Session, region: str, flow: dict[str, Any]) -> str:
    (vpc,) = flow["VpcInterfaces"]
    ec2 = sess.client("ec2", region_name=region)
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=vpc["NetworkInterfaceIds"])
    return str(described["NetworkInterfaces"][0]["PrivateIpAddress"])


def assert_nothing_left(sess: boto3.session.Session) -> None:
    for region in REGIONS:
        assert flows_in(sess, region) == {}, region
        assert stacks_in(sess, region) == {}, region
        ec2 = sess.client("ec2", region_name=region)
        enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
        assert [
            e["NetworkInterfaceId"] for e in enis if "mediaconnect" in e.get("Description", "").lower()
        ] == []
        assert [v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")] == [], region
        peerings = ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        assert [p["Status"]["Code"] for p in peerings if p["Status"]["Code"] != "deleted"] == [], region
        secrets = sess.client("secretsmanager", region_name=region).list_secrets()["SecretList"]
        assert [s["Name"] for s in secrets if "internal-hop" in s["Name"]] == [], region


@pytest.fixture()
def deployed(moto_aws: str, tmp_path: Path, gateway: AwsGateway) -> Path:
    path = tmp_path / "festival.json"
    path.write_text((EXAMPLES / "festival.json").read_text())
    model = load_topology(str(path))
    helpers.create_example_secrets(model, moto_aws)
    helpers.create_example_hosted_zone(model)
    deploy(model, network="cloudformation", gateway=gateway)
    return path


def test_removing_a_region_converges_then_changes_again_then_destroy_leaves_nothing(
    deployed: Path, session: boto3.session.Session
) -> None:
    """Scenarios 1 and 3: the region's flow retired and its stacks deleted; the hub network keeps
    its subnet; a later change deploys; destroy leaves nothing, in the removed region too."""
    model = edited(deployed, without_sydney)
    counter = helpers.CallCounter(session)

    result = deploy(model, network="cloudformation", gateway=helpers.gateway(session))

    assert flows_in(session, "ap-southeast-2") == {}
    assert stacks_in(session, "ap-southeast-2") == {}
    replicas = session.client("secretsmanager", region_name="ap-southeast-2").list_secrets()["SecretList"]
    assert [r["Name"] for r in replicas if "internal-hop" in r["Name"]] == []  # the hop secret's replica
    ec2 = session.client("ec2", region_name="ap-southeast-2")
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")] == []
    hub_net = session.client("cloudformation", region_name="eu-west-1").describe_stacks(
        StackName="festival-network-eu-west-1"
    )["Stacks"][0]
    assert hub_net["StackStatus"] == "UPDATE_COMPLETE"
    assert "SubnetId" in {o["OutputKey"] for o in hub_net["Outputs"]}
    # Live and Preview were never touched: no UpdateFlowSource, StopFlow or VPC interface change on them
    hub_arns = {result.state.live.flow_arn, result.state.preview.flow_arn}  # type: ignore[union-attr]
    assert {
        f["FlowArn"] for f in flows_in(session, "eu-west-1").values() if f["Status"] == "ACTIVE"
    } >= hub_arns
    assert ("mediaconnect", "StopFlow") in counter.mutating  # sydney-stage's, retired first
    state = RuntimeState.from_json(Path(result.state_uri).read_text())
    assert "sydney-stage" not in state.ingests
    assert "ap-southeast-2" not in state.inventory.regions
    assert not any(s.endswith("ap-southeast-2") for s in state.inventory.stacks)

    counter.reset()
    deploy(model, network="cloudformation", gateway=helpers.gateway(session))
    assert counter.mutating == []  # converged

    def new_port(doc: dict[str, Any]) -> None:
        next(i for i in doc["ingests"] if i["name"] == "sao-paulo-stage")["port"] = 5004

    changed = edited(deployed, new_port)
    deploy(changed, network="cloudformation", gateway=helpers.gateway(session))
    (sao,) = [f for f in flows_in(session, "sa-east-1").values()]
    assert sao["Source"]["IngestPort"] == 5004

    destroy(changed, gateway=helpers.gateway(session))
    assert_nothing_left(session)


def test_destroy_after_a_removed_region_that_was_never_redeployed_finds_it(
    deployed: Path, session: boto3.session.Session
) -> None:
    """The topology lost a region but no deploy ran since: the inventory still names it."""
    destroy(edited(deployed, without_sydney), gateway=helpers.gateway(session))
    assert_nothing_left(session)


def test_removing_the_ingest_on_preview_is_refused_then_allowed_moves_preview_first(
    deployed: Path, session: boto3.session.Session, capsys: pytest.CaptureFixture[str], moto_aws: str
) -> None:
    """Scenario 2: Preview on nyc-studio; removing nyc-studio is refused before any change (and a
    dry run says the same); accepted, Preview goes to its starting ingest before nyc-studio stops."""
    original = load_topology(str(deployed))
    switcher = Switcher(original, gateway=helpers.gateway(session))
    encoders_for_ingests(moto_aws, switcher.state)  # the switch checks the signal: every ingest sends
    switcher.switch("nyc-studio", "preview")
    model = edited(deployed, without("nyc-studio"))
    counter = helpers.CallCounter(session)

    with pytest.raises(OnAirError) as refused:
        deploy(model, network="cloudformation", gateway=helpers.gateway(session))
    assert "preview is on nyc-studio: this deploy would remove nyc-studio" in str(refused.value)
    assert "Switch preview away from nyc-studio first" in str(refused.value)
    dry = deploy(model, network="cloudformation", gateway=helpers.gateway(session), dry_run=True)
    assert [(i.role, i.ingest) for i in dry.interruptions][:1] == [("preview", "nyc-studio")]
    assert counter.changes == []  # it only asked CloudFormation (change sets, deleted again)
    assert no_change_sets_left(session)
    # the CLI: refused (exit 1, the message on stderr), and --dry-run says the same with exit 1
    assert main(["deploy", str(deployed), "--network", "cloudformation", "--yes"]) == 1
    assert "preview is on nyc-studio" in capsys.readouterr().err
    assert main(["deploy", str(deployed), "--network", "cloudformation", "--dry-run"]) == 1
    assert "on air: deploy would refuse (exit 1) without --allow-interruption" in capsys.readouterr().out

    deploy(model, network="cloudformation", gateway=helpers.gateway(session), allow_interruption=True)

    calls = counter.mutating
    assert calls.index(("mediaconnect", "UpdateFlowSource")) < calls.index(("mediaconnect", "StopFlow"))
    us = flows_in(session, "us-east-1")
    assert sorted(f["Name"] for f in us.values()) == ["festival-boston-remote"]
    assert stacks_in(session, "us-east-1")["festival-flows-us-east-1"] == "UPDATE_COMPLETE"
    eu = {f["Name"]: f for f in flows_in(session, "eu-west-1").values()}
    preview = eu["festival-preview"]["Source"]
    assert preview["Transport"]["SourceListenerAddress"] == eni_ip(
        session, "eu-west-1", eu["festival-tent-stage"]
    )
    assert eu["festival-preview"]["Status"] == "ACTIVE"
    counter.reset()
    deploy(model, network="cloudformation", gateway=helpers.gateway(session))
    assert counter.mutating == []


def test_removing_an_ingest_that_is_not_on_air_retires_it_without_touching_the_hub(
    deployed: Path, session: boto3.session.Session
) -> None:
    model = edited(deployed, without("boston-remote"))
    counter = helpers.CallCounter(session)
    deploy(model, network="cloudformation", gateway=helpers.gateway(session))
    assert ("mediaconnect", "UpdateFlowSource") not in counter.mutating
    assert sorted(f["Name"] for f in flows_in(session, "us-east-1").values()) == ["festival-nyc-studio"]
    for flow in flows_in(session, "eu-west-1").values():
        assert flow["Status"] == "ACTIVE"


def test_a_flow_named_like_ours_is_reported_and_never_used(
    moto_aws: str, minimal: Topology, session: boto3.session.Session
) -> None:
    """Issue 14, flows by ARN: MediaConnect allows several flows with one name; deploy and destroy
    act on the ARNs of our stacks' outputs and the inventory only."""
    helpers.create_example_secrets(minimal, moto_aws)
    deploy(minimal, network="cloudformation", gateway=helpers.gateway(session))
    client = session.client("mediaconnect", region_name="eu-west-2")
    stranger = client.create_flow(
        Name="minimal-camera-one",
        Source={
            "Name": "theirs",
            "Protocol": "srt-listener",
            "IngestPort": 6000,
            "WhitelistCidr": "10.99.0.0/16",
        },
    )["Flow"]["FlowArn"]
    counter = helpers.CallCounter(session)
    out = io.StringIO()

    result = deploy(
        minimal, network="cloudformation", gateway=helpers.gateway(session), reporter=PlainReporter(out)
    )

    assert counter.mutating == []
    assert result.plan.notes == (f"not ours, left alone: flow minimal-camera-one (eu-west-2): {stranger}",)
    assert "not ours, left alone: flow minimal-camera-one" in out.getvalue()
    assert result.state is not None and result.state.ingests["camera-one"].flow_arn != stranger

    destroy(minimal, gateway=helpers.gateway(session))
    assert [f["FlowArn"] for f in client.list_flows()["Flows"]] == [stranger]
    assert client.describe_flow(FlowArn=stranger)["Flow"]["Source"]["Name"] == "theirs"
