"""What changing a topology will change, before anyone applies it.

``diff_topologies(old, new)`` is pure. It compares the two models (regions, networks, ingests,
Live/Preview and their outputs, the internal hop, DNS, the control API, tags), then maps every
change to its consequences:

* **stacks** created, updated or deleted (names from :meth:`Topology.stack_name`; the stacks each
  network mode deploys, as in docs/architecture.md), and the Terraform network's changes;
* **flows**: which MediaConnect flows are created, deleted or *replaced* (a new flow: new ARN, new
  ingest IP, started again by deploy) and which are updated in place. The rule is CloudFormation's
  resource schema for ``AWS::MediaConnect::Flow``: its create-only properties are ``Name``,
  ``AvailabilityZone`` and ``Source/Name``; every other ``Source`` property (protocol, port,
  allowlist, latency, decryption) is updated in place (``UpdateFlowSource``). A ``FlowOutput``'s
  create-only properties are ``FlowArn`` and ``Name``;
* optionally the **rendered files** that change (``render()`` of both, paths added, removed, changed,
  with unified diffs).

:func:`format_markdown` gives a pull-request comment; :func:`format_text` the same for a terminal.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..topology.model import HUB_ROLES, SecretRef, Topology

NetworkMode = Literal["terraform", "cloudformation"]
Action = Literal["create", "update", "delete"]

# CloudFormation resource schemas (AWS::MediaConnect::Flow createOnlyProperties).
FLOW_CREATE_ONLY = ("Name", "AvailabilityZone", "Source/Name")
OUTPUT_CREATE_ONLY = ("FlowArn", "Name")

INGEST_FIELDS = (
    "region",
    "port",
    "allowlist",
    "passphrase_secret",
    "protocol",
    "min_latency_ms",
    "open_to_internet",
    "description",
)
OUTPUT_FIELDS = (
    "protocol",
    "port",
    "allowlist",
    "destination",
    "min_latency_ms",
    "passphrase_secret",
    "open_to_internet",
)
NETWORK_FIELDS = ("vpc_cidr", "subnet_cidr", "availability_zone")
# Source fields the contributor must act on (send elsewhere, with another protocol or passphrase).
CONTRIBUTOR_ACTS_ON = {
    "port": "send to the new port",
    "protocol": "connect with the new protocol",
    "passphrase_secret": "use the new passphrase",
}


# -- the result -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass(frozen=True, slots=True)
class Change:
    """One model-level change: ``kind`` added/removed/changed of a ``subject`` named ``name``."""

    kind: Literal["added", "removed", "changed"]
    # topology | region | ingest | output | hub flow | internal hop | dns | control api | tags | state
    subject: str
    name: str
    fields: tuple[FieldChange, ...] = ()

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.field == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "name": self.name,
            "fields": [f.as_dict() for f in self.fields],
        }


@dataclass(frozen=True, slots=True)
class StackChange:
    name: str
    region: str
    kind: str  # network | peering | routes | flows | api
    action: Action
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "kind": self.kind,
            "action": self.action,
            "reasons": list(self.reasons),
        }


FlowAction = Literal["create", "delete", "replace", "update"]


@dataclass(frozen=True, slots=True)
class FlowImpact:
    """What happens to one MediaConnect flow.

    ``restart``: the flow is new (created or replaced) and deploy must start it; ``interrupts``: the
    stream through it stops for a while (the flow is replaced or deleted, its source is reset, or a
    contributor or downstream receiver must change something)."""

    flow: str
    region: str
    action: FlowAction
    reasons: tuple[str, ...]
    restart: bool
    interrupts: bool
    actions_needed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "region": self.region,
            "action": self.action,
            "reasons": list(self.reasons),
            "restart": self.restart,
            "interrupts": self.interrupts,
            "actions_needed": list(self.actions_needed),
        }


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    status: Literal["added", "removed", "changed"]
    diff: str = ""

    def as_dict(self, *, with_diff: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "status": self.status}
        if with_diff:
            data["diff"] = self.diff
        return data


@dataclass(frozen=True, slots=True)
class TopologyDiff:
    old: str  # display name of each side (topology name and source)
    new: str
    network: NetworkMode
    changes: tuple[Change, ...]
    stacks: tuple[StackChange, ...]
    flows: tuple[FlowImpact, ...]
    terraform: tuple[str, ...] = ()  # the Terraform network's changes (terraform network mode)
    notes: tuple[str, ...] = ()
    files: tuple[FileChange, ...] | None = None  # None: rendered files not compared
    files_note: str = ""

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def restarts(self) -> tuple[FlowImpact, ...]:
        return tuple(f for f in self.flows if f.restart)

    def stack(self, name: str) -> StackChange:
        for stack in self.stacks:
            if stack.name == name:
                return stack
        raise KeyError(name)

    def flow(self, name: str) -> FlowImpact:
        for impact in self.flows:
            if impact.flow == name:
                return impact
        raise KeyError(name)

    def as_dict(self, *, with_file_diffs: bool = False) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "network": self.network,
            "empty": self.empty,
            "changes": [c.as_dict() for c in self.changes],
            "stacks": [s.as_dict() for s in self.stacks],
            "flows": [f.as_dict() for f in self.flows],
            "terraform": list(self.terraform),
            "notes": list(self.notes),
            "files": None
            if self.files is None
            else [f.as_dict(with_diff=with_file_diffs) for f in self.files],
            "files_note": self.files_note,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, SecretRef):
        return value.ref
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def show(value: Any) -> str:
    """A field value for people: secrets by reference, lists comma-separated, None as 'none'."""
    value = _plain(value)
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# -- model-level changes --------------------------------------------------------------------


def _fields(old: Any, new: Any, names: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    )


def _keyed(
    subject: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    names: Sequence[str],
    prefix: str = "",
) -> list[Change]:
    changes: list[Change] = []
    for key in old:
        if key not in new:
            changes.append(Change("removed", subject, prefix + key))
    for key, item in new.items():
        if key not in old:
            changes.append(Change("added", subject, prefix + key))
        elif fields := _fields(old[key], item, names):
            changes.append(Change("changed", subject, prefix + key, fields))
    return changes


def model_changes(old: Topology, new: Topology) -> tuple[Change, ...]:
    """Every difference between the two models, in a stable order."""
    changes: list[Change] = []
    if old.name != new.name:
        changes.append(Change("changed", "topology", "name", (FieldChange("name", old.name, new.name),)))
    if old.hub.region != new.hub.region:
        changes.append(
            Change("changed", "topology", "hub", (FieldChange("hub region", old.hub.region, new.hub.region),))
        )
    old_nets = {n.region: n for n in old.networks}
    new_nets = {n.region: n for n in new.networks}
    changes += _keyed("region", old_nets, new_nets, NETWORK_FIELDS)
    changes += _keyed(
        "ingest", {i.name: i for i in old.ingests}, {i.name: i for i in new.ingests}, INGEST_FIELDS
    )
    for role in HUB_ROLES:
        old_flow, new_flow = old.hub.flow(role), new.hub.flow(role)
        if old_flow.starts_on != new_flow.starts_on:
            changes.append(
                Change(
                    "changed",
                    "hub flow",
                    role,
                    (FieldChange("starts_on", old_flow.starts_on, new_flow.starts_on),),
                )
            )
        changes += _keyed(
            "output",
            {o.name: o for o in old_flow.outputs},
            {o.name: o for o in new_flow.outputs},
            OUTPUT_FIELDS,
            prefix=f"{role}/",
        )
    hop = _fields(
        old.internal_hop, new.internal_hop, ("port_from", "port_to", "passphrase_secret", "min_latency_ms")
    )
    if hop:
        changes.append(Change("changed", "internal hop", "internal_hop", hop))
    if old.dns != new.dns:
        if old.dns is None or new.dns is None:
            kind: Literal["added", "removed"] = "added" if old.dns is None else "removed"
            changes.append(Change(kind, "dns", "dns"))
        else:
            changes.append(
                Change(
                    "changed", "dns", "dns", _fields(old.dns, new.dns, ("hosted_zone_id", "domain", "ttl"))
                )
            )
    api = _fields(old.control_api, new.control_api, ("enabled", "auth", "panel"))
    if api:
        changes.append(Change("changed", "control api", "control_api", api))
    old_tags, new_tags = dict(old.tags), dict(new.tags)
    tag_fields = tuple(
        FieldChange(key, old_tags.get(key), new_tags.get(key))
        for key in sorted(old_tags.keys() | new_tags.keys())
        if old_tags.get(key) != new_tags.get(key)
    )
    if tag_fields:
        changes.append(Change("changed", "tags", "tags", tag_fields))
    state = _fields(old.state, new.state, ("runtime_state", "audit_log"))
    if state:
        changes.append(Change("changed", "state", "state", state))
    return tuple(changes)


# -- stacks ---------------------------------------------------------------------------------


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
            reasons.stack(
                hub, "flows", f"{change.name}'s starts_on changes (the standby source's description)"
            )
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
    return reasons


def _stack_changes(
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


def _terraform_changes(changes: Sequence[Change]) -> tuple[str, ...]:
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


# -- flows ----------------------------------------------------------------------------------


def _flows(model: Topology) -> dict[str, tuple[str, str, str]]:
    """``{flow name: (region, availability zone, what)}`` where what is an ingest name or a role."""
    flows = {
        model.flow_name(i.name): (i.region, model.network(i.region).availability_zone, i.name)
        for i in model.ingests
    }
    for role in HUB_ROLES:
        flows[model.flow_name(role)] = (model.hub.region, model.hub.network.availability_zone, role)
    return flows


def _flow_impacts(old: Topology, new: Topology, changes: Sequence[Change]) -> tuple[FlowImpact, ...]:
    before, after = _flows(old), _flows(new)
    by_subject: dict[tuple[str, str], Change] = {(c.subject, c.name): c for c in changes}
    impacts: list[FlowImpact] = []
    hop_change = by_subject.get(("internal hop", "internal_hop"))
    hub_net_change = by_subject.get(("region", new.hub.region))
    hub_cidr_changes = bool(hub_net_change and hub_net_change.field("vpc_cidr"))

    for name, (region, az, what) in after.items():
        if name not in before:
            renamed = old.name != new.name
            why = f"the topology is renamed to {new.name}" if renamed else f"ingest {what} is added"
            impacts.append(
                FlowImpact(
                    name,
                    region,
                    "create",
                    (why, "deploy creates and starts it; the post-steps add its VPC interface"),
                    restart=True,
                    interrupts=False,
                    actions_needed=("give the contributor the new ingest address (or its DNS name)",)
                    if what not in HUB_ROLES
                    else (),
                )
            )
            continue
        old_region, old_az, _ = before[name]
        if old_region != region or old_az != az:
            reason = (
                f"region {old_region} -> {region}"
                if old_region != region
                else f"Availability Zone {old_az} -> {az} (AvailabilityZone is create-only)"
            )
            impacts.append(
                FlowImpact(
                    name,
                    region,
                    "replace",
                    (
                        reason,
                        "a new flow: new ARN and ingest IP; deploy starts it and re-runs the post-steps",
                    ),
                    restart=True,
                    interrupts=True,
                    actions_needed=("give the contributor the new ingest address (or its DNS name)",)
                    if what not in HUB_ROLES
                    else ("the outputs' receivers reconnect",),
                )
            )
            continue
        reasons: list[str] = []
        needed: list[str] = []
        interrupts = False
        if what in HUB_ROLES:
            flow_change = by_subject.get(("hub flow", what))
            resets: list[str] = []
            if flow_change:
                resets.append(
                    f"starts_on {show(flow_change.fields[0].old)} -> {show(flow_change.fields[0].new)}"
                )
            if hop_change:
                resets += [
                    f"internal hop {f.field}"
                    for f in hop_change.fields
                    if f.field in ("port_from", "min_latency_ms", "passphrase_secret")
                ]
            if hub_cidr_changes:
                resets.append("hub VPC CIDR")
            if resets:
                reasons.append(
                    "CloudFormation resets the source to the temporary standby source ("
                    + ", ".join(resets)
                    + "); deploy's post-steps then put it back on its starts_on ingest"
                )
                needed.append(
                    f"expect {what.capitalize()} off air until the post-steps finish, then on its starts_on"
                )
                interrupts = True
            for change in changes:
                if change.subject != "output" or not change.name.startswith(f"{what}/"):
                    continue
                out = change.name.split("/", 1)[1]
                if change.kind == "added":
                    reasons.append(f"output {out} is added")
                elif change.kind == "removed":
                    reasons.append(f"output {out} is removed: its receiver loses the stream")
                    interrupts = True
                else:
                    fields = ", ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in change.fields)
                    reasons.append(f"output {out} is updated in place ({fields})")
                    if any(
                        f.field in ("port", "protocol", "destination", "passphrase_secret")
                        for f in change.fields
                    ):
                        needed.append(f"the receiver of {out} must follow the change")
                        interrupts = True
        else:
            ingest_change = by_subject.get(("ingest", what))
            if ingest_change:
                source_fields = [f for f in ingest_change.fields if f.field != "region"]
                if source_fields:
                    fields = ", ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in source_fields)
                    reasons.append(f"source updated in place, UpdateFlowSource ({fields})")
                    for f in source_fields:
                        if f.field in CONTRIBUTOR_ACTS_ON:
                            needed.append(f"the contributor must {CONTRIBUTOR_ACTS_ON[f.field]}")
                            interrupts = True
            if hop_change:
                fields = ", ".join(f.field for f in hop_change.fields)
                reasons.append(
                    f"hop outputs to-live/to-preview updated in place ({fields}); "
                    "the post-steps re-attach them"
                )
            if hub_cidr_changes:
                reasons.append("hop outputs' allowlist (the hub VPC CIDR) updated in place")
        if reasons:
            impacts.append(
                FlowImpact(name, region, "update", tuple(reasons), False, interrupts, tuple(needed))
            )

    for name, (region, _, what) in before.items():
        if name in after:
            continue
        renamed = old.name != new.name
        why = f"the topology is renamed to {new.name}" if renamed else f"ingest {what} is removed"
        needed = (
            ["switch Live and Preview away from it first if it is on air"] if what not in HUB_ROLES else []
        )
        impacts.append(FlowImpact(name, region, "delete", (why,), False, True, tuple(needed)))
    return tuple(impacts)


# -- rendered files -------------------------------------------------------------------------


def _comparable(model: Topology, source: Any) -> Topology:
    """The model with a neutral source, so file headers (URI, SHA-256) do not show as changes."""
    return dataclasses.replace(model, source=source)


def file_changes(
    old: Topology,
    new: Topology,
    network: NetworkMode = "terraform",
    render: Callable[..., Mapping[str, str]] | None = None,
) -> tuple[FileChange, ...]:
    """The rendered files that differ between ``old`` and ``new`` (headers normalised)."""
    if render is None:
        from ..render import render as render_all

        render = render_all
    neutral = dataclasses.replace(new.source, uri="topology.json", sha256="-", version=None)
    before = render(_comparable(old, neutral), network=network)
    after = render(_comparable(new, neutral), network=network)
    found: list[FileChange] = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        status: Literal["added", "removed", "changed"] = (
            "added" if a is None else "removed" if b is None else "changed"
        )
        diff = "".join(
            difflib.unified_diff(
                (a or "").splitlines(keepends=True),
                (b or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if a is not None else "/dev/null",
                tofile=f"b/{path}" if b is not None else "/dev/null",
            )
        )
        found.append(FileChange(path, status, diff))
    return tuple(found)


# -- the whole diff -------------------------------------------------------------------------


def _display(model: Topology) -> str:
    return f"{model.name} ({model.source.display})"


def diff_topologies(
    old: Topology,
    new: Topology,
    *,
    network: NetworkMode = "terraform",
    files: bool = True,
    render: Callable[..., Mapping[str, str]] | None = None,
) -> TopologyDiff:
    """What changing ``old`` into ``new`` will change. With ``files``, also the rendered files
    (skipped with a note if rendering is unavailable or fails)."""
    changes = model_changes(old, new)
    notes: list[str] = []
    if old.name != new.name:
        notes.append(
            f"renaming the topology ({old.name} -> {new.name}) creates every stack and flow anew and "
            "deletes the old ones: plan it as a new deployment"
        )
    if old.hub.region != new.hub.region:
        notes.append(f"moving the hub ({old.hub.region} -> {new.hub.region}) replaces Live and Preview")
    if any(c.subject == "state" for c in changes):
        notes.append(
            "the runtime state / audit log location changes: move the existing documents there first"
        )
    removed = [c.name for c in changes if c.subject == "ingest" and c.kind == "removed"]
    for role in HUB_ROLES:
        if old.hub.flow(role).starts_on in removed:
            notes.append(f"{role.capitalize()} starts on {old.hub.flow(role).starts_on}, which is removed")
    file_list: tuple[FileChange, ...] | None = None
    files_note = ""
    if files and changes:
        try:
            file_list = file_changes(old, new, network, render)
        except ImportError as exc:
            files_note = f"rendered files not compared: the renderers are not available ({exc})"
        except Exception as exc:  # RenderError and friends: the model diff stands on its own
            files_note = f"rendered files not compared: {type(exc).__name__}: {exc}"
    elif not changes:
        file_list = ()
    return TopologyDiff(
        old=_display(old),
        new=_display(new),
        network=network,
        changes=changes,
        stacks=_stack_changes(old, new, changes, network),
        flows=_flow_impacts(old, new, changes),
        terraform=_terraform_changes(changes) if network == "terraform" else (),
        notes=tuple(notes),
        files=file_list,
        files_note=files_note,
    )


# -- formatting -----------------------------------------------------------------------------


def describe_change(change: Change) -> str:
    label = f"{change.subject} {change.name}" if change.subject not in change.name else change.name
    if change.subject in ("tags", "internal hop", "control api", "dns", "state", "topology"):
        label = change.subject if change.subject != "topology" else f"topology {change.name}"
    if change.kind != "changed":
        return f"{label} {change.kind}"
    return f"{label}: " + "; ".join(f"{f.field} {show(f.old)} -> {show(f.new)}" for f in change.fields)


def _headline(diff: TopologyDiff) -> str:
    if diff.empty:
        return "no changes"
    counts = {a: sum(1 for s in diff.stacks if s.action == a) for a in ("create", "update", "delete")}
    parts = [f"{len(diff.changes)} topology change{'s' if len(diff.changes) != 1 else ''}"]
    stack_bits = [f"{n} to {a}" for a, n in counts.items() if n]
    parts.append(f"stacks: {', '.join(stack_bits)}" if stack_bits else "no stack changes")
    restarts = diff.restarts
    parts.append(f"{len(restarts)} flow{'s' if len(restarts) != 1 else ''} (re)started")
    interrupted = [f for f in diff.flows if f.interrupts]
    parts.append(f"{len(interrupted)} stream{'s' if len(interrupted) != 1 else ''} interrupted")
    return "; ".join(parts)


_MD_ESCAPES = {
    "\\": "\\\\",
    "|": "\\|",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "#": "\\#",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "@": "&#64;",  # no @-mentions from a topology value in a pull-request comment
    "`": "'",
}


def _md(text: str) -> str:
    """Text for Markdown (also a table cell): one line, Markdown and HTML specials neutralised."""
    text = " ".join(text.split()).replace(" -> ", " \x00 ")
    return "".join(_MD_ESCAPES.get(ch, ch) for ch in text).replace("\x00", "→")


def _code(text: str) -> str:
    """A name as a code span, safe in a table cell."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def format_markdown(diff: TopologyDiff, *, with_file_diffs: bool = False) -> str:
    """A pull-request comment."""
    out = [f"### streamfabric diff: {_md(diff.old)} → {_md(diff.new)}", "", f"**{_md(_headline(diff))}**", ""]
    if diff.empty:
        return "\n".join(out)
    for note in diff.notes:
        out.append(f"> ⚠️ {_md(note)}")
    if diff.notes:
        out.append("")
    out += ["#### Topology", ""] + [f"- {_md(describe_change(c))}" for c in diff.changes] + [""]
    if diff.flows:
        out += [
            "#### Flows",
            "",
            "| flow | region | what happens | restart | stream | needed |",
            "|---|---|---|---|---|---|",
        ]
        for f in diff.flows:
            out.append(
                f"| {_code(f.flow)} | {f.region} | **{f.action}**: {_md('; '.join(f.reasons))} | "
                f"{'yes' if f.restart else 'no'} | {'interrupted' if f.interrupts else 'continues'} | "
                f"{_md('; '.join(f.actions_needed)) or '-'} |"
            )
        out.append("")
    out += ["#### Stacks", ""]
    if diff.stacks:
        out += ["| action | stack | region | why |", "|---|---|---|---|"]
        out += [
            f"| **{s.action}** | {_code(s.name)} | {s.region} | {_md('; '.join(s.reasons))} |"
            for s in diff.stacks
        ]
    else:
        out.append("No stack changes.")
    out.append("")
    if diff.terraform:
        out += ["#### Terraform (network)", ""] + [f"- {_md(line)}" for line in diff.terraform] + [""]
    out += ["#### Rendered files", ""]
    if diff.files is None:
        out.append(f"_{_md(diff.files_note)}_")
    elif not diff.files:
        out.append("No rendered file changes.")
    else:
        out += [f"- {fc.status}: {_code(fc.path)}" for fc in diff.files]
        if with_file_diffs:
            for fc in diff.files:
                fence = "````" if "```" in fc.diff else "```"
                out += [
                    "",
                    f"<details><summary>{_md(fc.path)}</summary>",
                    "",
                    f"{fence}diff",
                    fc.diff.rstrip("\n"),
                    fence,
                    "",
                    "</details>",
                ]
    out.append("")
    return "\n".join(out)


def format_text(diff: TopologyDiff, *, with_file_diffs: bool = False) -> str:
    """The same for a terminal."""
    out = [f"{diff.old} -> {diff.new}: {_headline(diff)}"]
    if diff.empty:
        return out[0] + "\n"
    out += [f"warning: {note}" for note in diff.notes]
    out += ["", "topology:"] + [f"  {describe_change(c)}" for c in diff.changes]
    if diff.flows:
        out += ["", "flows:"]
        for f in diff.flows:
            flags = [w for w, on in (("restart", f.restart), ("stream interrupted", f.interrupts)) if on]
            out.append(
                f"  {f.action:<8} {f.flow} ({f.region}){' [' + ', '.join(flags) + ']' if flags else ''}"
            )
            out += [f"           {reason}" for reason in f.reasons]
            out += [f"           needed: {need}" for need in f.actions_needed]
    out += ["", "stacks:"]
    out += [f"  {s.action:<8} {s.name} ({s.region}): {'; '.join(s.reasons)}" for s in diff.stacks] or [
        "  none"
    ]
    if diff.terraform:
        out += ["", "terraform (network):"] + [f"  {line}" for line in diff.terraform]
    out += ["", "rendered files:"]
    if diff.files is None:
        out.append(f"  {diff.files_note}")
    else:
        out += [f"  {fc.status:<8} {fc.path}" for fc in diff.files] or ["  none"]
        if with_file_diffs:
            out += ["", *(fc.diff.rstrip("\n") for fc in diff.files)]
    return "\n".join(out) + "\n"


__all__ = [
    "FLOW_CREATE_ONLY",
    "OUTPUT_CREATE_ONLY",
    "Change",
    "FieldChange",
    "FileChange",
    "FlowImpact",
    "StackChange",
    "TopologyDiff",
    "describe_change",
    "diff_topologies",
    "expected_stacks",
    "file_changes",
    "flow_regions",
    "format_markdown",
    "format_text",
    "model_changes",
]
