"""The destroy planner (pure): undo the post-steps, then delete the stacks in reverse dependency order.

CloudFormation does not know about the post-steps, so first, for every flow of the topology that
exists: stop it; put a hub flow's source back to the temporary ``standby`` listener; detach the
outputs from VPC interfaces; remove the VPC interfaces (the executor deletes the network interfaces
MediaConnect could not). Network interfaces MediaConnect left detached in the topology's subnets
(after a crash between those two calls) are deleted too. Then the stacks that exist, each after
the stacks that depend on it; then the runtime state document.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..topology.model import Topology
from .manifest import StackSpec, dependents
from .plan import (
    DeleteNetworkInterface,
    DeleteRuntimeState,
    DeleteStack,
    DetachOutput,
    Instruction,
    Phase,
    Plan,
    RemoveVpcInterface,
    RestoreStandbySource,
)
from .poststeps import FlowChain
from .remote import FlowState, RemoteState, flow_names


def _undo_flow(model: Topology, flow: FlowState, hub: bool) -> list[Instruction]:
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


def plan_destroy(
    model: Topology, specs: Sequence[StackSpec], remote: RemoteState, *, state_uri: str | None = None
) -> Plan:
    """``specs``: every stack the topology can have (the CloudFormation-network manifest)."""
    hub_flows = {model.flow_name("live"), model.flow_name("preview")}
    undo: list[Instruction] = []
    for name in flow_names(model):
        flow = remote.flow(name)
        if flow is not None:
            undo.extend(_undo_flow(model, flow, name in hub_flows))
    undo.extend(
        DeleteNetworkInterface(region=region, network_interface_id=eni)
        for region, eni in remote.orphan_network_interfaces
    )

    existing = {spec.name for spec in specs if remote.stack(spec.name) is not None}
    users = dependents(specs)
    deletes = [
        DeleteStack(
            stack=spec.name,
            region=spec.region,
            after=tuple(f"delete-stack:{u}" for u in users.get(spec.name, ()) if u in existing),
        )
        for spec in reversed(specs)
        if spec.name in existing
    ]
    phases = [Phase("undo post-steps", tuple(undo)), Phase("stacks", tuple(deletes))]
    if state_uri and remote.runtime_state is not None:
        phases.append(Phase("runtime state", (DeleteRuntimeState(uri=state_uri),)))
    return Plan(tuple(phases))


__all__ = ["plan_destroy"]
