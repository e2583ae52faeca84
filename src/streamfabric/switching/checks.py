"""What ``status`` checks beyond a flow's own status: its errors, the on-air paths, duplicate names.

* Flow errors are in DescribeFlow's ``Messages`` (a sibling of ``Flow`` in the response, with
  ``Errors``: a list of strings; MediaConnect API Reference, DescribeFlow).
* An on-air path is whole when the ingest's hop output for that role — found by the output ARN in the
  runtime state, never by name — exists, is attached to a VPC interface
  (``VpcInterfaceAttachment``), and listens where the hub's srt-caller connects: its
  ``ListenerAddress``, which "for VPC networking ... is represented by the private IP address of the
  VPC" interface (API Reference, DescribeFlow, ``Output.ListenerAddress``), is the ingest's private
  address in the runtime state.
* MediaConnect allows several flows with one name (CreateFlow does not require unique names), so
  streamfabric finds its flows by the ARNs in the runtime state; another flow with one of its names
  is reported, never used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..state.runtime import IngestState, RuntimeState
from ..topology.model import HUB_ROLES, HubRole, Topology


def flow_errors(response: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The flow's current errors, from a DescribeFlow response's ``Messages``."""
    messages = (response or {}).get("Messages") or {}
    return tuple(str(e) for e in messages.get("Errors") or ())


def path_problems(
    name: str, ingest: IngestState, flow: Mapping[str, Any] | None, on_air: Iterable[HubRole]
) -> tuple[str, ...]:
    """Why each on-air path from this ingest is broken, or () when every one is whole."""
    if flow is None:
        return ()
    outputs = {str(o.get("OutputArn")): o for o in flow.get("Outputs") or ()}
    problems = []
    for role in on_air:
        arn = ingest.output_arns.get(role)
        output = outputs.get(arn) if arn else None
        if output is None:
            problems.append(f"on {role}, but its hop output for {role} is missing")
            continue
        label = str(output.get("Name") or arn)
        attached = (output.get("VpcInterfaceAttachment") or {}).get("VpcInterfaceName")
        address = output.get("ListenerAddress")
        if not attached:
            problems.append(f"on {role}, but its hop output {label} is on no VPC interface")
        elif address != ingest.private_ip:
            problems.append(
                f"on {role}, but its hop output {label} is on {attached} ({address}), not on the address "
                f"the hub connects to ({ingest.private_ip})"
            )
    return tuple(problems)


def our_flows(topology: Topology, state: RuntimeState) -> dict[str, tuple[str, str]]:
    """Flow name -> (region, the ARN streamfabric uses), for every flow in the runtime state."""
    flows = {
        topology.flow_name(role): (state.hub_region, state.hub_flow(role).flow_arn) for role in HUB_ROLES
    }
    flows.update({topology.flow_name(n): (i.region, i.flow_arn) for n, i in state.ingests.items()})
    return flows


def duplicate_names(
    topology: Topology, state: RuntimeState, listed: Mapping[str, Iterable[Mapping[str, Any]]]
) -> tuple[str, ...]:
    """Other flows bearing one of our flows' names (``listed``: region -> ListFlows entries)."""
    ours = our_flows(topology, state)
    found = []
    for region, flows in sorted(listed.items()):
        for flow in flows:
            name, arn = str(flow.get("Name")), str(flow.get("FlowArn"))
            if name in ours and ours[name] != (region, arn):
                found.append(
                    f"another flow named {name} exists in {region} ({arn}); streamfabric uses "
                    f"{ours[name][1]} from the runtime state and leaves it alone"
                )
    return tuple(sorted(found))


__all__ = ["duplicate_names", "flow_errors", "our_flows", "path_problems"]
