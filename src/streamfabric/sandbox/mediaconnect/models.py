"""MediaConnect operations on moto's backend, with the real service's semantics.

moto's ``MediaConnectBackend`` keeps flows as ``Flow`` objects whose sources, outputs and VPC
interfaces are the request dicts it received (wire names). These functions work on that same
state, so moto's own code (entitlements, the moto API) keeps working, but they replace moto's
operations where it deviates from AWS: partial updates, appending instead of replacing, ENIs for
VPC interfaces, refusing to remove a VPC interface in use or from a running flow, deleting only
stopped flows (and taking time to: :mod:`.deletion`), the quotas (:mod:`.quotas`), maintenance
(:mod:`.maintenance`), ListFlows' pages of at most 10, ...
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache
from typing import Any

from moto.core.utils import get_service_model
from moto.mediaconnect.models import Flow, MediaConnectBackend, mediaconnect_backends
from moto.utilities.utils import get_partition

from ..moto_internals import flows_of, random
from . import asynchronous as pending
from . import deletion, history, maintenance, quotas, states
from . import network as net
from .exceptions import BadRequestException, NotFoundException
from .tags import arns_of, list_tags, tag, tag_resource, untag_resource

_LISTENER_PROTOCOLS = ("srt-listener", "zixi-pull")
_DELETABLE = ("STANDBY", "ERROR")
LIST_PAGE = 10  # ListFlows: "defaults to pagination with a maximum of 10 results per page"


def backend_for(account_id: str, region_name: str) -> MediaConnectBackend:
    """moto's MediaConnect backend for an account and region."""
    return mediaconnect_backends[account_id][region_name]


@cache
def updatable_members(operation: str) -> frozenset[str]:
    """Wire names of the body members of an Update* operation (from botocore's service model)."""
    shape = get_service_model("mediaconnect").operation_model(operation).input_shape
    return frozenset(
        member.serialization.get("name", name)
        for name, member in shape.members.items()
        if "location" not in member.serialization
    )


def _arn(backend: MediaConnectBackend, kind: str, name: str) -> str:
    partition = get_partition(backend.region_name)
    resource_id = random.uuid4().hex
    return (
        f"arn:{partition}:mediaconnect:{backend.region_name}:{backend.account_id}:{kind}:{resource_id}:{name}"
    )


def _find_flow(backend: MediaConnectBackend, flow_arn: str) -> Flow:
    flow = flows_of(backend).get(flow_arn)
    if flow is None:
        raise NotFoundException(message=f"Flow {flow_arn} not found.")
    return flow


def get_flow(backend: MediaConnectBackend, flow_arn: str) -> Flow:
    """The flow to act on, with STARTING/STOPPING completed; UPDATING lasts its window
    (:mod:`.asynchronous`), a maintenance restart its reads (:mod:`.maintenance`). A DELETING flow
    is refused (:mod:`.deletion`)."""
    deletion.sweep(backend)
    flow = _find_flow(backend, flow_arn)
    if deletion.is_deleting(flow_arn):
        raise BadRequestException(f"Flow {flow.name} is being deleted (DELETING).")
    states.settle(flow)
    return flow


def _read(flow: Flow) -> Flow | None:
    """One DescribeFlow/ListFlows read of ``flow``: what it shows, None once a deletion is done."""
    if deletion.is_deleting(flow.flow_arn):
        return flow if deletion.read(flow.flow_arn) else None
    maintenance.read(flow)
    states.settle(flow)
    return shown(flow)


def read_flow(backend: MediaConnectBackend, flow_arn: str) -> tuple[Flow, tuple[str, ...]]:
    """DescribeFlow: the flow as a read shows it during an update window, and its Messages.Errors."""
    deletion.sweep(backend)
    seen = _read(_find_flow(backend, flow_arn))
    if seen is None:
        raise NotFoundException(message=f"Flow {flow_arn} not found.")
    return seen, pending.flow_errors(flow_arn)


def shown(flow: Flow) -> Flow:
    """What one read shows of ``flow`` (during an update window, maybe the previous source)."""
    status, sources = pending.read(flow)
    if status is None or (status == flow.status and sources is None):
        return flow
    view = copy.copy(flow)
    view.status = status
    if sources is not None:
        view.sources = sources
        view.source = sources[0] if sources else {}
    return view


def _find(items: Iterable[dict[str, Any]], key: str, value: str, what: str) -> dict[str, Any]:
    for item in items:
        if item.get(key) == value:
            return item
    raise NotFoundException(message=f"{what} {value} not found.")


def _check_unique(kind: str, existing: Iterable[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    names = [str(item.get("name") or "") for item in (*existing, *new)]
    if any(not name for name in names):
        raise BadRequestException(f"Every {kind} needs a name.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise BadRequestException(f"{kind.capitalize()} names must be unique within a flow: {duplicates}.")


def _check_vpc_refs(
    vpc_names: Iterable[str], sources: Iterable[dict[str, Any]], outputs: Iterable[dict[str, Any]]
) -> None:
    known = set(vpc_names)
    for source in sources:
        name = source.get("vpcInterfaceName")
        if name and name not in known:
            raise BadRequestException(f"Source {source.get('name')} references unknown VPC interface {name}.")
    for output in outputs:
        name = (output.get("vpcInterfaceAttachment") or {}).get("vpcInterfaceName")
        if name and name not in known:
            raise BadRequestException(f"Output {output.get('name')} references unknown VPC interface {name}.")


def _refresh(backend: MediaConnectBackend, flow: Flow) -> None:
    """Recompute derived addresses: source ingest IPs and listener addresses of outputs."""
    interface_ips: dict[str, str | None] = {}
    for vpc in flow.vpc_interfaces:
        enis = vpc.get("networkInterfaceIds") or []
        interface_ips[vpc["name"]] = (
            net.private_ip(backend.account_id, backend.region_name, enis[0]) if enis else None
        )
    for source in flow.sources:
        if source.get("entitlementArn"):
            source.pop("ingestIp", None)
        elif source.get("vpcInterfaceName"):
            source["ingestIp"] = interface_ips.get(source["vpcInterfaceName"])
        else:
            source["ingestIp"] = flow.egress_ip
    for output in flow.outputs:
        if output.get("protocol") in _LISTENER_PROTOCOLS:
            attached = (output.get("vpcInterfaceAttachment") or {}).get("vpcInterfaceName")
            output["listenerAddress"] = interface_ips.get(attached) if attached else flow.egress_ip
        else:
            output.pop("listenerAddress", None)
    flow.source = flow.sources[0] if flow.sources else {}


def _new_source(backend: MediaConnectBackend, request: dict[str, Any]) -> dict[str, Any]:
    source = dict(request)
    tags = source.pop("sourceTags", None)
    source["sourceArn"] = _arn(backend, "source", source["name"])
    tag(backend, source["sourceArn"], tags)
    return source


def _new_output(backend: MediaConnectBackend, request: dict[str, Any]) -> dict[str, Any]:
    output = dict(request)
    tags = output.pop("outputTags", None)
    output.setdefault("outputStatus", "ENABLED")
    output["outputArn"] = _arn(backend, "output", output["name"])
    tag(backend, output["outputArn"], tags)
    return output


def _interface_zones(backend: MediaConnectBackend, vpc_interfaces: list[dict[str, Any]]) -> set[str]:
    return {
        net.subnet_availability_zone(backend.account_id, backend.region_name, vpc["subnetId"])
        for vpc in vpc_interfaces
    }


def _new_vpc_interfaces(
    backend: MediaConnectBackend, flow_name: str, requests: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    created = []
    for request in requests:
        vpc = {k: v for k, v in request.items() if k != "vpcInterfaceTags"}
        vpc.setdefault("networkInterfaceType", "ena")
        vpc["networkInterfaceIds"] = net.create_interface_enis(
            backend.account_id, backend.region_name, flow_name, vpc
        )
        created.append(vpc)
    return created


def create_flow(backend: MediaConnectBackend, request: dict[str, Any]) -> Flow:
    """CreateFlow: a STANDBY flow with a public ingest/egress IP, ARNs and ENIs for VPC interfaces."""
    name = request.get("name")
    if not name:
        raise BadRequestException("Name is required.")
    sources = list(request.get("sources") or ([request["source"]] if request.get("source") else []))
    if not sources:
        raise BadRequestException("A flow needs a source.")
    outputs = list(request.get("outputs") or [])
    vpc_requests = list(request.get("vpcInterfaces") or [])
    deletion.sweep(backend)
    quotas.check_flows(len(flows_of(backend)))
    quotas.check_outputs("CreateFlow", 0, len(outputs))
    quotas.check_sources(0, len(sources))
    quotas.check_vpc_interfaces([], vpc_requests)
    _check_unique("source", [], sources)
    _check_unique("output", [], outputs)
    _check_unique("VPC interface", [], vpc_requests)
    _check_vpc_refs([vpc["name"] for vpc in vpc_requests], sources, outputs)
    zones = _interface_zones(backend, vpc_requests)
    zone = request.get("availabilityZone")
    if len(zones) > 1 or (zone and zones and zones != {zone}):
        raise BadRequestException("All VPC interface subnets must be in the Availability Zone of the flow.")
    zone = zone or (zones.pop() if zones else None)
    zone = zone or net.default_availability_zone(backend.region_name)

    flow = Flow(
        account_id=backend.account_id,
        region_name=backend.region_name,
        availability_zone=zone,
        entitlements=[],
        name=name,
        outputs=[],
        source={},
        source_failover_config=dict(request.get("sourceFailoverConfig") or {}),
        sources=[],
        vpc_interfaces=[],
        maintenance=maintenance.window(request.get("maintenance")),
    )
    taken = (
        f.egress_ip for b in mediaconnect_backends[backend.account_id].values() for f in flows_of(b).values()
    )
    setattr(flow, "source_monitoring_config", dict(request.get("sourceMonitoringConfig") or {}))  # noqa: B010
    flow.egress_ip = net.allocate_public_ip(taken)  # distinct across the account's regions
    flow.vpc_interfaces = _new_vpc_interfaces(backend, name, vpc_requests)
    flow.sources = [_new_source(backend, source) for source in sources]
    flow.outputs = [_new_output(backend, output) for output in outputs]
    _refresh(backend, flow)
    flows_of(backend)[flow.flow_arn] = flow
    tag(backend, flow.flow_arn, request.get("flowTags"))
    if request.get("entitlements"):
        backend.grant_flow_entitlements(flow.flow_arn, list(request["entitlements"]))
    return flow


def list_flows(
    backend: MediaConnectBackend, max_results: int | None, next_token: str | None
) -> tuple[list[Flow], str | None]:
    """ListFlows, paginated by position, at most :data:`LIST_PAGE` a page whatever ``MaxResults`` says
    (botocore's model, ListFlowsRequest.MaxResults: "defaults to pagination with a maximum of 10
    results per page" and "The service might return fewer results than the MaxResults value": the
    harsher reading caps every page at 10). A page's DELETING flows count a read each; one whose
    deletion is done is left out (the page is shorter)."""
    deletion.sweep(backend)
    arns = list(flows_of(backend))
    start = int(next_token or 0)
    end = start + min(max_results or LIST_PAGE, LIST_PAGE)
    page = [flow for arn in arns[start:end] if (flow := flows_of(backend).get(arn)) is not None]
    flows = [seen for flow in page if (seen := _read(flow)) is not None]
    return flows, (str(end) if end < len(arns) else None)


def delete_flow(backend: MediaConnectBackend, flow_arn: str, *, lingers: bool = False) -> Flow:
    """DeleteFlow: only a stopped flow; its ENIs and tags go with it. ``lingers``: the API's request,
    after which the flow shows DELETING a while (:mod:`.deletion`); without it, a caller that waits
    for the deletion to end (CloudFormation's resource handler) finds the flow gone."""
    flow = get_flow(backend, flow_arn)
    maintenance.refuse_during_restart(flow, "DeleteFlow")
    if flow.status not in _DELETABLE:
        raise BadRequestException(
            f"Flow {flow.name} must be stopped before it can be deleted (it is {flow.status})."
        )
    enis = [eni for vpc in flow.vpc_interfaces for eni in vpc.get("networkInterfaceIds") or []]
    net.delete_enis(backend.account_id, backend.region_name, enis)
    for arn in arns_of(flow):
        backend.tagger.delete_all_tags_for_resource(arn)
    pending.forget(flow_arn)
    history.record(flow_arn, running=False)
    deletion.begin(backend, flow, lingers=lingers)
    return flow


def set_running(backend: MediaConnectBackend, flow_arn: str, running: bool) -> Flow:
    """StartFlow/StopFlow: STARTING/STOPPING, completed (ACTIVE/STANDBY) by the next read.

    Stopping ends an update window (the change applies to the stopped flow)."""
    flow = get_flow(backend, flow_arn)
    if running:
        maintenance.refuse_during_restart(flow, "StartFlow")
    else:
        pending.forget(flow_arn)
        maintenance.forget(flow_arn)
    history.record(flow_arn, running=running)
    flow.status = "STARTING" if running else "STOPPING"
    return flow


def add_outputs(
    backend: MediaConnectBackend, flow_arn: str, outputs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """AddFlowOutputs: appended (moto replaced the list), with ARNs and ENABLED status."""
    flow = get_flow(backend, flow_arn)
    quotas.check_outputs("AddFlowOutputs", len(flow.outputs), len(outputs))
    _check_unique("output", flow.outputs, outputs)
    _check_vpc_refs([vpc["name"] for vpc in flow.vpc_interfaces], [], outputs)
    added = [_new_output(backend, output) for output in outputs]
    flow.outputs.extend(added)
    _refresh(backend, flow)
    return added


def remove_output(backend: MediaConnectBackend, flow_arn: str, output_arn: str) -> None:
    """RemoveFlowOutput (moto compared names with the ARN and never removed anything)."""
    flow = get_flow(backend, flow_arn)
    output = _find(flow.outputs, "outputArn", output_arn, "Output")
    if output.get("entitlementArn"):
        raise BadRequestException("This output belongs to an entitlement; revoke the entitlement instead.")
    flow.outputs.remove(output)
    backend.tagger.delete_all_tags_for_resource(output_arn)


def _merge(target: dict[str, Any], changes: dict[str, Any], nested: tuple[str, ...]) -> None:
    for key, value in changes.items():
        if key in nested and isinstance(value, dict) and isinstance(target.get(key), dict):
            target[key] = {**target[key], **value}
        else:
            target[key] = value


def update_output(
    backend: MediaConnectBackend, flow_arn: str, output_arn: str, request: dict[str, Any]
) -> dict[str, Any]:
    """UpdateFlowOutput: partial update, members left out keep their value."""
    flow = get_flow(backend, flow_arn)
    output = _find(flow.outputs, "outputArn", output_arn, "Output")
    changes = {k: v for k, v in request.items() if k in updatable_members("UpdateFlowOutput")}
    _check_vpc_refs([vpc["name"] for vpc in flow.vpc_interfaces], [], [changes])
    _merge(output, changes, ("encryption",))
    _refresh(backend, flow)
    return output


def _same_protocol(first: str | None, second: str | None) -> bool:
    rtp = {"rtp", "rtp-fec"}
    return first == second or {first, second} <= rtp


def add_sources(
    backend: MediaConnectBackend, flow_arn: str, sources: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """AddFlowSources: appended; a second source needs failover enabled and the same protocol."""
    flow = get_flow(backend, flow_arn)
    _check_unique("source", flow.sources, sources)
    quotas.check_sources(len(flow.sources), len(sources))
    if flow.sources and (flow.source_failover_config or {}).get("state") != "ENABLED":
        raise BadRequestException("Enable source failover on the flow before adding a second source.")
    protocols = [s.get("protocol") for s in (*flow.sources, *sources) if not s.get("entitlementArn")]
    if any(not _same_protocol(protocols[0], protocol) for protocol in protocols):
        raise BadRequestException("All sources of a flow must use the same protocol.")
    _check_vpc_refs([vpc["name"] for vpc in flow.vpc_interfaces], sources, [])
    added = [_new_source(backend, source) for source in sources]
    flow.sources.extend(added)
    _refresh(backend, flow)
    return added


def remove_source(backend: MediaConnectBackend, flow_arn: str, source_arn: str) -> None:
    """RemoveFlowSource: only while the flow has more than one source."""
    flow = get_flow(backend, flow_arn)
    source = _find(flow.sources, "sourceArn", source_arn, "Source")
    if len(flow.sources) < 2:
        raise BadRequestException("The only source of a flow cannot be removed.")
    flow.sources.remove(source)
    backend.tagger.delete_all_tags_for_resource(source_arn)
    _refresh(backend, flow)


def update_source(
    backend: MediaConnectBackend, flow_arn: str, source_arn: str, request: dict[str, Any]
) -> dict[str, Any]:
    """UpdateFlowSource: partial update, members left out keep their value.

    An empty ``vpcInterfaceName`` turns a VPC source back into a public one. A running flow is
    UPDATING afterwards, and a second update during that window is refused (:mod:`.asynchronous`).
    """
    flow = get_flow(backend, flow_arn)
    source = _find(flow.sources, "sourceArn", source_arn, "Source")
    pending.refuse_if_updating(flow)
    pending.begin_update(flow)
    changes = {k: v for k, v in request.items() if k in updatable_members("UpdateFlowSource")}
    _check_vpc_refs([vpc["name"] for vpc in flow.vpc_interfaces], [changes], [])
    _merge(source, changes, ("decryption",))
    if source.get("vpcInterfaceName") == "":
        del source["vpcInterfaceName"]
    _refresh(backend, flow)
    return source


def update_flow(backend: MediaConnectBackend, flow_arn: str, request: dict[str, Any]) -> Flow:
    """UpdateFlow: failover config, maintenance window and source monitoring, merged."""
    flow = get_flow(backend, flow_arn)
    if "sourceFailoverConfig" in request:
        flow.source_failover_config = {
            **(flow.source_failover_config or {}),
            **request["sourceFailoverConfig"],
        }
    if "maintenance" in request:
        window = maintenance.window({**(flow.maintenance or {}), **(request["maintenance"] or {})})
        maintenance.check_change(flow, window)
        flow.maintenance = window
    if "sourceMonitoringConfig" in request:
        monitoring = {
            **(getattr(flow, "source_monitoring_config", None) or {}),
            **request["sourceMonitoringConfig"],
        }
        setattr(flow, "source_monitoring_config", monitoring)  # noqa: B010 (not an attribute of moto's Flow)
    return flow


def add_vpc_interfaces(
    backend: MediaConnectBackend, flow_arn: str, vpc_interfaces: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """AddFlowVpcInterfaces: appended, each with an ENI in its subnet (the flow's AZ)."""
    flow = get_flow(backend, flow_arn)
    _check_unique("VPC interface", flow.vpc_interfaces, vpc_interfaces)
    quotas.check_vpc_interfaces(flow.vpc_interfaces, vpc_interfaces)
    zones = _interface_zones(backend, vpc_interfaces)
    if zones - {flow.availability_zone}:
        raise BadRequestException(
            f"The subnets of VPC interfaces must be in the Availability Zone of the flow "
            f"({flow.availability_zone}), not {sorted(zones)}."
        )
    added = _new_vpc_interfaces(backend, str(flow.name), vpc_interfaces)
    flow.vpc_interfaces.extend(added)
    _refresh(backend, flow)
    return added


def remove_vpc_interface(backend: MediaConnectBackend, flow_arn: str, name: str) -> list[str]:
    """RemoveFlowVpcInterface: refused while a source or output uses it, and while the flow runs;
    deletes its ENIs.

    The API Reference names the first condition; the User Guide, *Removing VPC interfaces from a
    flow* (https://docs.aws.amazon.com/mediaconnect/latest/ug/vpc-interface-remove.html), removes
    them from a flow in standby, and the API says nothing of a running flow: the harsher reading
    refuses it (BadRequestException, the error MediaConnect answers a semantic error with) unless
    the flow is STANDBY. Returns the ids of the ENIs that could not be deleted
    (NonDeletedNetworkInterfaceIds).
    """
    flow = get_flow(backend, flow_arn)
    vpc = _find(flow.vpc_interfaces, "name", name, "VPC interface")
    if flow.status != "STANDBY":
        raise BadRequestException(
            f"Flow {flow.name} is {flow.status}: stop the flow (STANDBY) before removing its VPC "
            f"interface {name}."
        )
    users = [s["name"] for s in flow.sources if s.get("vpcInterfaceName") == name] + [
        o["name"]
        for o in flow.outputs
        if (o.get("vpcInterfaceAttachment") or {}).get("vpcInterfaceName") == name
    ]
    if users:
        raise BadRequestException(
            f"VPC interface {name} is in use by {', '.join(users)}; update or remove them first."
        )
    flow.vpc_interfaces.remove(vpc)
    return net.delete_enis(backend.account_id, backend.region_name, vpc.get("networkInterfaceIds") or [])


__all__ = ["list_tags", "tag_resource", "untag_resource"]  # re-exported: CloudFormation's resources tag here
