"""A security group's rules as a template states them, and a change of them applied as EC2 does it.

AWS CloudFormation Template Reference, AWS::EC2::SecurityGroup
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):

* ``SecurityGroupIngress`` / ``SecurityGroupEgress`` are lists of rules (``IpProtocol``,
  ``FromPort``, ``ToPort``, one of ``CidrIp`` / ``CidrIpv6`` / a security group / a prefix list,
  ``Description``), updated with "No interruption" as a property, but: "If you modify a rule,
  CloudFormation removes the existing rule and then adds a new rule. There is a brief period when
  neither the original rule or the new rule exists, so the corresponding traffic is dropped."
  :func:`apply` therefore revokes every rule the update changes or removes (RevokeSecurityGroupIngress
  / RevokeSecurityGroupEgress), records the window in :mod:`.traffic`, then authorizes the new ones;
  a rule only added is authorized without a window and an unchanged rule is left alone. A rule is
  the whole of what the template says of it, its ``Description`` included (AWS documents nothing on
  a description-only change: the harsher reading, a modified rule).
* "When you specify a VPC security group, Amazon EC2 creates a default egress rule that allows
  egress traffic on all ports and IP protocols to any location. The default rule is removed only
  when you specify one or more egress rules." A group whose template has no egress rules has that
  default rule (:data:`DEFAULT_EGRESS`), so going from none to some revokes it (a window) and
  going back re-authorizes it.

Rules are applied with moto's EC2 backend, the path of the API (so DescribeSecurityGroups and
DescribeSecurityGroupRules show them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.core.exceptions import ServiceException

from . import traffic
from .traffic import Rule

_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1", "58": "icmpv6"}
_PEERS = {
    "ingress": (
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourceSecurityGroupName",
        "SourcePrefixListId",
    ),
    "egress": ("CidrIp", "CidrIpv6", "DestinationSecurityGroupId", "DestinationPrefixListId"),
}
PROPERTY = {"ingress": "SecurityGroupIngress", "egress": "SecurityGroupEgress"}
DEFAULT_EGRESS = Rule("egress", "-1", None, None, ("CidrIp", "0.0.0.0/0"))


def _port(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def rule(direction: str, item: dict[str, Any]) -> Rule:
    """One template rule, normalized (protocol names, integer ports; no ports for all protocols)."""
    protocol = str(item.get("IpProtocol", "")).lower()
    protocol = _PROTOCOLS.get(protocol, protocol)
    peer = next(((key, str(item[key])) for key in _PEERS[direction] if item.get(key)), ("", ""))
    ports = (None, None) if protocol == "-1" else (_port(item.get("FromPort")), _port(item.get("ToPort")))
    return Rule(direction, protocol, *ports, peer, str(item.get("Description") or ""))


def rules(properties: dict[str, Any], vpc: bool = True) -> list[Rule]:
    """Every rule the group of ``properties`` has (the default egress rule when none is given)."""
    found = [
        rule(direction, item) for direction, key in PROPERTY.items() for item in properties.get(key) or []
    ]
    if vpc and not properties.get(PROPERTY["egress"]):
        found.append(DEFAULT_EGRESS)
    return list(dict.fromkeys(found))


def _arguments(item: Rule) -> dict[str, Any]:
    key, value = item.peer
    described = {"Description": item.description} if item.description else {}
    arguments: dict[str, Any] = {
        "ip_protocol": item.protocol,
        "from_port": item.from_port,
        "to_port": item.to_port,
        "ip_ranges": [],
        "source_groups": [],
        "prefix_list_ids": [],
    }
    if key in ("CidrIp", "CidrIpv6"):
        arguments["ip_ranges"] = [{key: value, **described}]
    elif key.endswith("SecurityGroupId"):
        arguments["source_groups"] = [{"GroupId": value, **described}]
    elif key.endswith("SecurityGroupName"):
        arguments["source_groups"] = [{"GroupName": value, **described}]
    elif key.endswith("PrefixListId"):
        arguments["prefix_list_ids"] = [{"PrefixListId": value, **described}]
    return arguments


def authorize(backend: Any, group_id: str, vpc_id: str | None, items: Iterable[Rule]) -> None:
    for item in items:
        call = backend.authorize_security_group_ingress
        if item.direction == "egress":
            call = backend.authorize_security_group_egress
        call(group_name_or_id=group_id, vpc_id=vpc_id, **_arguments(item))


def revoke(backend: Any, group_id: str, vpc_id: str | None, items: Iterable[Rule]) -> None:
    """Revoke ``items`` (one already gone is not an error: its traffic is dropped either way)."""
    for item in items:
        call = backend.revoke_security_group_ingress
        if item.direction == "egress":
            call = backend.revoke_security_group_egress
        try:
            call(group_name_or_id=group_id, vpc_id=vpc_id, **_arguments(item))
        except ServiceException as err:
            if "NotFound" not in str(getattr(err, "code", "")):
                raise


def apply(
    backend: Any,
    group_id: str,
    vpc_id: str | None,
    before: list[Rule],
    after: list[Rule],
    record: bool = True,
) -> tuple[list[Rule], list[Rule]]:
    """Go from the rules ``before`` to ``after``: revoke what changed or went (recorded as a dropped
    window when ``record``), then authorize what is new. Returns (revoked, authorized)."""
    revoked = [item for item in before if item not in after]
    added = [item for item in after if item not in before]
    revoke(backend, group_id, vpc_id, revoked)
    if record:
        traffic.drop(backend.account_id, backend.region_name, group_id, revoked)
    authorize(backend, group_id, vpc_id, added)
    return revoked, added
