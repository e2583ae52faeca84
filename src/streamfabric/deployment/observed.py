"""What was observed to exist: stacks, flows, network interfaces, secrets, the runtime state.

Plain frozen data, built by :mod:`.observe` (the only code that reads AWS for a deploy) from
AWS's responses, and compared by the pure planners (:mod:`.plan`) with what the topology wants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..state.runtime import Inventory

STABLE_STACK = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
# A flow that is (or is about to be) passing media: MediaConnect API Reference, Flow.Status.
RUNNING = ("ACTIVE", "STARTING", "UPDATING")


# -- observed state --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StackState:
    name: str
    region: str
    status: str
    stack_id: str = ""
    template_body: str | None = None  # as deployed (None while REVIEW_IN_PROGRESS)
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)
    pending_change_sets: tuple[str, ...] = ()  # ours, created and never executed

    @property
    def stable(self) -> bool:
        return self.status in STABLE_STACK


@dataclass(frozen=True, slots=True)
class VpcInterfaceState:
    name: str
    subnet_id: str = ""
    security_group_ids: tuple[str, ...] = ()
    role_arn: str = ""
    network_interface_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutputState:
    name: str
    arn: str
    protocol: str = ""
    port: int | None = None
    vpc_interface: str | None = None
    listener_address: str | None = None


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    arn: str
    protocol: str = ""
    vpc_interface: str | None = None
    listener_address: str | None = None
    listener_port: int | None = None
    ingest_port: int | None = None
    whitelist_cidr: str | None = None
    min_latency_ms: int | None = None
    decryption_secret_arn: str | None = None
    decryption_role_arn: str | None = None


@dataclass(frozen=True, slots=True)
class FlowState:
    region: str
    name: str
    arn: str
    status: str
    source: SourceState | None = None
    outputs: tuple[OutputState, ...] = ()
    vpc_interfaces: tuple[VpcInterfaceState, ...] = ()
    availability_zone: str = ""

    def vpc_interface(self, name: str) -> VpcInterfaceState | None:
        return next((v for v in self.vpc_interfaces if v.name == name), None)

    def output(self, name: str) -> OutputState | None:
        return next((o for o in self.outputs if o.name == name), None)


@dataclass(frozen=True, slots=True)
class RemoteState:
    """Everything observed. Missing stacks and flows are simply absent."""

    stacks: Mapping[str, StackState] = field(default_factory=dict)
    flows: Mapping[str, FlowState] = field(default_factory=dict)  # by flow name
    addresses: Mapping[str, str] = field(default_factory=dict)  # ENI id -> private IP
    secrets: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (region, name) -> ARN
    orphan_network_interfaces: tuple[tuple[str, str], ...] = ()  # (region, ENI id)
    runtime_state: str | None = None  # the current document, if any
    retired: Mapping[str, FlowState] = field(default_factory=dict)  # by ARN: ours, not the topology's
    inventory: Inventory = field(default_factory=Inventory)  # as the runtime state recorded it
    duplicates: tuple[str, ...] = ()  # flows with one of our names that are not ours (by ARN)
    api_package_present: bool = False  # the control API's package is at its key in S3 already

    def stack(self, name: str) -> StackState | None:
        return self.stacks.get(name)

    def flow(self, name: str) -> FlowState | None:
        return self.flows.get(name)

    def interface_address(self, flow: str, vpc_interface: str) -> str | None:
        state = self.flows.get(flow)
        vpc = state.vpc_interface(vpc_interface) if state else None
        if vpc is None or not vpc.network_interface_ids:
            return None
        return self.addresses.get(vpc.network_interface_ids[0])


SYMBOLS = {
    "add": "+",
    "modify": "~",
    "replace": "-/+",
    "replace?": "~/+",
    "remove": "-",
    "import": "<",
    "dynamic": "?",
}


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """One ``ResourceChange`` of a change set, as CloudFormation reported it."""

    logical_id: str
    resource_type: str
    action: str  # Add | Modify | Remove | Import | Dynamic
    replacement: str = ""  # True | False | Conditional (Modify only)
    physical_id: str = ""
    scope: tuple[str, ...] = ()
    # (attribute, name, requires recreation) of each of its Details' targets, e.g.
    # ("Properties", "Source", "Never"): what CloudFormation will change (API Reference,
    # ResourceChangeDetail / ResourceTargetDefinition)
    targets: tuple[tuple[str, str, str], ...] = ()

    @property
    def properties(self) -> frozenset[str]:
        """The properties the change modifies (its targets of attribute ``Properties``)."""
        return frozenset(name for attribute, name, _ in self.targets if attribute == "Properties")

    @property
    def verb(self) -> str:
        """add / modify / replace / replace? (conditional) / remove."""
        if self.action == "Modify" and self.replacement == "True":
            return "replace"
        if self.action == "Modify" and self.replacement == "Conditional":
            return "replace?"
        return self.action.lower()

    def describe(self) -> str:
        named = sorted(self.properties)
        scope = f" ({', '.join(named or self.scope)})" if (named or self.scope) else ""
        return (
            f"{SYMBOLS.get(self.verb, '?'):>3} {self.verb:<8} {self.logical_id} [{self.resource_type}]{scope}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "action": self.action,
            "replacement": self.replacement or None,
            "verb": self.verb,
            "physical_id": self.physical_id or None,
            "scope": list(self.scope),
            "properties": sorted(self.properties),
        }


# -- parsing responses -----------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def source_state(raw: Mapping[str, Any]) -> SourceState:
    transport = raw.get("Transport") or {}
    decryption = raw.get("Decryption") or {}
    return SourceState(
        name=str(raw.get("Name", "")),
        arn=str(raw.get("SourceArn", "")),
        protocol=str(transport.get("Protocol", "")),
        vpc_interface=raw.get("VpcInterfaceName") or None,
        listener_address=transport.get("SourceListenerAddress") or None,
        listener_port=_int(transport.get("SourceListenerPort")),
        ingest_port=_int(raw.get("IngestPort")),
        whitelist_cidr=raw.get("WhitelistCidr") or None,
        min_latency_ms=_int(transport.get("MinLatency")),
        decryption_secret_arn=decryption.get("SecretArn") or None,
        decryption_role_arn=decryption.get("RoleArn") or None,
    )


def output_state(raw: Mapping[str, Any]) -> OutputState:
    transport = raw.get("Transport") or {}
    return OutputState(
        name=str(raw.get("Name", "")),
        arn=str(raw.get("OutputArn", "")),
        protocol=str(transport.get("Protocol", "")),
        port=_int(raw.get("Port")),
        vpc_interface=(raw.get("VpcInterfaceAttachment") or {}).get("VpcInterfaceName") or None,
        listener_address=raw.get("ListenerAddress") or None,
    )


def flow_state(region: str, raw: Mapping[str, Any]) -> FlowState:
    source = raw.get("Source") or ((raw.get("Sources") or [None])[0])
    return FlowState(
        region=region,
        name=str(raw["Name"]),
        arn=str(raw["FlowArn"]),
        status=str(raw.get("Status", "")),
        availability_zone=str(raw.get("AvailabilityZone", "")),
        source=source_state(source) if source else None,
        outputs=tuple(output_state(o) for o in raw.get("Outputs") or ()),
        vpc_interfaces=tuple(
            VpcInterfaceState(
                name=str(v.get("Name", "")),
                subnet_id=str(v.get("SubnetId", "")),
                security_group_ids=tuple(v.get("SecurityGroupIds") or ()),
                role_arn=str(v.get("RoleArn", "")),
                network_interface_ids=tuple(v.get("NetworkInterfaceIds") or ()),
            )
            for v in raw.get("VpcInterfaces") or ()
        ),
    )


def stack_outputs(description: Mapping[str, Any]) -> dict[str, str]:
    return {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in description.get("Outputs") or ()}


def stack_state(
    region: str,
    name: str,
    described: Mapping[str, Any],
    *,
    template_body: str | None = None,
    pending_change_sets: Sequence[str] = (),
) -> StackState:
    """A stack's state from its DescribeStacks description (and, when read, its template and our
    change sets never executed)."""
    return StackState(
        name=name,
        region=region,
        status=str(described.get("StackStatus", "")),
        stack_id=str(described.get("StackId", "")),
        template_body=template_body,
        parameters={
            str(p["ParameterKey"]): str(p.get("ParameterValue", ""))
            for p in described.get("Parameters") or ()
        },
        tags={str(t["Key"]): str(t["Value"]) for t in described.get("Tags") or ()},
        outputs=stack_outputs(described),
        pending_change_sets=tuple(sorted(pending_change_sets)),
    )


__all__ = [
    "RUNNING",
    "STABLE_STACK",
    "SYMBOLS",
    "FlowState",
    "OutputState",
    "RemoteState",
    "ResourceChange",
    "SourceState",
    "StackState",
    "VpcInterfaceState",
    "flow_state",
    "output_state",
    "source_state",
    "stack_outputs",
    "stack_state",
]
