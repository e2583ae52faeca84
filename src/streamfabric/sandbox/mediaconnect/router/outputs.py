"""CreateRouterOutput, DeleteRouterOutput and TakeRouterInput (the checks: :mod:`.operations`' docstring).

A MEDIACONNECT_FLOW output feeds a flow's source: User Guide, *Integrating router I/Os with
MediaConnect flows* (https://docs.aws.amazon.com/mediaconnect/latest/ug/integrate-flow-with-router.html).
Routes: User Guide, *Managing routes* (https://docs.aws.amazon.com/mediaconnect/latest/ug/assigning-route.html)
and API Reference, TakeRouterInput (https://docs.aws.amazon.com/mediaconnect/latest/api/API_TakeRouterInput.html).
"""

from __future__ import annotations

from typing import Any

from .. import network as net
from ..exceptions import BadRequestException, ConflictException, NotFoundException
from . import checks
from .operations import (
    DELETABLE,
    check_ports,
    check_quota,
    delete,
    flow_by_arn,
    flow_region,
    get,
    ids,
    register,
    taken_ips,
    usable_interface,
)
from .store import LOCK, RouterInput, RouterOutput, account, begin, in_transition, timings

# --- outputs, routes -------------------------------------------------------------------------------------


def _flow_source(account_id: str, settings: dict[str, Any]) -> dict[str, Any] | None:
    flow = flow_by_arn(account_id, settings.get("flowArn"))
    if flow is None:
        return None
    wanted = settings.get("flowSourceArn")
    return next((s for s in flow.sources if s.get("sourceArn") == wanted), None)


def _check_flow_destination(account_id: str, region: str, zone: str | None, settings: dict[str, Any]) -> str:
    """The zone of the flow a MEDIACONNECT_FLOW output feeds (the checks of the module docstring)."""
    flow = flow_by_arn(account_id, settings.get("flowArn"))
    if flow is None:
        raise BadRequestException(f"Flow {settings.get('flowArn')} does not exist.")
    if flow_region(flow) != region:
        raise BadRequestException(f"Flow {flow.flow_arn} is in {flow_region(flow)}, not {region}.")
    if zone and zone != flow.availability_zone:
        raise BadRequestException(f"Flow {flow.flow_arn} is in {flow.availability_zone}, not {zone}.")
    source = _flow_source(account_id, settings)
    if source is None:
        raise BadRequestException(f"Flow source {settings.get('flowSourceArn')} does not exist on the flow.")
    if source.get("routerIntegrationState") != "ENABLED":
        raise BadRequestException(
            f"Flow source {source.get('sourceArn')} does not have router integration enabled."
        )
    if not settings.get("destinationTransitEncryption"):
        raise BadRequestException("mediaConnectFlow.destinationTransitEncryption is required.")
    for other in account(account_id).outputs.values():
        theirs = other.configuration.get("mediaConnectFlow") or {}
        if theirs.get("flowSourceArn") == settings.get("flowSourceArn"):
            raise ConflictException(
                f"Flow source {source.get('sourceArn')} already has router output {other.arn}."
            )
    return str(flow.availability_zone)


def create_output(account_id: str, endpoint_region: str, request: dict[str, Any]) -> RouterOutput:
    name = checks.name(request)
    region = checks.region(request, endpoint_region)
    tier, bitrate = checks.tier_and_bitrate(request, checks.OUTPUT_TIERS)
    scope = checks.routing_scope(request)
    key, settings = checks.one_member(request.get("configuration"), "configuration", checks.OUTPUT_TYPES)
    maintenance = checks.maintenance(request)
    with LOCK:
        zone_default = net.default_availability_zone(region)
        interface = None
        if key == "standard":
            member, values = checks.one_member(
                settings.get("protocolConfiguration"),
                "standard.protocolConfiguration",
                checks.OUTPUT_PROTOCOLS,
            )
            checks.protocol("output", member, values)
            interface = usable_interface(account_id, region, settings.get("networkInterfaceArn"))
            check_ports(account_id, interface.arn, {key: settings})
        elif key == "mediaConnectFlow":
            zone_default = _check_flow_destination(
                account_id, region, request.get("availabilityZone"), settings
            )
        zone = checks.availability_zone(request, region, zone_default)
        check_quota(account_id, RouterOutput, region, "RouterOutput")
        arn, resource_id = ids(account_id, RouterOutput, region)
        public = interface is not None and interface.interface_type == "PUBLIC"
        output = RouterOutput(
            arn=arn, id=resource_id, name=name, region=region, state="CREATING",
            configuration={key: dict(settings)}, tags=dict(request.get("tags") or {}),
            output_type=checks.OUTPUT_TYPES[key], availability_zone=zone, maximum_bitrate=bitrate,
            routing_scope=scope, tier=tier, maintenance=maintenance,
            ip_address=net.allocate_public_ip(taken_ips(account_id)) if public else None,
        )  # fmt: skip
        begin(output, timings().creating, lambda: setattr(output, "state", "STANDBY"))
        return register(account_id, output)


def delete_output(account_id: str, arn: str) -> RouterOutput:
    with LOCK:
        output = get(account_id, RouterOutput, arn, read=False)
        if output.state not in DELETABLE or in_transition(output):
            raise ConflictException(f"Router output {arn} is {output.state}: stop it before deleting it.")
        _connectflow_by_arn(account_id, output, connected=False)
        output.routed_input_arn = None
        return delete(account_id, output)


def _connectflow_by_arn(account_id: str, output: RouterOutput, connected: bool) -> None:
    settings = output.configuration.get("mediaConnectFlow")
    source = _flow_source(account_id, settings) if settings else None
    if source is None:
        return
    if connected:
        source["connectedRouterOutputArn"] = output.arn
    elif source.get("connectedRouterOutputArn") == output.arn:
        source.pop("connectedRouterOutputArn", None)


def _check_compatible(output: RouterOutput, router_input: RouterInput) -> None:
    regional = "REGIONAL" in (output.routing_scope, router_input.routing_scope)
    if regional and output.region != router_input.region:
        raise BadRequestException(
            f"Router input {router_input.arn} ({router_input.region}) and output {output.arn} "
            f"({output.region}) "
            "are in different Regions and one of them has a REGIONAL routing scope."
        )
    if router_input.maximum_bitrate > output.maximum_bitrate:
        raise BadRequestException(
            f"Router input {router_input.arn}'s maximum bitrate {router_input.maximum_bitrate} "
            "exceeds output "
            f"{output.arn}'s {output.maximum_bitrate}."
        )


def take(account_id: str, output_arn: str, input_arn: str | None) -> tuple[RouterOutput, RouterInput | None]:
    """TakeRouterInput: the output ROUTING now, ROUTED (or UNROUTED without an input) after ``routing``."""
    with LOCK:
        output = get(account_id, RouterOutput, output_arn, read=False)
        if (
            output.routed_state == "ROUTING"
            or output.state not in ("STANDBY", "ACTIVE")
            or in_transition(output)
        ):
            raise ConflictException(f"Router output {output_arn} is {output.state}/{output.routed_state}.")
        router_input = None
        if input_arn:
            try:
                router_input = get(account_id, RouterInput, input_arn, read=False)
            except NotFoundException as err:
                raise NotFoundException(f"Router input {input_arn} not found.") from err
            if router_input.state not in ("STANDBY", "ACTIVE"):
                raise ConflictException(f"Router input {input_arn} is {router_input.state}.")
            _check_compatible(output, router_input)
        _connectflow_by_arn(account_id, output, connected=False)
        output.routed_state = "ROUTING"
        output.routed_input_arn = input_arn or None
        output.touch()

        def routed() -> None:
            output.routed_state = "ROUTED" if router_input is not None else "UNROUTED"
            _connectflow_by_arn(account_id, output, connected=router_input is not None)

        begin(output, timings().routing, routed)
        return output, router_input
