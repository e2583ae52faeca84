"""The Router API's operations on :mod:`.store` (requests in wire names, as the handlers parse them).

Behaviour and the AWS page each follows (docs/emulator-fidelity.md, "MediaConnect Router"):

* Quotas. User Guide, *Quotas* (https://docs.aws.amazon.com/mediaconnect/latest/ug/quotas.html):
  20 router inputs, 20 router outputs and 10 router network interfaces per AWS Region; one more is
  ``Router{Input,Output,NetworkInterface}ServiceQuotaExceededException`` (HTTP 420, botocore's model).
* A standard, failover or merge input and a standard output sit on a router network interface of
  their Region, which must exist and be ACTIVE (a CREATING one is a ``ConflictException``: AWS
  documents nothing, the emulator refuses); two listeners on one interface cannot share a port
  (``ConflictException``; undocumented, the harsher reading). Failover and merge take two sources
  (User Guide, *Source failover and merge for router inputs*).
* Start/stop. User Guide, *Starting a router I/O* and *Stopping a router I/O*: Standby, Starting,
  Active; Active, Stopping, Standby. Anything else is a ``ConflictException``.
* Delete. User Guide, *Deleting a router I/O*: a running I/O is stopped first, so only STANDBY or
  ERROR ones can be deleted (``ConflictException`` otherwise), and an input with outputs routed to it,
  or an interface that inputs or outputs use, is refused too (AWS documents neither: the harsher
  reading). The answer says DELETING; the resource is gone after the ``creating`` timing.
* Take. User Guide, *Managing routes* and *Using the router matrix view*: an output takes "one input
  at a time", "regardless of whether the output is active or in standby"; a REGIONAL I/O is "only
  compatible with I/O resources in the same AWS Region"; "router outputs are only compatible with
  router inputs of equal or lesser maximum bitrate". An incompatible take is a
  ``BadRequestException``, one while the output is ROUTING a ``ConflictException``.
* A MEDIACONNECT_FLOW output. User Guide, *Integrating router I/Os with MediaConnect flows*: "A
  router output can connect to one flow at a time"; the flow's source has router integration enabled
  (``routerIntegrationState`` ENABLED, else ``BadRequestException``), the output is in the flow's
  Region and Availability Zone, and a second output for the same source is a ``ConflictException``.
  While the output is ROUTED to an input, the flow's ``Source`` has ``connectedRouterOutputArn``
  (API Reference, ``Source``); unrouted or deleted, it has none.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from moto.mediaconnect.models import mediaconnect_backends

from ...moto_internals import flows_of, random
from .. import network as net
from ..exceptions import BadRequestException, ConflictException, NotFoundException, QuotaExceededException
from . import checks
from .store import (
    LOCK,
    NetworkInterface,
    Resource,
    RouterInput,
    RouterOutput,
    account,
    begin,
    in_transition,
    settle,
    timings,
)

QUOTAS = {"RouterInput": 20, "RouterOutput": 20, "RouterNetworkInterface": 10}
_KIND = {NetworkInterface: "routerNetworkInterface", RouterInput: "routerInput", RouterOutput: "routerOutput"}
DELETABLE = ("STANDBY", "ERROR")
R = TypeVar("R", bound=Resource)


def _new_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(random.choice(alphabet) for _ in range(12))


def _arn(kind: str, region: str, account_id: str, resource_id: str) -> str:
    return f"arn:aws:mediaconnect:{region}:{account_id}:{kind}:{resource_id}"


def _table(account_id: str, kind: type[R]) -> dict[str, R]:
    store = account(account_id)
    tables: dict[type[Resource], dict[str, Any]] = {
        NetworkInterface: store.interfaces, RouterInput: store.inputs, RouterOutput: store.outputs,
    }  # fmt: skip
    return tables[kind]


def get(account_id: str, kind: type[R], arn: str, read: bool = True) -> R:
    """A resource by ARN, after this read's transitions (``NotFoundException`` if there is none);
    ``read=False`` for the service's own look-ups (:func:`.store.settle`)."""
    with LOCK:
        resource = _table(account_id, kind).get(arn)
        if resource is None:
            raise NotFoundException(f"{kind.__name__} {arn} not found.")
        settle(resource, read)
        if arn not in _table(account_id, kind):  # a DELETING resource whose transition ended
            raise NotFoundException(f"{kind.__name__} {arn} not found.")
        return resource


def check_quota(account_id: str, kind: type[Resource], region: str, label: str) -> None:
    used = sum(1 for r in _table(account_id, kind).values() if r.region == region)
    if used >= QUOTAS[label]:
        raise QuotaExceededException(
            label, f"{label}s: the quota of {QUOTAS[label]} per Region in {region} is used."
        )


def register(account_id: str, resource: R) -> R:
    _table(account_id, type(resource))[resource.arn] = resource
    return resource


def ids(account_id: str, kind: type[Resource], region: str) -> tuple[str, str]:
    resource_id = _new_id()
    return _arn(_KIND[kind], region, account_id, resource_id), resource_id


def taken_ips(account_id: str) -> Iterable[str]:
    store = account(account_id)
    inputs = [r.ip_address for r in store.inputs.values() if r.ip_address]
    return inputs + [r.ip_address for r in store.outputs.values() if r.ip_address]


# --- network interfaces --------------------------------------------------------------------------


def create_network_interface(
    account_id: str, endpoint_region: str, request: dict[str, Any]
) -> NetworkInterface:
    name = checks.name(request)
    region = checks.region(request, endpoint_region)
    key, config = checks.one_member(request.get("configuration"), "configuration", {"public": "", "vpc": ""})
    if key == "public":
        checks.allow_rules(config.get("allowRules"))
    else:
        groups = config.get("securityGroupIds")
        if not isinstance(groups, list) or not 1 <= len(groups) <= 5 or not config.get("subnetId"):
            raise BadRequestException("vpc needs a subnetId and 1 to 5 securityGroupIds.")
        net.subnet_availability_zone(account_id, region, str(config["subnetId"]))
    with LOCK:
        check_quota(account_id, NetworkInterface, region, "RouterNetworkInterface")
        arn, resource_id = ids(account_id, NetworkInterface, region)
        interface = NetworkInterface(
            arn=arn, id=resource_id, name=name, region=region, state="CREATING",
            configuration={key: dict(config)}, tags=dict(request.get("tags") or {}),
            interface_type=key.upper(),
        )  # fmt: skip
        begin(interface, timings().creating, lambda: setattr(interface, "state", "ACTIVE"))
        return register(account_id, interface)


def _users(account_id: str, interface_arn: str) -> tuple[list[RouterInput], list[RouterOutput]]:
    store = account(account_id)
    inputs = [i for i in store.inputs.values() if interface_of(i) == interface_arn]
    outputs = [o for o in store.outputs.values() if interface_of(o) == interface_arn]
    return inputs, outputs


def interface_of(resource: RouterInput | RouterOutput) -> str | None:
    """The ARN of the router network interface an input or output uses, if any."""
    for value in resource.configuration.values():
        if isinstance(value, dict) and value.get("networkInterfaceArn"):
            return str(value["networkInterfaceArn"])
    return None


def associated_counts(account_id: str, interface_arn: str) -> tuple[int, int]:
    inputs, outputs = _users(account_id, interface_arn)
    return len(inputs), len(outputs)


def delete_network_interface(account_id: str, arn: str) -> NetworkInterface:
    with LOCK:
        interface = get(account_id, NetworkInterface, arn, read=False)
        inputs, outputs = _users(account_id, arn)
        if inputs or outputs:
            raise ConflictException(
                f"Router network interface {arn} is used by {len(inputs)} router inputs and "
                f"{len(outputs)} router outputs; delete them first."
            )
        if interface.state not in ("ACTIVE", "ERROR"):
            raise ConflictException(f"Router network interface {arn} is {interface.state}.")
        return delete(account_id, interface)


def delete(account_id: str, resource: R) -> R:
    resource.state = "DELETING"
    resource.touch()
    table = _table(account_id, type(resource))

    def gone() -> None:
        table.pop(resource.arn, None)

    begin(resource, timings().creating, gone)
    return resource


# --- inputs --------------------------------------------------------------------------------------


def usable_interface(account_id: str, region: str, arn: Any) -> NetworkInterface:
    if not isinstance(arn, str) or not arn:
        raise BadRequestException("networkInterfaceArn is required.")
    try:
        interface = get(account_id, NetworkInterface, arn, read=False)
    except NotFoundException as err:
        raise BadRequestException(f"Router network interface {arn} does not exist.") from err
    if interface.region != region:
        raise BadRequestException(f"Router network interface {arn} is in {interface.region}, not {region}.")
    if interface.state != "ACTIVE":
        raise ConflictException(f"Router network interface {arn} is {interface.state}, not ACTIVE.")
    return interface


def _listener_ports(configuration: dict[str, Any]) -> list[int]:
    (settings,) = configuration.values()
    protocols = [settings["protocolConfiguration"]] if "protocolConfiguration" in settings else []
    protocols += list(settings.get("protocolConfigurations") or [])
    ports = []
    for protocol in protocols:
        for member, values in protocol.items():
            port = checks.port_of(values or {})
            if member != "srtCaller" and port is not None:
                ports.append(port)
    return ports


def check_ports(account_id: str, interface_arn: str, configuration: dict[str, Any]) -> None:
    wanted = _listener_ports(configuration)
    if len(set(wanted)) != len(wanted):
        raise BadRequestException(f"Ports {wanted} repeat on one router network interface.")
    inputs, outputs = _users(account_id, interface_arn)
    used = {port for r in [*inputs, *outputs] for port in _listener_ports(r.configuration)}
    clash = sorted(used.intersection(wanted))
    if clash:
        raise ConflictException(
            f"Port {clash[0]} is already used on router network interface {interface_arn}."
        )


def _input_protocols(key: str, settings: dict[str, Any]) -> None:
    if key == "standard":
        member, values = checks.one_member(
            settings.get("protocolConfiguration"), "standard.protocolConfiguration", checks.INPUT_PROTOCOLS
        )
        declared = settings.get("protocol")
        if declared is not None and declared != checks.INPUT_PROTOCOLS[member]:
            raise BadRequestException(f"protocol {declared} does not match protocolConfiguration.{member}.")
        checks.protocol("input", member, values)
        return
    allowed = checks.INPUT_PROTOCOLS if key == "failover" else {"rtp": "RTP", "rist": "RIST"}
    protocols = settings.get("protocolConfigurations")
    if not isinstance(protocols, list) or len(protocols) != 2:
        raise BadRequestException(f"{key}.protocolConfigurations needs two sources.")
    for protocol in protocols:
        checks.protocol("input", *checks.one_member(protocol, f"{key}.protocolConfigurations[]", allowed))
    if key == "failover" and settings.get("sourcePriorityMode") not in ("NO_PRIORITY", "PRIMARY_SECONDARY"):
        raise BadRequestException("failover.sourcePriorityMode must be NO_PRIORITY or PRIMARY_SECONDARY.")
    if key == "merge" and not isinstance(settings.get("mergeRecoveryWindowMilliseconds"), int):
        raise BadRequestException("merge.mergeRecoveryWindowMilliseconds is required.")


def create_input(account_id: str, endpoint_region: str, request: dict[str, Any]) -> RouterInput:
    name = checks.name(request)
    region = checks.region(request, endpoint_region)
    zone = checks.availability_zone(request, region, net.default_availability_zone(region))
    tier, bitrate = checks.tier_and_bitrate(request, checks.INPUT_TIERS)
    scope = checks.routing_scope(request)
    key, settings = checks.one_member(request.get("configuration"), "configuration", checks.INPUT_TYPES)
    maintenance = checks.maintenance(request)
    with LOCK:
        interface = None
        if key in ("standard", "failover", "merge"):
            _input_protocols(key, settings)
            interface = usable_interface(account_id, region, settings.get("networkInterfaceArn"))
            check_ports(account_id, interface.arn, {key: settings})
        elif key == "mediaConnectFlow":
            _flow_output_exists(account_id, region, settings)
        check_quota(account_id, RouterInput, region, "RouterInput")
        arn, resource_id = ids(account_id, RouterInput, region)
        public = interface is not None and interface.interface_type == "PUBLIC"
        router_input = RouterInput(
            arn=arn, id=resource_id, name=name, region=region, state="CREATING",
            configuration={key: dict(settings)}, tags=dict(request.get("tags") or {}),
            input_type=checks.INPUT_TYPES[key], availability_zone=zone, maximum_bitrate=bitrate,
            routing_scope=scope, tier=tier,
            transit_encryption=dict(request.get("transitEncryption") or _AUTOMATIC),
            maintenance=maintenance,
            ip_address=net.allocate_public_ip(taken_ips(account_id)) if public else None,
        )  # fmt: skip
        begin(router_input, timings().creating, lambda: setattr(router_input, "state", "STANDBY"))
        return register(account_id, router_input)


_AUTOMATIC = {"encryptionKeyType": "AUTOMATIC", "encryptionKeyConfiguration": {"automatic": {}}}


def flow_region(flow: Any) -> str:
    return str(flow.flow_arn.split(":")[3])


def flow_by_arn(account_id: str, arn: Any) -> Any:
    if not isinstance(arn, str) or arn.count(":") < 5:
        return None
    region = arn.split(":")[3]
    backends = mediaconnect_backends[account_id]
    if region not in backends.keys():  # noqa: SIM118 (a lazy BackendDict)
        return None
    return flows_of(backends[region]).get(arn)


def _flow_output_exists(account_id: str, region: str, settings: dict[str, Any]) -> None:
    flow = flow_by_arn(account_id, settings.get("flowArn"))
    if flow is None or flow_region(flow) != region:
        raise BadRequestException(f"Flow {settings.get('flowArn')} does not exist in {region}.")
    if settings.get("flowOutputArn") and not any(
        o.get("outputArn") == settings["flowOutputArn"] for o in flow.outputs
    ):
        raise BadRequestException(f"Flow output {settings['flowOutputArn']} does not exist on the flow.")


def routed_outputs(account_id: str, input_arn: str) -> list[RouterOutput]:
    return [o for o in account(account_id).outputs.values() if o.routed_input_arn == input_arn]


def delete_input(account_id: str, arn: str) -> RouterInput:
    with LOCK:
        router_input = get(account_id, RouterInput, arn, read=False)
        if router_input.state not in DELETABLE or in_transition(router_input):
            raise ConflictException(
                f"Router input {arn} is {router_input.state}: stop it before deleting it."
            )
        routed = routed_outputs(account_id, arn)
        if routed:
            raise ConflictException(
                f"Router input {arn} is routed to {len(routed)} router outputs; take another input first."
            )
        return delete(account_id, router_input)


def set_running(
    account_id: str, kind: type[RouterInput] | type[RouterOutput], arn: str, running: bool
) -> Any:
    """Start (STANDBY -> STARTING -> ACTIVE) or stop (ACTIVE -> STOPPING -> STANDBY) an input or output."""
    with LOCK:
        resource = get(account_id, kind, arn, read=False)
        before, during, after = (
            ("STANDBY", "STARTING", "ACTIVE") if running else ("ACTIVE", "STOPPING", "STANDBY")
        )
        if resource.state != before or in_transition(resource):
            verb = "started" if running else "stopped"
            raise ConflictException(
                f"{kind.__name__} {arn} is {resource.state}: only a {before} one can be {verb}."
            )
        resource.state = during
        resource.touch()
        if running:
            resource.schedule = next_window(resource.maintenance)
        timing = timings().starting if running else timings().stopping
        begin(resource, timing, lambda: setattr(resource, "state", after))
        return resource


def next_window(maintenance: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The next maintenance window: the preferred day and time, or a week ahead by default (AWS
    documents neither the default's time nor a window's length: the emulator takes two hours)."""
    current = now or datetime.now(UTC)
    preferred = maintenance.get("preferredDayTime")
    if preferred:
        days = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        hour, minute = (int(p) for p in str(preferred["time"]).split(":"))
        ahead = (days.index(preferred["day"]) - current.weekday()) % 7
        start = (current + timedelta(days=ahead)).replace(hour=hour, minute=minute, second=0, microsecond=0)
        if start <= current:
            start += timedelta(days=7)
    else:
        start = (current + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=2)
    return {
        "window": {"start": start.isoformat(), "end": end.isoformat(), "scheduledTime": start.isoformat()}
    }


# --- listing -------------------------------------------------------------------------------------


def _matches(resource: Any, filters: list[dict[str, Any]]) -> bool:
    """A resource matches when every filter in the list matches (each filter's fields: any value)."""
    for entry in filters:
        for key, values in (entry or {}).items():
            if not values:
                continue
            if key == "nameContains" and not any(v in resource.name for v in values):
                return False
            attribute = {
                "regionNames": resource.region,
                "routingScopes": getattr(resource, "routing_scope", None),
                "inputTypes": getattr(resource, "input_type", None),
                "outputTypes": getattr(resource, "output_type", None),
                "routedInputArns": getattr(resource, "routed_input_arn", None),
                "networkInterfaceTypes": getattr(resource, "interface_type", None),
                "networkInterfaceArns": interface_of(resource)
                if not isinstance(resource, NetworkInterface)
                else None,
            }
            if key in attribute and attribute[key] not in values:
                return False
    return True


def listed(
    account_id: str, kind: type[R], filters: list[dict[str, Any]], max_results: int | None, token: str | None
) -> tuple[list[R], str | None]:
    """One page of a List operation (the token is opaque; a foreign one is a ``BadRequestException``)."""
    with LOCK:
        for resource in list(_table(account_id, kind).values()):
            settle(resource)
        found = [r for r in _table(account_id, kind).values() if _matches(r, filters)]
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token.encode()).decode())
        except ValueError as err:
            raise BadRequestException("nextToken is not valid.") from err
    size = max_results or 100
    if not 1 <= size <= 100:
        raise BadRequestException("maxResults must be from 1 to 100.")
    page = found[start : start + size]
    more = start + size < len(found)
    return page, base64.b64encode(str(start + size).encode()).decode() if more else None
