"""The stacks a topology change creates, updates or deletes (the stacks each network mode deploys,
as in docs/architecture.md), with the reasons, and the Terraform network's changes. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..topology.model import Topology
from .diff_model import Change, NetworkMode, StackChange, show


def flow_regions(model: Topology) -> tuple[str, ...]:
    """Regions with a flows stack: the hub always, then every other region with ingests."""
    return (model.hub.region, *(n.region for n in model.regions if model.ingests_in(n.region)))


def expected_stacks(model: Topology, network: NetworkMode = "terraform") -> dict[str, tuple[str, str]]:
    """``{stack name: (region, kind)}`` of every stack deploy manages for ``model`` (architecture.md)."""
    stacks: dict[str, tuple[str, str]] = {}
    hub = model.hub.region
    if network == "cloudformation":
        for net in model.networks:
            stacks[model.stack_name("network", net.region)] = (net.region, "network")
        if model.spokes:
            stacks[model.stack_name("peering", hub)] = (hub, "peering")
            for net in model.spokes:
                stacks[model.stack_name("routes", net.region)] = (net.region, "routes")
    for region in flow_regions(model):
        stacks[model.stack_name("flows", region)] = (region, "flows")
    if model.control_api.enabled:
        stacks[model.stack_name("api", hub)] = (hub, "api")
    return stacks


@dataclass
class _Reasons:
    """Reasons collected per stack (region, kind) and per flow name."""

    stacks: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    flows: dict[str, list[str]] = field(default_factory=dict)

    def stack(self, region: str, kind: str, reason: str) -> None:
        bucket = self.stacks.setdefault((region, kind), [])
        if reason not in bucket:
            bucket.append(reason)

    def every(self, model: Topology, kinds: Iterable[str], reason: str, network: NetworkMode) -> None:
        for region, kind in expected_stacks(model, network).values():
            if kind in kinds:
                self.stack(region, kind, reason)


def _network_reasons(
    old: Topology, new: Topology, changes: Sequence[Change], network: NetworkMode
) -> _Reasons:
    reasons = _Reasons()
    hub = new.hub.region
    for change in changes:
        if change.subject == "ingest":
            moved = change.field("region")
            if moved:
                reasons.stack(moved.old, "flows", f"removes ingest {change.name} (moves to {moved.new})")
                reasons.stack(moved.new, "flows", f"adds ingest {change.name} (moves from {moved.old})")
                continue
            regions = {i.region for m in (old, new) for i in m.ingests if i.name == change.name}
            verb = {"added": "adds", "removed": "removes", "changed": "changes"}[change.kind]
            detail = f" ({', '.join(f.field for f in change.fields)})" if change.fields else ""
            for region in regions:
                reasons.stack(region, "flows", f"{verb} ingest {change.name}{detail}")
        elif change.subject == "output":
            verb = {"added": "adds", "removed": "removes", "changed": "changes"}[change.kind]
            detail = f" ({', '.join(f.field for f in change.fields)})" if change.fields else ""
            reasons.stack(hub, "flows", f"{verb} output {change.name}{detail}")
        elif change.subject == "hub flow":
            pass  # starts_on is in no template: it applies when a hub flow is created
        elif change.subject == "region" and change.kind == "changed":
            fields = ", ".join(f.field for f in change.fields)
            reasons.stack(change.name, "network", f"network changes ({fields})")
            if change.field("availability_zone"):
                reasons.stack(change.name, "flows", "the flows' Availability Zone changes")
            if change.field("vpc_cidr") and change.name == hub:
                reasons.every(new, ("flows",), "the hub VPC CIDR (hop allowlists) changes", network)
                reasons.every(new, ("network",), "the hub VPC CIDR (security-group rules) changes", network)
                reasons.every(new, ("routes",), "the hub VPC CIDR (routes to the hub) changes", network)
            elif change.field("vpc_cidr"):
                reasons.stack(hub, "peering", f"the VPC CIDR of {change.name} (the hub's routes) changes")
                reasons.stack(hub, "network", f"the VPC CIDR of {change.name} (security-group rules) changes")
        elif change.subject == "region":
            verb = "adds" if change.kind == "added" else "removes"
            reasons.stack(hub, "peering", f"{verb} the peering with {change.name}")
            reasons.stack(hub, "network", f"{verb} the routes and rules for {change.name}")
        elif change.subject == "internal hop":
            fields = ", ".join(f.field for f in change.fields)
            reasons.every(new, ("flows",), f"the internal hop changes ({fields})", network)
            if change.field("passphrase_secret"):
                reasons.every(new, ("flows",), "the HopSecretArn parameter changes", network)
            if change.field("port_from") or change.field("port_to") or change.field("passphrase_secret"):
                reasons.every(new, ("network",), f"the internal hop changes ({fields})", network)
        elif change.subject == "dns":
            reasons.every(new, ("flows",), "the DNS records change", network)
        elif change.subject == "control api":
            fields = ", ".join(f.field for f in change.fields if f.field != "enabled")
            if fields:
                reasons.stack(hub, "api", f"the control API changes ({fields})")
        elif change.subject == "tags":
            keys = ", ".join(f.field for f in change.fields)
            reasons.every(new, ("network", "peering", "flows", "api"), f"tags change ({keys})", network)
    if flow_regions(old) != flow_regions(new):
        reasons.stack(hub, "flows", "the signal dashboard's regions change (one row per region with flows)")
    return reasons


def stack_changes(
    old: Topology, new: Topology, changes: Sequence[Change], network: NetworkMode
) -> tuple[StackChange, ...]:
    before, after = expected_stacks(old, network), expected_stacks(new, network)
    reasons = _network_reasons(old, new, changes, network)
    result: list[StackChange] = []
    for name, (region, kind) in after.items():
        if name not in before:
            why = _creation_reason(old, new, kind, region)
            result.append(StackChange(name, region, kind, "create", (why,)))
        elif why_list := reasons.stacks.get((region, kind)):
            result.append(StackChange(name, region, kind, "update", tuple(why_list)))
    for name, (region, kind) in before.items():
        if name not in after:
            result.append(
                StackChange(name, region, kind, "delete", (_deletion_reason(old, new, kind, region),))
            )
    return tuple(result)


def _creation_reason(old: Topology, new: Topology, kind: str, region: str) -> str:
    if old.name != new.name:
        return f"the topology is renamed {old.name} -> {new.name}"
    if kind == "api":
        return "the control API is enabled"
    if region not in {n.region for n in old.networks}:
        return f"region {region} is added"
    if kind == "flows":
        return f"{region} gets its first ingest"
    return f"{region} is peered with the hub"


def _deletion_reason(old: Topology, new: Topology, kind: str, region: str) -> str:
    if old.name != new.name:
        return f"the topology is renamed {old.name} -> {new.name}"
    if kind == "api":
        return "the control API is disabled"
    if region not in {n.region for n in new.networks}:
        return f"region {region} is removed"
    if kind == "flows":
        return f"{region} has no ingest left"
    return f"{region} is no longer peered with the hub"


def terraform_changes(changes: Sequence[Change]) -> tuple[str, ...]:
    lines: list[str] = []
    for change in changes:
        if change.subject == "region":
            if change.kind == "changed":
                for f in change.fields:
                    effect = {
                        "vpc_cidr": "the VPC is replaced (everything in it is recreated, VPC interfaces too)",
                        "subnet_cidr": "the subnet is replaced (the flows' VPC interfaces must be recreated)",
                        "availability_zone": "the subnet is replaced in the new Availability Zone",
                    }[f.field]
                    lines.append(f"{change.name}: {f.field} {show(f.old)} -> {show(f.new)}: {effect}")
            else:
                verb = "created" if change.kind == "added" else "destroyed"
                lines.append(f"{change.name}: VPC, subnet, security group, peering and routes {verb}")
        elif change.subject == "internal hop" and (change.field("port_from") or change.field("port_to")):
            lines.append("security groups: the internal hop's UDP port range changes")
        elif change.subject == "internal hop" and change.field("passphrase_secret"):
            lines.append("the hop secret: generated or referenced secret changes")
        elif change.subject == "tags":
            lines.append("tags on every network resource change (in place)")
        elif change.subject == "topology":
            lines.append("every network resource is renamed (most are replaced)")
    return tuple(dict.fromkeys(lines))
