"""The runtime state document after the post-steps, built from what is observed (pure). Reading and
writing it is :mod:`streamfabric.state.store` (switching reads it too)."""

from __future__ import annotations

from ...errors import DeployError
from ...state.runtime import HubFlowState, IngestState, RuntimeState
from ...topology.model import HOP_OUTPUTS, HUB_ROLES, Topology, vpc_interface_name
from ..network import NetworkOutputs
from ..observed import RemoteState


def build_state(model: Topology, remote: RemoteState, network: NetworkOutputs) -> RuntimeState:
    """The document ``switch()`` needs, from observed flows. DeployError if a post-step is missing."""
    problems: list[str] = []
    hub_net = network.region(model.hub.region)
    hubs: dict[str, HubFlowState] = {}
    for role in HUB_ROLES:
        flow = remote.flow(model.flow_name(role))
        if flow is None or flow.source is None:
            problems.append(f"flow {model.flow_name(role)} does not exist")
            continue
        hubs[role] = HubFlowState(
            flow_arn=flow.arn, source_arn=flow.source.arn, vpc_interface=vpc_interface_name(role)
        )
    ingests: dict[str, IngestState] = {}
    for ingest in model.ingests:
        name = model.flow_name(ingest.name)
        flow = remote.flow(name)
        address = remote.interface_address(name, vpc_interface_name(ingest.name))
        if flow is None or address is None:
            problems.append(f"flow {name} has no VPC interface address")
            continue
        outputs: dict[str, str] = {r: o.arn for r in HUB_ROLES if (o := flow.output(HOP_OUTPUTS[r]))}
        ingests[ingest.name] = IngestState(
            region=ingest.region,
            flow_arn=flow.arn,
            private_ip=address,
            live_port=model.internal_hop.live_port,
            preview_port=model.internal_hop.preview_port,
            output_arns=outputs,
        )
    if not isinstance(hub_net.hop_secret_arn, str) or not isinstance(hub_net.role_arn, str):
        problems.append("the hub's network outputs are not known")
    if problems:
        raise DeployError("cannot write the runtime state: " + "; ".join(problems))
    return RuntimeState(
        topology=model.name,
        topology_sha256=model.source.sha256,
        hub_region=model.hub.region,
        live=hubs["live"],
        preview=hubs["preview"],
        hop_secret_arn=str(hub_net.hop_secret_arn),
        role_arn=str(hub_net.role_arn),
        ingests=ingests,
    )


__all__ = ["build_state"]
