"""Stack updates in the sandbox as CloudFormation runs them
(:mod:`streamfabric.sandbox.cloudformation.updates`): no resource the template still has vanishes,
security group rules change in place, and a removal that fails in the clean-up phase leaves the
resource orphaned and the stack UPDATE_COMPLETE."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


@pytest.fixture()
def cfn(aws: str) -> Any:
    return _client("cloudformation", aws)


def _execute(cfn: Any, stack: str, name: str, kind: str, template: dict[str, Any], **kwargs: Any) -> None:
    cfn.create_change_set(
        StackName=stack, ChangeSetName=name, ChangeSetType=kind, TemplateBody=json.dumps(template), **kwargs
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName=name)


def _network(ingress_cidrs: list[str]) -> dict[str, Any]:
    return {
        "Parameters": {"AvailabilityZone": {"Type": "String", "Default": f"{REGION}a"}},
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": "10.9.1.0/24",
                    "AvailabilityZone": {"Ref": "AvailabilityZone"},
                },
            },
            "SecurityGroup": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "hop",
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {"IpProtocol": "udp", "FromPort": 7000, "ToPort": 7001, "CidrIp": cidr}
                        for cidr in ingress_cidrs
                    ],
                },
            },
        },
        "Outputs": {
            "SubnetId": {"Value": {"Ref": "Subnet"}},
            "SecurityGroupId": {"Value": {"Ref": "SecurityGroup"}},
        },
    }


def _outputs(cfn: Any, stack: str) -> dict[str, str]:
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs") or []}


def _resources(cfn: Any, stack: str) -> list[str]:
    summaries = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return sorted(s["LogicalResourceId"] for s in summaries)


def test_an_update_through_a_change_set_keeps_every_resource_the_template_still_has(
    aws: str, cfn: Any
) -> None:
    """The issue-13 Subnet case: a network stack losing a region's rule kept its Subnet."""
    ec2 = _client("ec2", aws)
    _execute(cfn, "net", "c1", "CREATE", _network(["10.1.0.0/16", "10.2.0.0/16"]))
    before = _outputs(cfn, "net")

    _execute(cfn, "net", "c2", "UPDATE", _network(["10.1.0.0/16"]))

    assert cfn.describe_stacks(StackName="net")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert _resources(cfn, "net") == ["SecurityGroup", "Subnet", "Vpc"]
    assert _outputs(cfn, "net") == before  # same subnet, same security group (rules change in place)
    (group,) = ec2.describe_security_groups(GroupIds=[before["SecurityGroupId"]])["SecurityGroups"]
    cidrs = [r["CidrIp"] for p in group["IpPermissions"] for r in p.get("IpRanges", [])]
    assert cidrs == ["10.1.0.0/16"]
    subnets = ec2.describe_subnets(SubnetIds=[before["SubnetId"]])["Subnets"]
    assert [s["SubnetId"] for s in subnets] == [before["SubnetId"]]


def _flows(names: list[str]) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for name in names:
        resources[f"{name.title()}Flow"] = {
            "Type": "AWS::MediaConnect::Flow",
            "Properties": {
                "Name": name,
                "AvailabilityZone": f"{REGION}a",
                "Source": {
                    "Name": "src",
                    "Protocol": "srt-listener",
                    "IngestPort": 5000,
                    "WhitelistCidr": "10.0.0.0/16",
                },
            },
        }
        resources[f"{name.title()}Out"] = {
            "Type": "AWS::MediaConnect::FlowOutput",
            "Properties": {
                "FlowArn": {"Ref": f"{name.title()}Flow"},
                "Name": "to-live",
                "Protocol": "srt-listener",
                "Port": 7000,
                "CidrAllowList": ["10.0.0.0/16"],
            },
        }
    return {
        "Resources": resources,
        "Outputs": {f"{n.title()}FlowArn": {"Value": {"Ref": f"{n.title()}Flow"}} for n in names},
    }


def test_removing_a_running_flow_orphans_it_and_completes_the_update(aws: str, cfn: Any) -> None:
    """Clean-up phase: DeleteFlow refuses a running flow; the update does not roll back, the flow
    stays in the account (out of the stack) and the stack is UPDATE_COMPLETE."""
    mc = _client("mediaconnect", aws)
    _execute(cfn, "flows", "c1", "CREATE", _flows(["one", "two"]))
    arns = _outputs(cfn, "flows")
    mc.start_flow(FlowArn=arns["TwoFlowArn"])

    _execute(cfn, "flows", "c2", "UPDATE", _flows(["one"]))

    described = cfn.describe_stacks(StackName="flows")["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    assert _outputs(cfn, "flows") == {"OneFlowArn": arns["OneFlowArn"]}
    assert _resources(cfn, "flows") == ["OneFlow", "OneOut"]
    orphan = mc.describe_flow(FlowArn=arns["TwoFlowArn"])["Flow"]
    assert orphan["Status"] == "ACTIVE"
    assert orphan["Outputs"] == []  # its output, deletable, went in the clean-up phase
    failed = [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in cfn.describe_stack_events(StackName="flows")["StackEvents"]
        if e["ResourceStatus"] == "DELETE_FAILED"
    ]
    assert failed == [("TwoFlow", "DELETE_FAILED")]


def test_removing_a_stopped_flow_deletes_it_after_its_output(aws: str, cfn: Any) -> None:
    mc = _client("mediaconnect", aws)
    _execute(cfn, "flows", "c1", "CREATE", _flows(["one", "two"]))
    _execute(cfn, "flows", "c2", "UPDATE", _flows(["one"]))
    assert [f["Name"] for f in mc.list_flows()["Flows"]] == ["one"]
    assert cfn.describe_stacks(StackName="flows")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
