"""Observe what exists: stacks, flows, network interfaces, secrets, the runtime state document.

Only read calls (Describe*/List*/Get*) through the gateway. The result, :class:`RemoteState`, is
plain frozen data that the pure planners compare with what the topology wants.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..aws.gateway import AwsGateway
from ..errors import AwsError, DeployError, NotFoundError
from ..state.runtime import Inventory, flow_region
from ..topology.model import Topology

STABLE_STACK = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
CHANGE_SET_PREFIX = "streamfabric-"
MEDIACONNECT_ENI_MARK = "mediaconnect"  # in the description of the ENIs MediaConnect creates

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")


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


# -- reads -----------------------------------------------------------------------------------------


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = 32) -> list[R]:
    """``[fn(item) for item in items]``, concurrently (reads only), in order."""
    listed = list(items)
    if len(listed) <= 1:
        return [fn(item) for item in listed]
    with ThreadPoolExecutor(max_workers=min(workers, len(listed))) as pool:
        return list(pool.map(fn, listed))


def concurrently(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``(first(), second())``, the two at once (reads only): two independent rounds of calls cost one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(second)
        return first(), other.result()


def _missing_stack(exc: AwsError) -> bool:
    return exc.code == "ValidationError" and "does not exist" in str(exc)


def describe_stack(gateway: AwsGateway, region: str, name: str) -> dict[str, Any] | None:
    """The stack's description, or None when there is no such (live) stack."""
    try:
        stacks = gateway.call("cloudformation", region, "describe_stacks", StackName=name).get("Stacks") or []
    except AwsError as exc:
        if _missing_stack(exc):
            return None
        raise
    live = [s for s in stacks if s.get("StackStatus") != "DELETE_COMPLETE"]
    return dict(live[0]) if live else None


def stack_outputs(description: Mapping[str, Any]) -> dict[str, str]:
    return {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in description.get("Outputs") or ()}


def observe_stack(gateway: AwsGateway, region: str, name: str, *, details: bool = True) -> StackState | None:
    """The stack as deployed; ``details=False``: status, parameters, tags and outputs only (no template,
    no change sets)."""
    described = describe_stack(gateway, region, name)
    if described is None:
        return None
    status = str(described.get("StackStatus", ""))
    stack_id = described.get("StackId")

    def template() -> str | None:
        if not details or status == "REVIEW_IN_PROGRESS":
            return None
        raw = gateway.call(
            "cloudformation", region, "get_template", StackName=name, TemplateStage="Original"
        ).get("TemplateBody")
        if isinstance(raw, str):
            return raw
        return None if raw is None else json.dumps(raw, sort_keys=True)  # botocore decodes JSON bodies

    def change_sets() -> list[str]:
        pending: list[str] = []
        for page in gateway.paginate("cloudformation", region, "list_change_sets", StackName=name):
            for summary in page.get("Summaries") or ():
                cs_name = str(summary.get("ChangeSetName", ""))
                if (
                    summary.get("StackId", stack_id) == stack_id
                    and cs_name.startswith(CHANGE_SET_PREFIX)
                    and summary.get("ExecutionStatus") in ("AVAILABLE", "UNAVAILABLE")
                ):
                    pending.append(cs_name)
        return pending

    body, pending = concurrently(template, change_sets) if details else (None, [])
    return stack_state(region, name, described, template_body=body, pending_change_sets=pending)


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


def observe_stacks(
    gateway: AwsGateway, stacks: Sequence[tuple[str, str]], *, details: bool = True
) -> dict[str, StackState]:
    """``stacks``: (region, name) pairs. Returns the ones that exist."""
    found = parallel(lambda rn: observe_stack(gateway, rn[0], rn[1], details=details), stacks)
    return {state.name: state for state in found if state is not None}


def find_flows(gateway: AwsGateway, region: str, names: Iterable[str]) -> dict[str, str]:
    """Flow name -> ARN, for the flows named ``names`` that exist in ``region``; DeployError when a
    name is taken by several flows (MediaConnect allows it: which one is ours is not guessed)."""
    wanted = set(names)
    found: dict[str, str] = {}
    for page in gateway.paginate("mediaconnect", region, "list_flows"):
        for listed in page.get("Flows") or ():
            name = str(listed.get("Name"))
            if name in wanted:
                if name in found and found[name] != listed["FlowArn"]:
                    raise DeployError(
                        f"several flows are named {name} in {region} ({found[name]}, {listed['FlowArn']}): "
                        "streamfabric will not pick one; delete or rename the one that is not ours"
                    )
                found[name] = str(listed["FlowArn"])
    return found


def describe_flow(gateway: AwsGateway, region: str, arn: str) -> FlowState | None:
    try:
        raw = gateway.call("mediaconnect", region, "describe_flow", FlowArn=arn)["Flow"]
    except NotFoundError:
        return None
    return flow_state(region, raw)


def network_interface_addresses(gateway: AwsGateway, region: str, eni_ids: Iterable[str]) -> dict[str, str]:
    """ENI id -> primary private IP (missing ENIs are simply absent)."""
    ids = sorted(set(eni_ids))
    if not ids:
        return {}
    found: dict[str, str] = {}
    for page in gateway.paginate(
        "ec2",
        region,
        "describe_network_interfaces",
        Filters=[{"Name": "network-interface-id", "Values": ids}],
    ):
        for eni in page.get("NetworkInterfaces") or ():
            if eni.get("PrivateIpAddress"):
                found[str(eni["NetworkInterfaceId"])] = str(eni["PrivateIpAddress"])
    return found


def flow_names(model: Topology) -> dict[str, str]:
    """Every flow of the topology: name -> region."""
    names = {model.flow_name(i.name): i.region for i in model.ingests}
    for role in ("live", "preview"):
        names[model.flow_name(role)] = model.hub.region
    return names


def flow_name_of(arn: str) -> str:
    """The flow name at the end of a flow ARN (``...:flow:<id>:<name>``)."""
    return arn.rsplit(":", 1)[-1]


def observe_flows(gateway: AwsGateway, arns: Iterable[str]) -> tuple[dict[str, FlowState], dict[str, str]]:
    """The flows with these ARNs that exist (by ARN; never looked up by name: MediaConnect allows
    several flows with one name) and the private IPs of their VPC interfaces' ENIs. Two rounds of
    calls whatever the number of flows and regions: every DescribeFlow at once, then one
    DescribeNetworkInterfaces per region at once."""
    listed = sorted(set(arns))
    described = parallel(lambda arn: describe_flow(gateway, flow_region(arn), arn), listed)
    flows = {f.arn: f for f in described if f}
    by_region: dict[str, list[str]] = {}
    for flow in flows.values():
        enis = [eni for v in flow.vpc_interfaces for eni in v.network_interface_ids]
        by_region.setdefault(flow.region, []).extend(enis)
    addresses: dict[str, str] = {}
    for found in parallel(
        lambda item: network_interface_addresses(gateway, *item), sorted(by_region.items())
    ):
        addresses.update(found)
    return flows, addresses


def foreign_flows(
    gateway: AwsGateway, regions: Iterable[str], names: Iterable[str], ours: Iterable[str]
) -> tuple[str, ...]:
    """Flows named like ours (``names``) whose ARN is not one of ``ours``: reported, never used.
    The regions are listed at once."""
    wanted, known = set(names), set(ours)

    def region_foreign(region: str) -> list[str]:
        found: list[str] = []
        for page in gateway.paginate("mediaconnect", region, "list_flows"):
            for listed in page.get("Flows") or ():
                arn = str(listed.get("FlowArn", ""))
                if listed.get("Name") in wanted and arn not in known:
                    found.append(f"{listed['Name']} ({region}): {arn}")
        return found

    return tuple(sorted(f for found in parallel(region_foreign, sorted(set(regions))) for f in found))


def resolve_secrets(gateway: AwsGateway, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(region, secret name) -> ARN via secretsmanager.describe_secret; every missing one is reported."""
    items = sorted(set(wanted))

    def one(item: tuple[str, str]) -> tuple[tuple[str, str], str | None]:
        region, name = item
        try:
            arn = gateway.call("secretsmanager", region, "describe_secret", SecretId=name)["ARN"]
        except NotFoundError:
            return item, None
        return item, str(arn)

    resolved = parallel(one, items)
    missing = [f"{name} ({region})" for (region, name), arn in resolved if arn is None]
    if missing:
        raise DeployError("secret(s) not found in Secrets Manager: " + ", ".join(missing))
    return {item: arn for item, arn in resolved if arn is not None}


def orphan_network_interfaces(
    gateway: AwsGateway, region: str, subnet_ids: Iterable[str], in_use: Iterable[str] = ()
) -> list[str]:
    """ENIs MediaConnect left in the topology's subnets (a crash between RemoveFlowVpcInterface and
    deleting its NonDeletedNetworkInterfaceIds): they would block deleting the subnet.

    Only detached ENIs whose description names MediaConnect, not in ``in_use`` (the topology's flows'
    ENIs, known already) and that no other flow in the region lists among its VPC interfaces'."""
    subnets = sorted({s for s in subnet_ids if s})
    if not subnets:
        return []
    candidates: list[str] = []
    filters = [{"Name": "subnet-id", "Values": subnets}, {"Name": "status", "Values": ["available"]}]
    for page in gateway.paginate("ec2", region, "describe_network_interfaces", Filters=filters):
        for eni in page.get("NetworkInterfaces") or ():
            if MEDIACONNECT_ENI_MARK in str(eni.get("Description", "")).lower():
                candidates.append(str(eni["NetworkInterfaceId"]))
    known = set(in_use)
    candidates = [eni for eni in candidates if eni not in known]
    if not candidates:
        return []
    used: set[str] = set()
    for page in gateway.paginate("mediaconnect", region, "list_flows"):
        for listed in page.get("Flows") or ():
            flow = describe_flow(gateway, region, str(listed["FlowArn"]))
            if flow is not None:
                used.update(eni for vpc in flow.vpc_interfaces for eni in vpc.network_interface_ids)
    return sorted(eni for eni in candidates if eni not in used)


__all__ = [
    "CHANGE_SET_PREFIX",
    "FlowState",
    "OutputState",
    "RemoteState",
    "SourceState",
    "StackState",
    "VpcInterfaceState",
    "concurrently",
    "describe_flow",
    "describe_stack",
    "find_flows",
    "flow_name_of",
    "flow_names",
    "flow_state",
    "foreign_flows",
    "network_interface_addresses",
    "observe_flows",
    "observe_stacks",
    "orphan_network_interfaces",
    "parallel",
    "resolve_secrets",
    "stack_outputs",
    "stack_state",
]
