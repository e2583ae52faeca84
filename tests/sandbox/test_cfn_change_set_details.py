"""Change sets' ResourceChange as CloudFormation answers it (sandbox/cloudformation/details.py): Details
(Target Attribute/Name/RequiresRecreation, Evaluation, ChangeSource, CausingEntity), Scope and
Replacement, for direct edits, parameters, tags, metadata and references; every answer checked
against botocore's model of DescribeChangeSet."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.model import ServiceModel
from botocore.session import get_session

REGION = "eu-west-1"
STACK = "details"


@pytest.fixture()
def cfn(aws: str) -> Any:
    return boto3.client("cloudformation", region_name=REGION, endpoint_url=aws)


def _model() -> ServiceModel:
    return get_session().get_service_model("cloudformation")


def _conforms(value: Any, shape: Any, where: str = "") -> list[str]:
    """What of ``value`` botocore's ``shape`` does not allow (members, enums, types)."""
    problems: list[str] = []
    if shape.type_name == "structure":
        if not isinstance(value, dict):
            return [f"{where}: not a structure"]
        for key, item in value.items():
            if key not in shape.members:
                problems.append(f"{where}.{key}: not a member of {shape.name}")
            else:
                problems += _conforms(item, shape.members[key], f"{where}.{key}")
    elif shape.type_name == "list":
        problems += [
            p for i, item in enumerate(value) for p in _conforms(item, shape.member, f"{where}[{i}]")
        ]
    elif shape.type_name == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{where}: {value!r} not in {shape.enum}")
    return problems


def _template(zone: str = "a", tags: str = "one", metadata: str = "m1") -> dict[str, Any]:
    return {
        "Parameters": {
            "Zone": {"Type": "String", "Default": f"{REGION}{zone}"},
            "Cidr": {"Type": "String", "Default": "10.0.0.0/16"},
        },
        "Resources": {
            "Flow": {
                "Type": "AWS::MediaConnect::Flow",
                "Metadata": {"note": metadata},
                "Properties": {
                    "Name": "demo-live",
                    "AvailabilityZone": {"Ref": "Zone"},
                    "Source": {
                        "Name": "standby",
                        "Protocol": "srt-listener",
                        "IngestPort": 7000,
                        "WhitelistCidr": {"Ref": "Cidr"},
                    },
                    "Tags": [{"Key": "tier", "Value": tags}],
                },
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "demo-alarm",
                    "AlarmDescription": {"Fn::Sub": "egress ${Flow.EgressIp}"},
                    "Namespace": "AWS/MediaConnect",
                    "MetricName": "SourceConnected",
                    "Dimensions": [{"Name": "FlowARN", "Value": {"Ref": "Flow"}}],
                    "Statistic": "Minimum",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 1,
                    "ComparisonOperator": "LessThanThreshold",
                },
            },
        },
    }


def _describe(cfn: Any, name: str, template: dict[str, Any], kind: str = "UPDATE", **kwargs: Any) -> Any:
    cfn.create_change_set(
        StackName=STACK, ChangeSetName=name, ChangeSetType=kind, TemplateBody=json.dumps(template), **kwargs
    )
    described = cfn.describe_change_set(StackName=STACK, ChangeSetName=name)
    described.pop("ResponseMetadata")
    output = _model().operation_model("DescribeChangeSet").output_shape
    assert _conforms(described, output) == []
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}


def _created(cfn: Any) -> None:
    changes = _describe(cfn, "create", _template(), "CREATE")
    assert {name: (c["Action"], c.get("Scope"), c.get("Details")) for name, c in changes.items()} == {
        "Flow": ("Add", [], []),
        "Alarm": ("Add", [], []),
    }
    cfn.execute_change_set(StackName=STACK, ChangeSetName="create")


def _target(name: str, requires: str, attribute: str = "Properties") -> dict[str, str]:
    return {"Attribute": attribute, "Name": name, "RequiresRecreation": requires}


def test_a_parameter_in_a_create_only_property_is_a_static_replacement_by_that_parameter(cfn: Any) -> None:
    _created(cfn)
    changes = _describe(
        cfn, "zone", _template(), Parameters=[{"ParameterKey": "Zone", "ParameterValue": f"{REGION}b"}]
    )
    flow = changes["Flow"]
    assert (flow["Action"], flow["Replacement"], flow["Scope"]) == ("Modify", "True", ["Properties"])
    assert flow["Details"] == [
        {
            "Target": _target("AvailabilityZone", "Always"),
            "Evaluation": "Dynamic",
            "ChangeSource": "DirectModification",
        },
        {
            "Target": _target("AvailabilityZone", "Always"),
            "Evaluation": "Static",
            "ChangeSource": "ParameterReference",
            "CausingEntity": "Zone",
        },
    ]
    # the alarm refers to the replaced flow: its Ref (a dimension) and an attribute (the description)
    alarm = changes["Alarm"]
    assert alarm["Replacement"] == "False"
    assert alarm["Details"] == [
        {
            "Target": _target("AlarmDescription", "Never"),
            "Evaluation": "Dynamic",
            "ChangeSource": "ResourceAttribute",
            "CausingEntity": "Flow.EgressIp",
        },
        {
            "Target": _target("Dimensions", "Never"),
            "Evaluation": "Dynamic",
            "ChangeSource": "ResourceReference",
            "CausingEntity": "Flow",
        },
    ]


def test_a_parameter_in_a_property_updated_in_place_is_no_replacement(cfn: Any) -> None:
    _created(cfn)
    changes = _describe(
        cfn, "cidr", _template(), Parameters=[{"ParameterKey": "Cidr", "ParameterValue": "10.1.0.0/16"}]
    )
    flow = changes["Flow"]
    assert flow["Replacement"] == "False"
    assert [
        (d["Target"]["Name"], d["Evaluation"], d["ChangeSource"], d.get("CausingEntity"))
        for d in flow["Details"]
    ] == [
        ("Source", "Dynamic", "DirectModification", None),
        ("Source", "Static", "ParameterReference", "Cidr"),
    ]
    # the flow is updated in place: its Ref stays, its EgressIp may change (AWS says nothing of which
    # attributes an update changes: the harsher reading)
    assert [(d["Target"]["Name"], d["CausingEntity"]) for d in changes["Alarm"]["Details"]] == [
        ("AlarmDescription", "Flow.EgressIp")
    ]


def test_tags_metadata_and_stack_tags_are_their_own_attributes_and_never_replace(cfn: Any) -> None:
    _created(cfn)
    changes = _describe(cfn, "tags", _template(tags="two", metadata="m2"))
    flow = changes["Flow"]
    assert (flow["Scope"], flow["Replacement"]) == (["Tags", "Metadata"], "False")
    assert flow["Details"] == [
        {
            "Target": {"Attribute": "Tags", "RequiresRecreation": "Never"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        },
        {
            "Target": {"Attribute": "Metadata", "RequiresRecreation": "Never"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        },
    ]
    assert [(d["Target"]["Name"], d["CausingEntity"]) for d in changes["Alarm"]["Details"]] == [
        ("AlarmDescription", "Flow.EgressIp")
    ]
    stack_tags = _describe(cfn, "stack-tags", _template(), Tags=[{"Key": "team", "Value": "video"}])
    for change in stack_tags.values():
        assert (change["Scope"], change["Replacement"]) == (["Tags"], "False")
        assert change["Details"] == [
            {
                "Target": {"Attribute": "Tags", "RequiresRecreation": "Never"},
                "Evaluation": "Static",
                "ChangeSource": "DirectModification",
            }
        ]


def test_a_removed_resource_has_no_details_and_the_policy_its_deletion_policy_says(cfn: Any) -> None:
    _created(cfn)
    template = _template()
    del template["Resources"]["Alarm"]
    changes = _describe(cfn, "remove", template)
    assert {k: (c["Action"], c["Scope"], c["Details"], c["PolicyAction"]) for k, c in changes.items()} == {
        "Alarm": ("Remove", [], [], "Delete")
    }
