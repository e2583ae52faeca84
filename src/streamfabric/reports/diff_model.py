"""The topology diff's result types and its model-level comparison: every difference between two
models (regions, networks, ingests, Live/Preview and their outputs, the internal hop, DNS, the
control API, tags, state), in a stable order. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
