"""Post-steps: what CloudFormation cannot do, planned from observed flows (pure).

For every ingest flow: its VPC interface ``<ingest>-vpc`` in the region's subnet, its internal-hop
outputs ``to-live``/``to-preview`` attached to it, the flow ACTIVE. For Live and Preview: their VPC
interface ``live-vpc``/``preview-vpc``, the temporary ``standby`` source replaced in place by an SRT
caller on that interface pointed at an ingest's private listener (the starting ingest, unless an
operator has already switched to another one: a deploy never takes a switch back), the flow ACTIVE.
Only what observation shows missing is planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...errors import DeployError
from ...topology.model import (
    HOP_OUTPUTS,
    HUB_ROLES,
    SRT_CALLER,
    HubRole,
    Topology,
    pascal,
    vpc_interface_name,
)
from ..network import NetworkOutputs, RegionNetwork
from ..observed import FlowState, RemoteState
from .instructions import (
    AddVpcInterface,
    AttachOutput,
    AwaitFlow,
    DetachOutput,
    FlowInstruction,
    Instruction,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StartFlow,
    StopFlow,
)
from .values import FlowArn, FlowOutputArn, FlowSourceArn, InterfaceAddress, Value


def flow_arn_ref(model: Topology, region: str, owner: str) -> FlowArn:
    """The ARN of flow ``<topology>-<owner>`` as its flows stack outputs it (``<Owner>FlowArn``)."""
    return FlowArn(
        region, model.flow_name(owner), model.stack_name("flows", region), f"{pascal(owner)}FlowArn"
    )


@dataclass
class FlowChain:
    """One flow's instructions, each after the previous one."""

    region: str
    flow: str
    arn: FlowArn | str
    status: str
    steps: list[FlowInstruction] = field(default_factory=list)

    def add(self, step: FlowInstruction) -> FlowInstruction:
        self.steps.append(step)
        return step

    @property
    def last(self) -> tuple[str, ...]:
        return (self.steps[-1].key,) if self.steps else ()

    def settle(self) -> None:
        """Wait out a transient state; afterwards ``status`` is ACTIVE or STANDBY."""
        if self.status in ("STARTING", "UPDATING"):
            waiter = "flow_active" if self.status == "STARTING" else "flow_settled"
            self.add(
                AwaitFlow(
                    region=self.region, flow=self.flow, flow_arn=self.arn, waiter=waiter, after=self.last
                )
            )
            self.status = "ACTIVE" if self.status == "STARTING" else "UNKNOWN"
        elif self.status == "STOPPING":
            self.add(
                AwaitFlow(
                    region=self.region,
                    flow=self.flow,
                    flow_arn=self.arn,
                    waiter="flow_standby",
                    after=self.last,
                )
            )
            self.status = "STANDBY"

    def stop(self) -> None:
        if self.status in ("ACTIVE", "UNKNOWN"):
            self.add(StopFlow(region=self.region, flow=self.flow, flow_arn=self.arn, after=self.last))
            self.status = "STANDBY"

    def start(self) -> None:
        if self.status != "ACTIVE":
            self.add(StartFlow(region=self.region, flow=self.flow, flow_arn=self.arn, after=self.last))
            self.status = "ACTIVE"


def _differs(observed: str | tuple[str, ...], wanted: Value | tuple[Value, ...]) -> bool:
    """True only when the wanted value is known and not what is observed."""
    if isinstance(wanted, tuple):
        return all(isinstance(w, str) for w in wanted) and tuple(sorted(observed)) != tuple(
            sorted(str(w) for w in wanted)
        )
    return isinstance(wanted, str) and observed != wanted


def _vpc_mismatch(flow: FlowState | None, name: str, net: RegionNetwork) -> bool:
    vpc = flow.vpc_interface(name) if flow else None
    if vpc is None:
        return False
    return (
        _differs(vpc.subnet_id, net.subnet_id)
        or _differs(vpc.security_group_ids, (net.security_group_id,))
        or _differs(vpc.role_arn, net.role_arn)
    )


def _add_vpc(chain: FlowChain, name: str, net: RegionNetwork) -> AddVpcInterface:
    step = AddVpcInterface(
        region=chain.region,
        flow=chain.flow,
        flow_arn=chain.arn,
        name=name,
        subnet_id=net.subnet_id,
        security_group_id=net.security_group_id,
        role_arn=net.role_arn,
        after=chain.last,
    )
    chain.add(step)
    return step


@dataclass(frozen=True, slots=True)
class _IngestPlan:
    steps: tuple[FlowInstruction, ...]
    vpc_added: str | None  # key of its AddVpcInterface, if planned
    address: Value  # its private listener address (an IP, or a reference when not known yet)


def _plan_ingest(model: Topology, name: str, remote: RemoteState, network: NetworkOutputs) -> _IngestPlan:
    ingest = model.ingest(name)
    flow_name = model.flow_name(name)
    flow = remote.flow(flow_name)
    net = network.region(ingest.region)
    vpc_name = vpc_interface_name(name)
    chain = FlowChain(
        ingest.region,
        flow_name,
        flow.arn if flow else flow_arn_ref(model, ingest.region, name),
        flow.status if flow else "STANDBY",
    )
    vpc = flow.vpc_interface(vpc_name) if flow else None
    mismatch = _vpc_mismatch(flow, vpc_name, net)
    outputs: dict[str, Value] = {}
    for role in HUB_ROLES:
        out_name = HOP_OUTPUTS[role]
        observed = flow.output(out_name) if flow else None
        if flow is not None and observed is None:
            raise DeployError(
                f"flow {flow_name} has no output {out_name}: its flows stack is out of step "
                f"with the topology (redeploy the stack {model.stack_name('flows', ingest.region)})"
            )
        if observed is None or observed.vpc_interface != vpc_name or mismatch:
            outputs[out_name] = (
                observed.arn if observed else FlowOutputArn(ingest.region, flow_name, out_name, chain.arn)
            )

    chain.settle()
    added: str | None = None
    if vpc is None or mismatch:
        chain.stop()
        if mismatch and flow is not None:
            for out in flow.outputs:
                if out.vpc_interface == vpc_name:
                    chain.add(
                        DetachOutput(
                            region=chain.region,
                            flow=flow_name,
                            flow_arn=chain.arn,
                            output=out.name,
                            output_arn=out.arn,
                            after=chain.last,
                        )
                    )
            chain.add(
                RemoveVpcInterface(
                    region=chain.region, flow=flow_name, flow_arn=chain.arn, name=vpc_name, after=chain.last
                )
            )
        added = _add_vpc(chain, vpc_name, net).key
    for out_name, out_arn in outputs.items():
        chain.add(
            AttachOutput(
                region=chain.region,
                flow=flow_name,
                flow_arn=chain.arn,
                output=out_name,
                output_arn=out_arn,
                vpc_interface=vpc_name,
                after=chain.last,
            )
        )
    chain.start()
    known = None if added else remote.interface_address(flow_name, vpc_name)
    address: Value = known or InterfaceAddress(ingest.region, flow_name, vpc_name, chain.arn)
    return _IngestPlan(tuple(chain.steps), added, address)


def _plan_hub(
    model: Topology,
    role: HubRole,
    remote: RemoteState,
    network: NetworkOutputs,
    ingests: Mapping[str, _IngestPlan],
    before: Mapping[HubRole, str],
) -> tuple[FlowInstruction, ...]:
    hub = model.hub
    net = network.region(hub.region)
    flow_name = model.flow_name(role)
    flow = remote.flow(flow_name)
    vpc_name = vpc_interface_name(role)
    port = model.internal_hop.port(role)
    chain = FlowChain(
        hub.region,
        flow_name,
        flow.arn if flow else flow_arn_ref(model, hub.region, role),
        flow.status if flow else "STANDBY",
    )
    source = flow.source if flow else None
    source_arn: Value = source.arn if source else FlowSourceArn(hub.region, flow_name, chain.arn)
    vpc = flow.vpc_interface(vpc_name) if flow else None
    mismatch = _vpc_mismatch(flow, vpc_name, net)

    # Which ingest the source calls now (a switch may have moved it off the starting ingest).
    on_air: str | None = None
    if source is not None and source.protocol == SRT_CALLER and source.listener_port == port:
        on_air = next(
            (
                name
                for name in model.ingest_names
                if remote.interface_address(model.flow_name(name), vpc_interface_name(name))
                == source.listener_address
            ),
            None,
        )
    # What is on air now; else what was before the deploy (a stack update, or a replacement, may
    # have taken the source back to the template's); starts_on only for a flow never on air.
    previous = before.get(role)
    target = on_air or (previous if previous in ingests else None) or hub.flow(role).starts_on
    address = ingests[target].address
    in_place = (
        source is not None
        and not mismatch
        and vpc is not None
        and source.protocol == SRT_CALLER
        and source.vpc_interface == vpc_name
        and source.listener_port == port
        and isinstance(address, str)
        and source.listener_address == address
        and not _differs(source.decryption_secret_arn or "", net.hop_secret_arn)
        and not _differs(source.decryption_role_arn or "", net.role_arn)
        and source.min_latency_ms == model.internal_hop.min_latency_ms
    )

    chain.settle()
    if vpc is None or mismatch:
        chain.stop()
        if mismatch:
            if source is not None and source.vpc_interface == vpc_name:
                chain.add(_standby(model, chain, source_arn))
            chain.add(
                RemoveVpcInterface(
                    region=chain.region, flow=flow_name, flow_arn=chain.arn, name=vpc_name, after=chain.last
                )
            )
        _add_vpc(chain, vpc_name, net)
    if not in_place:
        ingest_added = ingests[target].vpc_added
        chain.add(
            SetCallerSource(
                region=chain.region,
                flow=flow_name,
                flow_arn=chain.arn,
                source_arn=source_arn,
                vpc_interface=vpc_name,
                ingest=target,
                address=address,
                port=port,
                min_latency_ms=model.internal_hop.min_latency_ms,
                secret_arn=net.hop_secret_arn,
                role_arn=net.role_arn,
                after=chain.last + ((ingest_added,) if ingest_added else ()),
            )
        )
    chain.start()
    return tuple(chain.steps)


def _standby(model: Topology, chain: FlowChain, source_arn: Value) -> RestoreStandbySource:
    return RestoreStandbySource(
        region=chain.region,
        flow=chain.flow,
        flow_arn=chain.arn,
        source_arn=source_arn,
        port=model.internal_hop.live_port,
        whitelist_cidr=model.hub.network.vpc_cidr,
        after=chain.last,
    )


def plan_poststeps(
    model: Topology,
    remote: RemoteState,
    network: NetworkOutputs,
    before: Mapping[HubRole, str] | None = None,
) -> tuple[Instruction, ...]:
    """The post-steps still to do: ingest flows (document order), then Live and Preview.
    ``before``: the ingest each hub flow was on when the deploy began (read from AWS then), which
    a hub flow whose source is no ingest now is put back on."""
    ingests = {name: _plan_ingest(model, name, remote, network) for name in model.ingest_names}
    steps: list[Instruction] = [step for plan in ingests.values() for step in plan.steps]
    for role in HUB_ROLES:
        steps.extend(_plan_hub(model, role, remote, network, ingests, before or {}))
    return tuple(steps)


__all__ = ["FlowChain", "flow_arn_ref", "plan_poststeps"]
