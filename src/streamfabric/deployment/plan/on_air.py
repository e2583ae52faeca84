"""What is on air now (pure): read from the observed hub flows' sources, never from the runtime
state nor any memory. A running hub flow is on an ingest when its source is an SRT caller to the
private IP of one of our ingest flows' VPC interfaces."""

from __future__ import annotations

from ...topology.model import HUB_ROLES, SRT_CALLER, HubRole, Topology
from ..observed import RUNNING, FlowState, RemoteState


def ingest_name(model: Topology, flow_name: str) -> str:
    prefix = f"{model.name}-"
    return flow_name[len(prefix) :] if flow_name.startswith(prefix) else flow_name


def on_air(model: Topology, remote: RemoteState) -> dict[HubRole, FlowState]:
    """Role -> the ingest flow (ours: the topology's or a retired one) its running hub flow calls."""
    ingests = [
        f for f in [*remote.flows.values(), *remote.retired.values()] if f.name not in _hub_names(model)
    ]
    found: dict[HubRole, FlowState] = {}
    for role in HUB_ROLES:
        hub = remote.flow(model.flow_name(role))
        source = hub.source if hub else None
        if hub is None or hub.status not in RUNNING or source is None or source.protocol != SRT_CALLER:
            continue
        for flow in ingests:
            ips = {remote.addresses.get(eni) for v in flow.vpc_interfaces for eni in v.network_interface_ids}
            if source.listener_address and source.listener_address in ips:
                found[role] = flow
                break
    return found


def _hub_names(model: Topology) -> set[str]:
    return {model.flow_name(role) for role in HUB_ROLES}


def on_air_ingests(model: Topology, remote: RemoteState) -> dict[HubRole, str]:
    """Role -> the name of the ingest on air (see :func:`on_air`)."""
    return {role: ingest_name(model, flow.name) for role, flow in on_air(model, remote).items()}


__all__ = ["ingest_name", "on_air", "on_air_ingests"]
