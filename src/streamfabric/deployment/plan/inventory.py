"""What streamfabric made for a topology, wherever it is: the union of what the topology names, what
the runtime state's inventory recorded, and what our stacks' outputs name (pure).

Deploy and destroy observe this union, so a region, ingest or output that left the topology is
still found (and retired, or deleted) instead of being left behind, billed by the hour. Flows are
identified by ARN only: those in our flows stacks' outputs (``<Ingest>FlowArn``, ``LiveFlowArn``,
``PreviewFlowArn``) and in the inventory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ...state.runtime import Inventory, flow_region
from ...topology.model import HUB_ROLES, Topology
from ..manifest import StackSpec
from ..observed import FlowState, StackState

STACK_KINDS = ("network", "peering", "routes", "flows", "api")
# Deletion order: a stack of a higher rank goes after every stack of a lower rank.
DELETE_RANK = {"api": 0, "flows": 0, "routes": 1, "peering": 2, "network": 3}
FLOW_ARN_SUFFIX = "FlowArn"


def flow_names(model: Topology) -> dict[str, str]:
    """Every flow of the topology: name -> region."""
    names = {model.flow_name(i.name): i.region for i in model.ingests}
    for role in HUB_ROLES:
        names[model.flow_name(role)] = model.hub.region
    return names


def flow_name_of(arn: str) -> str:
    """The flow name at the end of a flow ARN (``...:flow:<id>:<name>``)."""
    return arn.rsplit(":", 1)[-1]


def stack_kind(model: Topology, stack: str) -> str:
    """``festival-flows-eu-west-1`` -> ``flows`` (empty for a name that is not ours)."""
    prefix = f"{model.name}-"
    rest = stack[len(prefix) :] if stack.startswith(prefix) else ""
    kind = rest.split("-", 1)[0]
    return kind if kind in STACK_KINDS else ""


def regions(model: Topology, inventory: Inventory) -> tuple[str, ...]:
    """Every region the topology names or the inventory recorded."""
    return tuple(sorted({net.region for net in model.networks} | set(inventory.regions)))


def stack_candidates(
    model: Topology, specs: Sequence[StackSpec], inventory: Inventory
) -> list[tuple[str, str]]:
    """(region, stack name) of every stack that may be ours: the manifest's, the inventory's, and
    each kind in every region ever used."""
    wanted = {(spec.region, spec.name) for spec in specs}
    wanted |= {(region, name) for name, region in inventory.stacks.items()}
    for region in regions(model, inventory):
        wanted |= {(region, model.stack_name(kind, region)) for kind in STACK_KINDS}
    return sorted(wanted)


def flow_arns(model: Topology, stacks: Mapping[str, StackState], inventory: Inventory) -> dict[str, str]:
    """ARN -> flow name of every flow that is ours: named in our flows stacks' outputs or recorded."""
    found = dict(inventory.flows)
    for state in stacks.values():
        if stack_kind(model, state.name) != "flows":
            continue
        for key, value in state.outputs.items():
            if key.endswith(FLOW_ARN_SUFFIX) and ":flow:" in value:
                found[value] = flow_name_of(value)
    return found


def split_flows(
    model: Topology, flows: Mapping[str, FlowState], stacks: Mapping[str, StackState]
) -> tuple[dict[str, FlowState], dict[str, FlowState]]:
    """(the topology's flows by name, the others by ARN). A topology flow is the one its region's
    flows stack names in its outputs; another flow of ours with that name (an orphan) is retired."""
    wanted = flow_names(model)
    in_stacks = {
        value
        for state in stacks.values()
        if stack_kind(model, state.name) == "flows"
        for key, value in state.outputs.items()
        if key.endswith(FLOW_ARN_SUFFIX)
    }
    current: dict[str, FlowState] = {}
    retired: dict[str, FlowState] = {}
    for arn, flow in sorted(flows.items(), key=lambda item: (item[0] not in in_stacks, item[0])):
        if wanted.get(flow.name) == flow.region and flow.name not in current and arn in in_stacks:
            current[flow.name] = flow
        else:
            retired[arn] = flow
    return current, retired


def removed_regions(
    model: Topology, stacks: Mapping[str, StackState], retired: Iterable[FlowState]
) -> list[str]:
    """Regions with stacks or flows of ours that the topology no longer names."""
    named = {net.region for net in model.networks}
    used = {state.region for state in stacks.values()} | {flow.region for flow in retired}
    return sorted(used - named)


def inventory_of(model: Topology, stacks: Mapping[str, StackState], flows: Iterable[FlowState]) -> Inventory:
    """What exists now (observed): the inventory the runtime state records."""
    listed = list(flows)
    ours = {state.name: state.region for state in stacks.values() if stack_kind(model, state.name)}
    arns = {flow.arn: flow.name for flow in listed}
    used = set(ours.values()) | {flow_region(arn) for arn in arns} | {net.region for net in model.networks}
    return Inventory(
        regions=tuple(sorted(used)), stacks=dict(sorted(ours.items())), flows=dict(sorted(arns.items()))
    )


__all__ = [
    "DELETE_RANK",
    "STACK_KINDS",
    "flow_arns",
    "flow_name_of",
    "flow_names",
    "inventory_of",
    "regions",
    "removed_regions",
    "split_flows",
    "stack_candidates",
    "stack_kind",
]
