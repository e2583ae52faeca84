"""The on-air guard's reading of CloudFormation's own answers (pure): what a stack update does to
what Live and Preview are carrying.

Deploy asks CloudFormation before it changes anything (change sets, :mod:`..execute.review`) and
this module reads the answers (``ResourceChange``: ``Action``, ``Replacement``, ``PhysicalResourceId``
and the properties in ``Details``). For each running hub flow and the ingest it is on, these are
interruptions:

* the hub flow replaced or removed, or modified with ``Source`` among the properties: CloudFormation
  sets the flow's source to the template's (the temporary listener), black until the post-steps
  re-point it;
* the on-air ingest's flow replaced or removed, or its ``Source`` updated (its encoder's listener
  changes under it); its hop output for that role modified, replaced or removed;
* on the path between them (the network stacks of the hub's and the ingest's regions, the hub's
  peering with the ingest's region, that region's routes): a subnet, VPC, route table, route,
  association or peering connection replaced, removed or modified, the hop's secret changed, and a
  security group whose rules change other than by additions ("If you modify a rule, CloudFormation
  removes the existing rule and then adds a new rule. There is a brief period when neither the
  original rule or the new rule exists, so the corresponding traffic is dropped": CloudFormation
  Template Reference, AWS::EC2::SecurityGroup). A ``Conditional`` replacement counts as one.

A stack whose change set cannot be asked before the deploy (its parameters come from a stack the
deploy changes first) is judged the same way when its change set is made, before it is executed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ...topology.model import HOP_OUTPUTS, HUB_ROLES, HubRole, Topology
from ..observed import RUNNING, FlowState, RemoteState, ResourceChange
from .inventory import stack_kind
from .on_air import ingest_name, on_air
from .parameters import CfnLoader

PATH_TYPES = frozenset(
    {
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::VPCPeeringConnection",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::SecretsManager::Secret",
    }
)
RULES = ("SecurityGroupIngress", "SecurityGroupEgress")


@dataclass(frozen=True, slots=True)
class OnAirPath:
    """What one running hub flow's picture goes through now."""

    role: HubRole
    ingest: str  # "" when the hub flow is on no ingest of ours
    hub: FlowState
    flow: FlowState | None  # the ingest's flow
    regions: frozenset[str]  # the hub's region and the ingest's
    ingest_region: str  # "" when the ingest is in the hub's region (no peering on the path)


def on_air_paths(model: Topology, remote: RemoteState) -> list[OnAirPath]:
    paths = []
    carried = on_air(model, remote)
    for role in HUB_ROLES:
        hub = remote.flow(model.flow_name(role))
        if hub is None or hub.status not in RUNNING:
            continue
        flow = carried.get(role)
        region = flow.region if flow is not None else hub.region
        paths.append(
            OnAirPath(
                role,
                ingest_name(model, flow.name) if flow is not None else "",
                hub,
                flow,
                frozenset({hub.region, region}),
                region if region != hub.region else "",
            )
        )
    return paths


@functools.lru_cache(maxsize=64)
def resources(body: str | None) -> Mapping[str, Any]:
    if not body:
        return {}
    try:
        doc = yaml.load(body, Loader=CfnLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        return {}
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    return resources if isinstance(resources, dict) else {}


def _rules_dropped(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether a security group's update removes or changes a rule (additions drop nothing)."""
    before, after = old.get("Properties") or {}, new.get("Properties") or {}
    for key in RULES:
        kept = [rule for rule in after.get(key) or []]
        if any(rule not in kept for rule in before.get(key) or []):
            return True
    return False


def _replaces(change: ResourceChange) -> bool:
    return change.action == "Remove" or (
        change.action == "Modify" and change.replacement in ("True", "Conditional")
    )


def _touches_source(change: ResourceChange) -> bool:
    """A modification whose properties include ``Source`` (or that names none: the harsher reading)."""
    if change.action != "Modify":
        return False
    return "Source" in change.properties or (not change.targets and "Properties" in change.scope)


def _what(change: ResourceChange, stack: str) -> str:
    if change.action in ("Remove", "Add"):
        verb = change.action.lower()
    else:
        verb = {"True": "replace", "Conditional": "maybe replace"}.get(change.replacement, "modify")
    return f"{verb} {change.logical_id} [{change.resource_type}] of stack {stack}"


def _flow_change(path: OnAirPath, change: ResourceChange, stack: str) -> str:
    """What ``change`` does to the hub flow, the ingest's flow or its hop output ("" nothing)."""
    physical = change.physical_id
    hop = path.flow.output(HOP_OUTPUTS[path.role]) if path.flow is not None else None
    if physical == path.hub.arn:
        if _replaces(change):
            return f"{_what(change, stack)}: the {path.role} flow itself"
        if _touches_source(change):
            return (
                f"let CloudFormation set the {path.role} flow's source to its template's "
                f"({_what(change, stack)}): black until the post-steps re-point it"
            )
    elif path.flow is not None and physical == path.flow.arn:
        if _replaces(change):
            return f"{_what(change, stack)}: the flow of {path.ingest}"
        if _touches_source(change):
            return f"update the source of {path.ingest} ({_what(change, stack)})"
    elif (
        hop is not None
        and physical == hop.arn
        and change.action in ("Modify", "Remove")
        and change.scope != ("Tags",)
    ):
        return f"{_what(change, stack)}: {path.ingest}'s output {hop.name}"
    return ""


def _path_change(
    path: OnAirPath, change: ResourceChange, stack: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> str:
    """What ``change`` (of a network resource on ``path``) does to it ("" nothing)."""
    if change.action == "Add" or change.scope == ("Tags",):
        return ""
    if change.resource_type == "AWS::EC2::SecurityGroup" and not _replaces(change):
        if change.targets and not change.properties & set(RULES):
            return ""
        logical = change.logical_id
        if logical in old and logical in new and not _rules_dropped(old[logical], new[logical]):
            return ""  # rules added only: established traffic keeps its rules
        return (
            f"change the rules of security group {logical} of stack {stack} (CloudFormation removes "
            "a changed rule before adding its replacement: the traffic it carries is dropped meanwhile)"
        )
    return f"{_what(change, stack)}, on the path from {path.ingest or 'its source'} to {path.role}"


def judge_stack(
    model: Topology,
    remote: RemoteState,
    paths: Sequence[OnAirPath],
    stack: str,
    region: str,
    changes: Sequence[ResourceChange],
    new_template: str,
) -> list[tuple[OnAirPath, str]]:
    """(path, what) for every change of ``stack`` that interrupts an on-air path."""
    kind = stack_kind(model, stack)
    deployed = remote.stack(stack)
    old = resources(deployed.template_body if deployed else None)
    new = resources(new_template)
    found: list[tuple[OnAirPath, str]] = []
    for path in paths:
        for change in changes:
            what = _flow_change(path, change, stack) if change.physical_id else ""
            on_path = change.resource_type in PATH_TYPES and _on_path(
                model, path, kind, region, change.logical_id
            )
            if not what and on_path:
                what = _path_change(path, change, stack, old, new)
            if what:
                found.append((path, what))
    return found


def _on_path(model: Topology, path: OnAirPath, kind: str, region: str, logical_id: str) -> bool:
    if region not in path.regions:
        return False
    if kind == "network":
        return True
    if kind == "routes":
        return bool(path.ingest_region) and region == path.ingest_region
    if kind == "peering":
        if not path.ingest_region:
            return False
        prefix = (
            model.network(path.ingest_region).logical
            if path.ingest_region in {n.region for n in model.networks}
            else ""
        )
        return bool(prefix) and logical_id.startswith(prefix)
    return False


__all__ = ["OnAirPath", "judge_stack", "on_air_paths", "resources"]
