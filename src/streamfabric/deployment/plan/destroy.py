"""The destroy planner (pure): undo the post-steps, then delete the stacks in reverse dependency order.

CloudFormation does not know about the post-steps, so first, for every flow of the topology that
exists: stop it; put a hub flow's source back to the temporary ``standby`` listener; detach the
outputs from VPC interfaces; remove the VPC interfaces (the executor deletes the network interfaces
MediaConnect could not). Network interfaces MediaConnect left detached in the topology's subnets
(after a crash between those two calls) are deleted too. Then the stacks that exist, each after
the stacks that depend on it; then the runtime state document. Everything of the inventory too
(:mod:`.inventory`): stacks and flows in regions the topology no longer names, orphaned flows.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...topology.model import Topology
from ..manifest import StackSpec, dependents
from ..observed import RemoteState
from .instructions import DeleteFlow, DeleteNetworkInterface, DeleteRuntimeState, Instruction, Phase, Plan
from .inventory import stack_kind
from .retire import delete_stacks, undo_flow


def plan_destroy(
    model: Topology, specs: Sequence[StackSpec], remote: RemoteState, *, state_uri: str | None = None
) -> Plan:
    """``specs``: every stack the topology can have (the CloudFormation-network manifest); the
    observed ``remote`` holds the topology's stacks and flows and those of the inventory."""
    hub_flows = {model.flow_name("live"), model.flow_name("preview")}
    undo: list[Instruction] = []
    leaving = sorted(
        [*remote.flows.values(), *remote.retired.values()], key=lambda f: (f.region, f.name, f.arn)
    )
    for flow in leaving:
        undo.extend(undo_flow(model, flow, flow.name in hub_flows))
    undo.extend(
        DeleteNetworkInterface(region=region, network_interface_id=eni)
        for region, eni in remote.orphan_network_interfaces
    )
    in_stacks = {
        value
        for state in remote.stacks.values()
        if stack_kind(model, state.name) == "flows"
        for value in state.outputs.values()
    }
    orphans = [
        DeleteFlow(region=flow.region, flow=flow.name, flow_arn=arn)
        for arn, flow in sorted(remote.retired.items())
        if arn not in in_stacks
    ]
    existing = [state for state in remote.stacks.values() if stack_kind(model, state.name)]
    deletes = delete_stacks(model, existing, dependents(specs))
    phases = [Phase("undo post-steps", tuple(undo)), Phase("stacks", (*orphans, *deletes))]
    if state_uri and remote.runtime_state is not None:
        phases.append(Phase("runtime state", (DeleteRuntimeState(uri=state_uri),)))
    return Plan(tuple(phases))


__all__ = ["plan_destroy"]
