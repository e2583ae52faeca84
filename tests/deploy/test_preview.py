"""``streamfabric plan``: CloudFormation's answer per resource through change sets deleted again."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from streamfabric.cli.main import main
from streamfabric.deployment.results import ResourceChange
from streamfabric.topology.loading import load_topology

from . import helpers
from .conftest import copy_example

REGIONS = ("us-east-1", "eu-west-2")


@pytest.mark.parametrize(
    ("action", "replacement", "verb"),
    [
        ("Add", "", "add"),
        ("Modify", "False", "modify"),
        ("Modify", "True", "replace"),
        ("Modify", "Conditional", "replace?"),
        ("Remove", "", "remove"),
    ],
)
def test_the_verb_is_cloudformations_replacement(action: str, replacement: str, verb: str) -> None:
    change = ResourceChange("LiveFlow", "AWS::MediaConnect::Flow", action, replacement)
    assert change.verb == verb
    assert verb in change.describe() and "LiveFlow [AWS::MediaConnect::Flow]" in change.describe()


def _stacks() -> dict[str, list[tuple[str, str]]]:
    out = {}
    for region in REGIONS:
        cfn = boto3.session.Session().client("cloudformation", region_name=region)
        out[region] = sorted((s["StackName"], s["StackStatus"]) for s in cfn.describe_stacks()["Stacks"])
    return out


def _pending_change_sets() -> list[str]:
    names = []
    for region in REGIONS:
        cfn = boto3.session.Session().client("cloudformation", region_name=region)
        for stack in cfn.describe_stacks()["Stacks"]:
            for summary in cfn.list_change_sets(StackName=stack["StackName"])["Summaries"]:
                if summary.get("ExecutionStatus") != "EXECUTE_COMPLETE":
                    names.append(f"{stack['StackName']}/{summary['ChangeSetName']}")
    return names


@pytest.mark.integration
def test_plan_asks_cloudformation_and_leaves_nothing_behind(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_example("minimal", tmp_path)
    helpers.create_example_secrets(load_topology(str(path)), moto_aws)
    argv = ["plan", str(path), "--network", "cloudformation", "--detailed-exitcode"]

    assert main(argv) == 2
    out = capsys.readouterr().out
    assert "minimal-network-us-east-1 (us-east-1): create\n" in out
    assert "    + add      Vpc [AWS::EC2::VPC]\n" in out
    # The flows' parameters are the network's outputs: not known before the network exists.
    assert "minimal-flows-eu-west-2 (eu-west-2): create: previewed once what it depends on exists" in out
    assert "post-steps (as planned against the flows now" in out
    assert _stacks() == {region: [] for region in REGIONS}  # the CREATE change sets' stacks are gone

    assert main(["deploy", str(path), "--network", "cloudformation", "--yes"]) == 0
    deployed = _stacks()
    capsys.readouterr()
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "nothing to change\non air: nothing on Live or Preview is interrupted by this deploy\n"
    )

    document = json.loads(path.read_text())
    document["ingests"][0]["port"] = 5004
    path.write_text(json.dumps(document))
    assert main([*argv, "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["changes"] is True
    [flows] = [s for s in report["stacks"] if s["stack"] == "minimal-flows-eu-west-2"]
    assert flows["type"] == "UPDATE" and flows["previewed"] is True
    [change] = [c for c in flows["changes"] if c["resource_type"] == "AWS::MediaConnect::Flow"]
    # the Flow schema lists only Name, AvailabilityZone and Source/Name as create-only: a new port is
    # an update in place, as CloudFormation answers it
    assert (change["action"], change["replacement"], change["verb"]) == ("Modify", "False", "modify")
    assert "Source" in change["properties"]
    assert _stacks() == deployed  # nothing changed
    assert _pending_change_sets() == []  # every change set of the plan was deleted
    mc = boto3.session.Session().client("mediaconnect", region_name="eu-west-2")
    [flow] = [f for f in mc.list_flows()["Flows"] if f["Name"] == "minimal-camera-one"]
    source = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    assert source["IngestPort"] != 5004


@pytest.mark.integration
def test_a_stack_fed_by_a_network_updated_in_place_is_asked_up_front(
    moto_aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tag edit updates the network stack in place: its outputs keep their values (CloudFormation's
    answer adds, removes and replaces nothing, and the outputs are defined as before), so the flows
    stacks it feeds are asked before the deploy with today's values, not only at their turn."""
    path = copy_example("minimal", tmp_path)
    helpers.create_example_secrets(load_topology(str(path)), moto_aws)
    assert main(["deploy", str(path), "--network", "cloudformation", "--yes"]) == 0
    document = json.loads(path.read_text())
    document["tags"] = {"season": "autumn"}
    path.write_text(json.dumps(document))
    capsys.readouterr()
    assert main(["plan", str(path), "--network", "cloudformation", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    stacks = {s["stack"]: s for s in report["stacks"]}
    assert stacks["minimal-network-us-east-1"]["previewed"] is True
    assert any(c["action"] == "Modify" for c in stacks["minimal-network-us-east-1"]["changes"])
    flows = [s for name, s in stacks.items() if "-flows-" in name]
    assert flows and all(s["previewed"] is True for s in flows), flows
    assert _pending_change_sets() == []
