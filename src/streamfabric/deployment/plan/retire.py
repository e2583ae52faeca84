"""The retire phase (pure): take flows out of service before CloudFormation deletes them, and the
clean-up after the stacks.

CloudFormation deletes a flow a stack update drops (or replaces) in its clean-up phase, and
MediaConnect refuses to delete a running flow ("must be stopped before it can be deleted") or one
whose VPC interface is still in use; a failed clean-up leaves the flow orphaned (AWS CloudFormation
User Guide, "Monitor the progress of a stack update"). So, before the stacks phase, every flow that
is leaving is stopped, its outputs moved off its VPC interface (a hub flow's source back to the
standby listener), its VPC interfaces removed (the executor deletes the ENIs MediaConnect leaves):

* a flow of ours that the topology no longer has (an ingest removed, or a region),
* a flow the stack update will replace (its Availability Zone changed: a create-only property).

After the post-steps, the clean-up phase deletes what no stack will: flows of ours outside any
stack (orphans from an earlier failure), MediaConnect ENIs left in a removed region's subnet, and
a removed region's flows, routes and network stacks, in that order (its peering connection and
hop-secret replica go with the hub's peering and network stack updates of the stacks phase).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ...topology.model import Topology, vpc_interface_name
from ..observed import FlowState, RemoteState, StackState
from .flows import FlowChain
from .instructions import (
    DeleteFlow,
    DeleteNetworkInterface,
    DeleteStack,
    DetachOutput,
    Instruction,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
)
from .inventory import DELETE_RANK, stack_kind
from .on_air import on_air


def undo_flow(model: Topology, flow: FlowState, hub: bool) -> list[Instruction]:
    """Stop ``flow``; a hub flow's source back to standby; outputs off, VPC interfaces removed."""
    chain = FlowChain(flow.region, flow.name, flow.arn, flow.status)
    chain.settle()
    chain.stop()
    source = flow.source
    if hub and source is not None and source.vpc_interface:
        chain.add(
            RestoreStandbySource(
                region=flow.region,
                flow=flow.name,
                flow_arn=flow.arn,
                source_arn=source.arn,
                port=model.internal_hop.live_port,
                whitelist_cidr=model.hub.network.vpc_cidr,
                after=chain.last,
            )
        )
    for out in flow.outputs:
        if out.vpc_interface:
            chain.add(
                DetachOutput(
                    region=flow.region,
                    flow=flow.name,
                    flow_arn=flow.arn,
                    output=out.name,
                    output_arn=out.arn,
                    after=chain.last,
                )
            )
    for vpc in flow.vpc_interfaces:
        chain.add(
            RemoveVpcInterface(
                region=flow.region, flow=flow.name, flow_arn=flow.arn, name=vpc.name, after=chain.last
            )
        )
    return list(chain.steps)


def replaced_flows(model: Topology, remote: RemoteState) -> list[FlowState]:
    """The topology's flows whose Availability Zone changed: the stack update replaces them."""
    hub = {model.flow_name("live"), model.flow_name("preview")}
    found: list[FlowState] = []
    for flow in remote.flows.values():
        if not flow.availability_zone:
            continue
        wanted = (
            model.hub.network.availability_zone
            if flow.name in hub
            else model.network(flow.region).availability_zone
        )
        if flow.availability_zone != wanted:
            found.append(flow)
    return found


def leaving_flows(model: Topology, remote: RemoteState) -> list[FlowState]:
    """Every flow the coming stack updates (or region removals) delete: retired and replaced ones."""
    return sorted(
        [*remote.retired.values(), *replaced_flows(model, remote)], key=lambda f: (f.region, f.name)
    )


def _move_off(model: Topology, remote: RemoteState, leaving: set[str]) -> list[SetCallerSource]:
    """A hub flow calling a leaving ingest is pointed at its starting ingest first (when that one
    stays and is reachable): Live and Preview never call a stopped flow. Only reached with
    ``--allow-interruption`` (the on-air guard refuses otherwise)."""
    moves: list[SetCallerSource] = []
    for role, flow in sorted(on_air(model, remote).items()):
        hub = remote.flow(model.flow_name(role))
        target = model.hub.flow(role).starts_on
        address = remote.interface_address(model.flow_name(target), vpc_interface_name(target))
        target_flow = remote.flow(model.flow_name(target))
        source = hub.source if hub else None
        if (
            flow.arn not in leaving
            or hub is None
            or source is None
            or address is None
            or target_flow is None
            or target_flow.arn in leaving
            or target_flow.status != "ACTIVE"
        ):
            continue
        moves.append(
            SetCallerSource(
                region=hub.region,
                flow=hub.name,
                flow_arn=hub.arn,
                source_arn=source.arn,
                vpc_interface=vpc_interface_name(role),
                ingest=target,
                address=address,
                port=model.internal_hop.port(role),
                min_latency_ms=model.internal_hop.min_latency_ms,
                secret_arn=source.decryption_secret_arn or "",
                role_arn=source.decryption_role_arn or "",
            )
        )
    return moves


def plan_retire(model: Topology, remote: RemoteState) -> tuple[Instruction, ...]:
    """The retire phase: a hub flow calling a leaving ingest moved off it; then each leaving flow
    taken out of service (nothing for one already bare)."""
    hub = {model.flow_name("live"), model.flow_name("preview")}
    leaving = leaving_flows(model, remote)
    moves = _move_off(model, remote, {f.arn for f in leaving})
    first = tuple(m.key for m in moves)
    steps: list[Instruction] = list(moves)
    for flow in leaving:
        chain = undo_flow(model, flow, flow.name in hub)
        if chain and first:
            chain[0] = replace(chain[0], after=chain[0].after + first)
        steps.extend(chain)
    return tuple(steps)


def delete_stacks(
    model: Topology, stacks: Iterable[StackState], users: Mapping[str, Sequence[str]]
) -> list[DeleteStack]:
    """DeleteStack for each of ``stacks``: after the stacks that use it (``users``, the manifest's
    dependents) and after every stack of a lower deletion rank (flows and api, routes, peering,
    network; the hub's network stack last, the spokes take its role and secret)."""
    listed = sorted(stacks, key=lambda s: s.name)
    names = {s.name for s in listed}

    def rank(state: StackState) -> int:
        kind = stack_kind(model, state.name)
        base = DELETE_RANK.get(kind, 0)
        return base + 1 if kind == "network" and state.region == model.hub.region else base

    deletes: list[DeleteStack] = []
    for state in listed:
        after = {u for u in users.get(state.name, ()) if u in names}
        after |= {other.name for other in listed if rank(other) < rank(state)}
        deletes.append(
            DeleteStack(
                stack=state.name,
                region=state.region,
                after=tuple(f"delete-stack:{name}" for name in sorted(after)),
            )
        )
    return deletes


def plan_cleanup(model: Topology, remote: RemoteState, removed: Sequence[str]) -> tuple[Instruction, ...]:
    """After the post-steps: orphaned flows (in no stack) deleted; a removed region's leftover ENIs
    and its stacks deleted."""
    in_stacks = {
        value
        for state in remote.stacks.values()
        if stack_kind(model, state.name) == "flows"
        for value in state.outputs.values()
    }
    steps: list[Instruction] = []
    for arn, flow in sorted(remote.retired.items()):
        if arn not in in_stacks:
            steps.append(DeleteFlow(region=flow.region, flow=flow.name, flow_arn=arn))
    gone = set(removed)
    enis = [
        DeleteNetworkInterface(region=region, network_interface_id=eni)
        for region, eni in remote.orphan_network_interfaces
        if region in gone
    ]
    steps.extend(enis)
    stacks = [s for s in remote.stacks.values() if s.region in gone and stack_kind(model, s.name)]
    deletes = delete_stacks(model, stacks, {})
    flow_keys = tuple(step.key for step in steps)
    steps.extend(
        DeleteStack(
            stack=d.stack,
            region=d.region,
            after=d.after + (flow_keys if stack_kind(model, d.stack) == "network" else ()),
        )
        for d in deletes
    )
    return tuple(steps)


__all__ = ["delete_stacks", "leaving_flows", "plan_cleanup", "plan_retire", "replaced_flows", "undo_flow"]
