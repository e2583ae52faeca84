"""EC2 resources of a network stack replaced as CloudFormation and EC2 do it, through plain boto3
(sandbox/cloudformation/resources/ec2_network.py, ec2_security.py, ec2.py; updates.py): a subnet moved
to another zone is a new subnet made first, which collides with the old one of the same CIDR
(InvalidSubnet.Conflict: the update rolls back), and with a new CIDR replaces it, the old one
deleted in the clean-up phase (DELETE_FAILED while a network interface is in it); a new VPC CIDR
replaces the VPC and all that is on it; a new group description replaces the group; a second
peering of two peered VPCs and a second route table association of a subnet collide."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

REGION = "eu-west-1"
STACK = "net"


@pytest.fixture()
def cfn(aws: str) -> Any:
    return boto3.client("cloudformation", region_name=REGION, endpoint_url=aws)


@pytest.fixture()
def ec2(aws: str) -> Any:
    return boto3.client("ec2", region_name=REGION, endpoint_url=aws)


def _network(vpc_cidr: str = "10.0.0.0/16", description: str = "hop") -> dict[str, Any]:
    """A network stack as streamfabric renders one (network-<region>.yaml), smaller."""
    return {
        "Parameters": {
            "AvailabilityZone": {"Type": "String", "Default": f"{REGION}a"},
            "SubnetCidr": {"Type": "String", "Default": "10.0.1.0/24"},
        },
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": vpc_cidr, "EnableDnsSupport": True}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": {"Ref": "SubnetCidr"},
                    "AvailabilityZone": {"Ref": "AvailabilityZone"},
                    "MapPublicIpOnLaunch": False,
                },
            },
            "RouteTable": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "SubnetRouteTableAssociation": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "RouteTable"}},
            },
            "SecurityGroup": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": description,
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {"IpProtocol": "udp", "FromPort": 7000, "ToPort": 7001, "CidrIp": "10.0.0.0/16"}
                    ],
                },
            },
        },
        "Outputs": {
            "VpcId": {"Value": {"Ref": "Vpc"}},
            "SubnetId": {"Value": {"Ref": "Subnet"}},
            "RouteTableId": {"Value": {"Ref": "RouteTable"}},
            "SecurityGroupId": {"Value": {"Fn::GetAtt": ["SecurityGroup", "GroupId"]}},
        },
    }


def _parameters(zone: str = "a", cidr: str = "10.0.1.0/24") -> list[dict[str, str]]:
    return [
        {"ParameterKey": "AvailabilityZone", "ParameterValue": f"{REGION}{zone}"},
        {"ParameterKey": "SubnetCidr", "ParameterValue": cidr},
    ]


def _run(cfn: Any, name: str, kind: str, template: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    cfn.create_change_set(
        StackName=STACK, ChangeSetName=name, ChangeSetType=kind, TemplateBody=json.dumps(template), **kwargs
    )
    described = cfn.describe_change_set(StackName=STACK, ChangeSetName=name)
    cfn.execute_change_set(StackName=STACK, ChangeSetName=name)
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}


def _stack(cfn: Any) -> tuple[str, dict[str, str]]:
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    return stack["StackStatus"], {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _failures(cfn: Any) -> list[tuple[str, str, str, str]]:
    events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
    return [
        (
            e["LogicalResourceId"],
            e.get("PhysicalResourceId", ""),
            e["ResourceStatus"],
            e.get("ResourceStatusReason", ""),
        )
        for e in reversed(events)
        if "FAILED" in e["ResourceStatus"]
    ]


def _subnets(ec2: Any, vpc: str) -> list[tuple[str, str, str]]:
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return sorted((s["SubnetId"], s["AvailabilityZone"], s["CidrBlock"]) for s in found)


def _associations(ec2: Any, table: str) -> list[str]:
    [found] = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    return [a["SubnetId"] for a in found["Associations"] if a.get("SubnetId")]


def test_a_subnet_moved_to_another_zone_with_its_cidr_collides_with_itself_and_rolls_back(
    cfn: Any, ec2: Any
) -> None:
    _run(cfn, "c1", "CREATE", _network(), Parameters=_parameters())
    _, before = _stack(cfn)

    changes = _run(cfn, "move", "UPDATE", _network(), Parameters=_parameters(zone="b"))

    subnet, association = changes["Subnet"], changes["SubnetRouteTableAssociation"]
    assert subnet["Replacement"] == "True"
    assert {(d["Target"]["Name"], d["Target"]["RequiresRecreation"]) for d in subnet["Details"]} == {
        ("AvailabilityZone", "Always")
    }
    assert association["Replacement"] == "Conditional"
    assert [(d["Target"]["Name"], d["ChangeSource"], d["CausingEntity"]) for d in association["Details"]] == [
        ("SubnetId", "ResourceReference", "Subnet")
    ]
    status, after = _stack(cfn)
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert after == before
    [(logical, _, event, reason)] = [f for f in _failures(cfn) if f[2] == "UPDATE_FAILED"]
    assert (logical, event) == ("Subnet", "UPDATE_FAILED")
    assert "InvalidSubnet.Conflict" in reason
    assert "conflicts with another subnet" in reason
    assert _subnets(ec2, before["VpcId"]) == [(before["SubnetId"], f"{REGION}a", "10.0.1.0/24")]
    assert _associations(ec2, before["RouteTableId"]) == [before["SubnetId"]]


def test_a_subnet_moved_with_a_new_cidr_is_replaced_and_the_old_one_deleted_in_the_clean_up(
    cfn: Any, ec2: Any
) -> None:
    _run(cfn, "c1", "CREATE", _network(), Parameters=_parameters())
    _, before = _stack(cfn)

    _run(cfn, "move", "UPDATE", _network(), Parameters=_parameters(zone="b", cidr="10.0.2.0/24"))

    status, after = _stack(cfn)
    assert status == "UPDATE_COMPLETE", _failures(cfn)
    assert after["SubnetId"] != before["SubnetId"]
    assert {k: v for k, v in after.items() if k != "SubnetId"} == {
        k: v for k, v in before.items() if k != "SubnetId"
    }
    assert _subnets(ec2, before["VpcId"]) == [(after["SubnetId"], f"{REGION}b", "10.0.2.0/24")]
    assert _associations(ec2, after["RouteTableId"]) == [after["SubnetId"]]  # replaced with it


def test_an_old_subnet_with_a_network_interface_is_delete_failed_and_the_update_completes(
    cfn: Any, ec2: Any
) -> None:
    _run(cfn, "c1", "CREATE", _network(), Parameters=_parameters())
    _, before = _stack(cfn)
    ec2.create_network_interface(SubnetId=before["SubnetId"])

    _run(cfn, "move", "UPDATE", _network(), Parameters=_parameters(zone="b", cidr="10.0.2.0/24"))

    status, after = _stack(cfn)
    assert status == "UPDATE_COMPLETE"
    [failed] = _failures(cfn)
    assert failed[:3] == ("Subnet", before["SubnetId"], "DELETE_FAILED")
    assert "DependencyViolation" in failed[3]
    assert [s[0] for s in _subnets(ec2, before["VpcId"])] == sorted([before["SubnetId"], after["SubnetId"]])


def test_a_new_vpc_cidr_replaces_the_vpc_and_everything_on_it(cfn: Any, ec2: Any) -> None:
    _run(cfn, "c1", "CREATE", _network(), Parameters=_parameters())
    _, before = _stack(cfn)

    changes = _run(cfn, "cidr", "UPDATE", _network("10.0.0.0/17"), Parameters=_parameters())

    assert {name: c["Replacement"] for name, c in changes.items()} == {
        "Vpc": "True",
        "Subnet": "Conditional",
        "RouteTable": "Conditional",
        "SubnetRouteTableAssociation": "Conditional",
        "SecurityGroup": "Conditional",
    }
    status, after = _stack(cfn)
    assert status == "UPDATE_COMPLETE", _failures(cfn)
    assert all(after[key] != before[key] for key in before)
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]
    assert vpcs == [after["VpcId"]]  # the old VPC went after what was on it
    assert _subnets(ec2, after["VpcId"]) == [(after["SubnetId"], f"{REGION}a", "10.0.1.0/24")]
    assert _associations(ec2, after["RouteTableId"]) == [after["SubnetId"]]


def test_a_new_group_description_replaces_the_group_and_the_old_one_goes(cfn: Any, ec2: Any) -> None:
    _run(cfn, "c1", "CREATE", _network(), Parameters=_parameters())
    _, before = _stack(cfn)
    changes = _run(cfn, "describe", "UPDATE", _network(description="hop, again"), Parameters=_parameters())
    assert changes["SecurityGroup"]["Replacement"] == "True"
    status, after = _stack(cfn)
    assert status == "UPDATE_COMPLETE"
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [before["VpcId"]]}])
    assert sorted(g["GroupId"] for g in groups["SecurityGroups"] if g["GroupName"] != "default") == [
        after["SecurityGroupId"]
    ]
    assert after["SecurityGroupId"] != before["SecurityGroupId"]


def test_a_peering_replaced_between_the_same_two_vpcs_collides_and_rolls_back(cfn: Any, ec2: Any) -> None:
    hub = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    spoke = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]

    def template(requester: str, accepter: str) -> dict[str, Any]:
        peering = {"VpcId": requester, "PeerVpcId": accepter}
        return {
            "Resources": {"Peering": {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": peering}},
            "Outputs": {"Id": {"Value": {"Ref": "Peering"}}},
        }

    _run(cfn, "c1", "CREATE", template(hub, spoke))
    _, before = _stack(cfn)
    changes = _run(cfn, "swap", "UPDATE", template(spoke, hub))
    assert changes["Peering"]["Replacement"] == "True"
    status, after = _stack(cfn)
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert after == before
    assert any("VpcPeeringConnectionAlreadyExists" in f[3] for f in _failures(cfn))
    states = {
        p["VpcPeeringConnectionId"]: p["Status"]["Code"]
        for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
    }
    assert states == {before["Id"]: "active"}


def test_an_association_replaced_for_the_same_subnet_collides_and_rolls_back(cfn: Any, ec2: Any) -> None:
    template = _network()
    template["Resources"]["OtherTable"] = {
        "Type": "AWS::EC2::RouteTable",
        "Properties": {"VpcId": {"Ref": "Vpc"}},
    }
    _run(cfn, "c1", "CREATE", template, Parameters=_parameters())
    _, before = _stack(cfn)
    template["Resources"]["SubnetRouteTableAssociation"]["Properties"]["RouteTableId"] = {"Ref": "OtherTable"}
    changes = _run(cfn, "switch", "UPDATE", template, Parameters=_parameters())
    assert changes["SubnetRouteTableAssociation"]["Replacement"] == "True"
    status, _ = _stack(cfn)
    assert status == "UPDATE_ROLLBACK_COMPLETE"
    assert any("Resource.AlreadyAssociated" in f[3] for f in _failures(cfn))
    assert _associations(ec2, before["RouteTableId"]) == [before["SubnetId"]]
