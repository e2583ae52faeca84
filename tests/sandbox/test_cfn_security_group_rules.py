"""Security group rules changed as CloudFormation changes them (AWS::EC2::SecurityGroup: "If you modify
a rule, CloudFormation removes the existing rule and then adds a new rule ... the corresponding traffic
is dropped"), egress rules included, and the emulator's registry of the windows that drop traffic
(sandbox/ec2/security_group_rules.py, sandbox/ec2/traffic.py)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from streamfabric.sandbox.ec2 import traffic
from streamfabric.sandbox.ec2.traffic import Rule
from streamfabric.sandbox.server import reset

REGION = "eu-west-1"
ACCOUNT = "123456789012"
STACK = "sg"


@pytest.fixture()
def cfn(aws: str) -> Any:
    return boto3.client("cloudformation", region_name=REGION, endpoint_url=aws)


@pytest.fixture()
def ec2(aws: str) -> Any:
    return boto3.client("ec2", region_name=REGION, endpoint_url=aws)


def _rule(port: int, cidr: str, description: str = "") -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": "udp", "FromPort": port, "ToPort": port, "CidrIp": cidr}
    if description:
        rule["Description"] = description
    return rule


def _template(vpc: str, ingress: list[dict[str, Any]], egress: list[dict[str, Any]] | None) -> dict[str, Any]:
    properties: dict[str, Any] = {"GroupDescription": "hop", "VpcId": vpc, "SecurityGroupIngress": ingress}
    if egress is not None:
        properties["SecurityGroupEgress"] = egress
    return {
        "Resources": {"Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": properties}},
        "Outputs": {"GroupId": {"Value": {"Fn::GetAtt": ["Group", "GroupId"]}}},
    }


def _deploy(cfn: Any, template: dict[str, Any]) -> str:
    if cfn.list_stacks()["StackSummaries"]:
        cfn.update_stack(StackName=STACK, TemplateBody=json.dumps(template))
    else:
        cfn.create_stack(StackName=STACK, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    return str(stack["Outputs"][0]["OutputValue"])


def _rules(ec2: Any, group: str) -> set[tuple[str, str, Any, str, str]]:
    """(direction, protocol, port, cidr, description) of each rule of the group."""
    [found] = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"]
    rules = set()
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for permission in found[key]:
            for item in permission.get("IpRanges", []):
                rules.add(
                    (
                        direction,
                        permission["IpProtocol"],
                        permission.get("FromPort"),
                        item["CidrIp"],
                        item.get("Description", ""),
                    )
                )
    return rules


@pytest.fixture()
def vpc(ec2: Any) -> str:
    return str(ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


def test_a_group_has_its_templates_egress_rules_and_not_the_default_one(cfn: Any, ec2: Any, vpc: str) -> None:
    group = _deploy(cfn, _template(vpc, [_rule(7000, "10.0.0.0/16")], [_rule(7001, "10.1.0.0/16")]))
    assert _rules(ec2, group) == {
        ("ingress", "udp", 7000, "10.0.0.0/16", ""),
        ("egress", "udp", 7001, "10.1.0.0/16", ""),
    }


def test_changed_rules_are_revoked_before_their_replacements_and_the_window_is_recorded(
    cfn: Any, ec2: Any, vpc: str
) -> None:
    kept, changed, egress = (
        _rule(7000, "10.0.0.0/16"),
        _rule(7001, "10.1.0.0/16"),
        _rule(0, "10.2.0.0/16", "one"),
    )
    group = _deploy(cfn, _template(vpc, [kept, changed], [egress]))
    assert traffic.dropped_since(ACCOUNT, REGION, [group], 0) == []  # creating drops nothing
    start = time.time()

    added, moved, described = (
        _rule(5000, "192.0.2.0/24"),
        _rule(7001, "10.3.0.0/16"),
        _rule(0, "10.2.0.0/16", "two"),
    )
    assert _deploy(cfn, _template(vpc, [kept, moved, added], [described])) == group  # same group

    assert _rules(ec2, group) == {
        ("ingress", "udp", 7000, "10.0.0.0/16", ""),
        ("ingress", "udp", 7001, "10.3.0.0/16", ""),
        ("ingress", "udp", 5000, "192.0.2.0/24", ""),
        ("egress", "udp", 0, "10.2.0.0/16", "two"),
    }
    [window] = traffic.dropped_since(ACCOUNT, REGION, [group], start)
    assert window.security_group_id == group
    assert start <= window.at <= time.time()
    assert window.seconds == traffic.DROP_SECONDS > 0
    assert set(window.rules) == {
        Rule("ingress", "udp", 7001, 7001, ("CidrIp", "10.1.0.0/16")),  # modified: removed, then added
        Rule("egress", "udp", 0, 0, ("CidrIp", "10.2.0.0/16"), "one"),  # a new description is a new rule
    }
    assert traffic.dropped_since(ACCOUNT, REGION, ["sg-other"], start) == []
    assert traffic.dropped_since(ACCOUNT, "us-east-1", [group], start) == []
    assert traffic.dropped_since(ACCOUNT, REGION, [group], window.until + 1) == []


def test_rules_only_added_drop_nothing_and_no_egress_rules_bring_the_default_back(
    cfn: Any, ec2: Any, vpc: str
) -> None:
    group = _deploy(cfn, _template(vpc, [_rule(7000, "10.0.0.0/16")], [_rule(7001, "10.1.0.0/16")]))
    start = time.time()
    _deploy(
        cfn,
        _template(
            vpc, [_rule(7000, "10.0.0.0/16"), _rule(5000, "192.0.2.0/24")], [_rule(7001, "10.1.0.0/16")]
        ),
    )
    assert traffic.dropped_since(ACCOUNT, REGION, [group], start) == []

    _deploy(cfn, _template(vpc, [_rule(7000, "10.0.0.0/16"), _rule(5000, "192.0.2.0/24")], None))
    assert ("egress", "-1", None, "0.0.0.0/0", "") in _rules(ec2, group)
    [window] = traffic.dropped_since(ACCOUNT, REGION, [group], start)
    assert window.rules == (Rule("egress", "udp", 7001, 7001, ("CidrIp", "10.1.0.0/16")),)


def test_the_registry_keeps_windows_by_group_and_time_and_forgets_them_on_reset(aws: str) -> None:
    rule = Rule("ingress", "udp", 7000, 7000, ("CidrIp", "10.0.0.0/16"))
    assert traffic.drop(ACCOUNT, REGION, "sg-1", []) is None
    first = traffic.drop(ACCOUNT, REGION, "sg-1", [rule], at=100.0, seconds=2)
    second = traffic.drop(ACCOUNT, REGION, "sg-2", [rule], at=200.0)
    assert first is not None and second is not None
    assert (first.until, second.seconds) == (102.0, traffic.DROP_SECONDS)
    assert traffic.dropped_since(ACCOUNT, REGION, ["sg-1", "sg-2"], 101.0) == [first, second]
    assert traffic.dropped_since(ACCOUNT, REGION, ["sg-1", "sg-2"], 103.0) == [second]
    traffic.configure(seconds=0.5)
    assert traffic.drop(ACCOUNT, REGION, "sg-3", [rule], at=300.0).seconds == 0.5  # type: ignore[union-attr]
    reset(aws)  # POST /moto-api/reset
    assert traffic.dropped_since(ACCOUNT, REGION, ["sg-1", "sg-2", "sg-3"], 0) == []
    assert traffic.drop(ACCOUNT, REGION, "sg-3", [rule], at=300.0).seconds == traffic.DROP_SECONDS  # type: ignore[union-attr]
