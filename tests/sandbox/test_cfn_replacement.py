"""Replacement as CloudFormation runs it (sandbox/cloudformation/updates.py, schemas.py), seen with
plain boto3: a create-only property of the resource schema changed makes a new resource first,
references move to it (a FlowOutput on a replaced flow is replaced, an alarm referring to it is
updated), the old one goes in the clean-up phase after every other update, a failed delete there is
a DELETE_FAILED event and the stack still ends UPDATE_COMPLETE; a failure rolls the replacement
back. And a flow's Source updated by CloudFormation is the template's, whole."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from streamfabric.sandbox.cloudformation import schemas

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
RESOURCES = Path(__file__).resolve().parents[2] / "src" / "streamfabric" / "sandbox" / "cloudformation"
STACK = "flows"


@pytest.fixture()
def clients(aws: str) -> dict[str, Any]:
    return {
        name: boto3.client(name, region_name=REGION, endpoint_url=aws)
        for name in ("cloudformation", "mediaconnect", "ec2", "cloudwatch")
    }


def _template(zone: str = "a", source: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Resources": {
            "Flow": {
                "Type": "AWS::MediaConnect::Flow",
                "Properties": {
                    "Name": "demo-live",
                    "AvailabilityZone": f"{REGION}{zone}",
                    "Source": source
                    or {
                        "Name": "standby",
                        "Protocol": "srt-listener",
                        "IngestPort": 7000,
                        "WhitelistCidr": "10.0.0.0/16",
                    },
                },
            },
            "Out": {
                "Type": "AWS::MediaConnect::FlowOutput",
                "Properties": {
                    "FlowArn": {"Fn::GetAtt": ["Flow", "FlowArn"]},
                    "Name": "to-program",
                    "Protocol": "srt-listener",
                    "Port": 6000,
                    "CidrAllowList": ["10.0.0.0/8"],
                },
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "demo-no-signal",
                    "Namespace": "AWS/MediaConnect",
                    "MetricName": "SourceConnected",
                    "Dimensions": [{"Name": "FlowARN", "Value": {"Fn::GetAtt": ["Flow", "FlowArn"]}}],
                    "Statistic": "Minimum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "LessThanThreshold",
                },
            },
        },
        "Outputs": {
            "FlowArn": {"Value": {"Ref": "Flow"}},
            "OutputArn": {"Value": {"Fn::GetAtt": ["Out", "OutputArn"]}},
        },
    }


def _change_set(cfn: Any, name: str, template: dict[str, Any], kind: str = "UPDATE") -> dict[str, Any]:
    cfn.create_change_set(
        StackName=STACK, ChangeSetName=name, ChangeSetType=kind, TemplateBody=json.dumps(template)
    )
    return dict(cfn.describe_change_set(StackName=STACK, ChangeSetName=name))


def _changes(change_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in change_set["Changes"]}


def _outputs(cfn: Any) -> dict[str, str]:
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _status(cfn: Any) -> str:
    return str(cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"])


def _events(cfn: Any) -> list[tuple[str, str, str, str]]:
    """(logical id, physical id, status, reason), oldest first."""
    events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
    return [
        (
            e["LogicalResourceId"],
            e.get("PhysicalResourceId", ""),
            e["ResourceStatus"],
            e.get("ResourceStatusReason", ""),
        )
        for e in reversed(events)
    ]


def _create(cfn: Any, template: dict[str, Any]) -> None:
    _change_set(cfn, "create", template, "CREATE")
    cfn.execute_change_set(StackName=STACK, ChangeSetName="create")
    assert _status(cfn) == "CREATE_COMPLETE"


# --- 1. create-only properties come from the resource schemas -----------------------------------


def test_create_only_properties_are_cfn_lints_resource_schemas_and_no_model_lists_its_own() -> None:
    for resource_type in (
        "AWS::MediaConnect::Flow",
        "AWS::MediaConnect::FlowOutput",
        "AWS::MediaConnect::FlowSource",
        "AWS::EC2::Subnet",
        "AWS::EC2::VPCPeeringConnection",
        "AWS::EC2::Route",
        "AWS::SecretsManager::Secret",
    ):
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, resource_type).schema
        expected = [p.removeprefix("/properties/") for p in schema["createOnlyProperties"]]
        assert ["/".join(path) for path in schemas.create_only(REGION, resource_type)] == expected
    assert ("Source", "Name") in schemas.create_only(REGION, "AWS::MediaConnect::Flow")
    found = []
    for path in sorted(RESOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.id]
                if isinstance(node, ast.Name)
                else [node.attr]
                if isinstance(node, ast.Attribute)
                else []
            )
            found += [f"{path.name}:{node.lineno}" for name in names if "CREATE_ONLY" in name]
    assert found == []


# --- 2/3. a replaced flow: the change set, then the update ---------------------------------------


def test_a_flow_moved_to_another_zone_is_replaced_its_output_too_and_the_old_ones_go_last(
    clients: dict[str, Any],
) -> None:
    cfn, mc, cw = clients["cloudformation"], clients["mediaconnect"], clients["cloudwatch"]
    _create(cfn, _template())
    before = _outputs(cfn)

    change_set = _change_set(cfn, "move", _template(zone="b"))
    changes = _changes(change_set)
    assert set(changes) == {"Flow", "Out", "Alarm"}
    flow, out, alarm = changes["Flow"], changes["Out"], changes["Alarm"]
    assert (flow["Action"], flow["Replacement"], flow["PhysicalResourceId"]) == (
        "Modify",
        "True",
        before["FlowArn"],
    )
    assert flow["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "AvailabilityZone", "RequiresRecreation": "Always"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    ]
    assert flow["PolicyAction"] == "ReplaceAndDelete"
    # the output's FlowArn (create-only) refers to the replaced flow: maybe replaced
    assert out["Replacement"] == "Conditional"
    assert out["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "FlowArn", "RequiresRecreation": "Always"},
            "Evaluation": "Dynamic",
            "ChangeSource": "ResourceAttribute",
            "CausingEntity": "Flow.FlowArn",
        }
    ]
    # the alarm's Dimensions are not create-only: updated in place
    assert alarm["Replacement"] == "False"
    assert [(d["Target"]["Name"], d["Target"]["RequiresRecreation"]) for d in alarm["Details"]] == [
        ("Dimensions", "Never")
    ]

    cfn.execute_change_set(StackName=STACK, ChangeSetName="move")

    assert _status(cfn) == "UPDATE_COMPLETE"
    after = _outputs(cfn)
    assert after["FlowArn"] != before["FlowArn"]
    assert after["OutputArn"] != before["OutputArn"]
    [listed] = mc.list_flows()["Flows"]  # the old flow went in the clean-up phase
    new = mc.describe_flow(FlowArn=listed["FlowArn"])["Flow"]
    assert (new["FlowArn"], new["AvailabilityZone"]) == (after["FlowArn"], f"{REGION}b")
    assert [o["OutputArn"] for o in new["Outputs"]] == [after["OutputArn"]]
    [dimension] = cw.describe_alarms(AlarmNames=["demo-no-signal"])["MetricAlarms"][0]["Dimensions"]
    assert dimension["Value"] == after["FlowArn"]
    events = _events(cfn)
    statuses = [(logical, physical, status) for logical, physical, status, _ in events]
    replaced = statuses.index(("Flow", before["FlowArn"], "UPDATE_IN_PROGRESS"))
    assert "requires the creation of a new physical resource" in events[replaced][3]
    cleanup = statuses.index((STACK, statuses[-1][1], "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"))
    assert replaced < cleanup
    deleted = [s for s in statuses[cleanup:] if s[2] == "DELETE_COMPLETE"]
    assert deleted == [
        ("Out", before["OutputArn"], "DELETE_COMPLETE"),
        ("Flow", before["FlowArn"], "DELETE_COMPLETE"),
    ]
    assert statuses[-1][0::2] == (STACK, "UPDATE_COMPLETE")


def test_a_replaced_flow_that_cannot_be_deleted_is_delete_failed_and_the_update_completes(
    clients: dict[str, Any],
) -> None:
    """Clean-up phase: DeleteFlow refuses the old flow while it runs; CloudFormation reports it
    DELETE_FAILED, leaves it in the account and ends the update UPDATE_COMPLETE."""
    cfn, mc = clients["cloudformation"], clients["mediaconnect"]
    _create(cfn, _template())
    old = _outputs(cfn)["FlowArn"]
    mc.start_flow(FlowArn=old)

    _change_set(cfn, "move", _template(zone="b"))
    cfn.execute_change_set(StackName=STACK, ChangeSetName="move")

    assert _status(cfn) == "UPDATE_COMPLETE"
    new = _outputs(cfn)["FlowArn"]
    assert new != old
    assert {f["FlowArn"]: f["Status"] for f in mc.list_flows()["Flows"]} == {old: "ACTIVE", new: "STANDBY"}
    [failed] = [e for e in _events(cfn) if e[2] == "DELETE_FAILED"]
    assert failed[:2] == ("Flow", old)
    assert "must be stopped" in failed[3]
    summaries = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    assert {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}["Flow"] == new


def test_a_failure_after_a_replacement_rolls_it_back_and_deletes_the_new_resource(
    clients: dict[str, Any],
) -> None:
    cfn, mc = clients["cloudformation"], clients["mediaconnect"]
    _create(cfn, _template())
    before = _outputs(cfn)
    broken = _template(zone="b")
    broken["Resources"]["Out"]["Properties"]["VpcInterfaceAttachment"] = {"VpcInterfaceName": "missing"}

    _change_set(cfn, "broken", broken)
    cfn.execute_change_set(StackName=STACK, ChangeSetName="broken")

    assert _status(cfn) == "UPDATE_ROLLBACK_COMPLETE"
    assert _outputs(cfn) == before
    [flow] = mc.list_flows()["Flows"]  # the new flow went in the rollback's clean-up phase
    assert (flow["FlowArn"], flow["AvailabilityZone"]) == (before["FlowArn"], f"{REGION}a")
    statuses = [(e[0], e[2]) for e in _events(cfn)]
    assert ("Out", "UPDATE_FAILED") in statuses
    assert statuses.index((STACK, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")) < statuses.index(
        (STACK, "UPDATE_ROLLBACK_COMPLETE")
    )
    # and the stack updates again from there
    _change_set(cfn, "again", _template(zone="b"))
    cfn.execute_change_set(StackName=STACK, ChangeSetName="again")
    assert _status(cfn) == "UPDATE_COMPLETE"
    assert [f["AvailabilityZone"] for f in mc.list_flows()["Flows"]] == [f"{REGION}b"]


def test_a_nested_create_only_member_decides_a_sources_replacement(clients: dict[str, Any]) -> None:
    """AWS::MediaConnect::Flow's schema makes /properties/Source/Name create-only: a new source name
    replaces the flow, another change of Source updates it in place."""
    cfn = clients["cloudformation"]
    _create(cfn, _template())
    source = copy.deepcopy(_template()["Resources"]["Flow"]["Properties"]["Source"])

    renamed = _changes(_change_set(cfn, "renamed", _template(source={**source, "Name": "other"})))
    assert renamed["Flow"]["Replacement"] == "True"
    assert [(d["Target"]["Name"], d["Target"]["RequiresRecreation"]) for d in renamed["Flow"]["Details"]] == [
        ("Source", "Always")
    ]
    widened = _changes(
        _change_set(cfn, "widened", _template(source={**source, "WhitelistCidr": "10.1.0.0/16"}))
    )
    assert set(widened) == {"Flow"}  # FlowArn is the flow's identifier: the output is not touched
    assert widened["Flow"]["Replacement"] == "False"
    assert widened["Flow"]["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "Source", "RequiresRecreation": "Never"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    ]
    assert "PolicyAction" not in widened["Flow"]


# --- 4. the template's source is what the flow gets -------------------------------------------


def test_a_source_updated_by_cloudformation_is_the_templates_whole(clients: dict[str, Any]) -> None:
    """The post-steps made the hub flow an srt-caller on its VPC interface; a stack update that
    changes the template's Source (here its description) sets the template's listener again, the
    members the template omits (caller address and port, VPC interface, latency) gone."""
    cfn, mc, ec2 = clients["cloudformation"], clients["mediaconnect"], clients["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")
    template = _template()
    flow_properties = template["Resources"]["Flow"]["Properties"]
    flow_properties["VpcInterfaces"] = [
        {
            "Name": "live-vpc",
            "RoleArn": ROLE,
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "SubnetId": subnet["Subnet"]["SubnetId"],
        }
    ]
    _create(cfn, template)
    arn = _outputs(cfn)["FlowArn"]
    source_arn = mc.describe_flow(FlowArn=arn)["Flow"]["Source"]["SourceArn"]
    mc.update_flow_source(
        FlowArn=arn,
        SourceArn=source_arn,
        Protocol="srt-caller",
        SourceListenerAddress="10.1.1.10",
        SourceListenerPort=7000,
        MinLatency=500,
        VpcInterfaceName="live-vpc",
    )
    assert mc.describe_flow(FlowArn=arn)["Flow"]["Source"]["Transport"]["Protocol"] == "srt-caller"

    flow_properties["Source"] = {**flow_properties["Source"], "Description": "temporary source"}
    _change_set(cfn, "describe", template)
    cfn.execute_change_set(StackName=STACK, ChangeSetName="describe")

    assert _status(cfn) == "UPDATE_COMPLETE"
    source = mc.describe_flow(FlowArn=arn)["Flow"]["Source"]
    assert source["SourceArn"] == source_arn  # updated in place, not replaced
    assert source["Transport"] == {"Protocol": "srt-listener"}
    assert (source["IngestPort"], source["WhitelistCidr"], source["Description"]) == (
        7000,
        "10.0.0.0/16",
        "temporary source",
    )
    assert "VpcInterfaceName" not in source
    assert source["IngestIp"] == mc.describe_flow(FlowArn=arn)["Flow"]["EgressIp"]  # public again


def test_an_api_change_of_the_source_survives_an_update_that_leaves_source_alone(
    clients: dict[str, Any],
) -> None:
    cfn, mc = clients["cloudformation"], clients["mediaconnect"]
    _create(cfn, _template())
    arn = _outputs(cfn)["FlowArn"]
    source_arn = mc.describe_flow(FlowArn=arn)["Flow"]["Source"]["SourceArn"]
    mc.update_flow_source(FlowArn=arn, SourceArn=source_arn, WhitelistCidr="10.9.0.0/16")
    template = _template()
    template["Resources"]["Out"]["Properties"]["Port"] = 6100
    _change_set(cfn, "port", template)
    cfn.execute_change_set(StackName=STACK, ChangeSetName="port")
    assert mc.describe_flow(FlowArn=arn)["Flow"]["Source"]["WhitelistCidr"] == "10.9.0.0/16"
