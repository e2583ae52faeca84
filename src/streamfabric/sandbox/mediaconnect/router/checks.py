"""The checks CreateRouterInput, CreateRouterOutput and CreateRouterNetworkInterface make.

* Tiers and bitrates. User Guide, *Creating a router I/O*
  (https://docs.aws.amazon.com/mediaconnect/latest/ug/creating-router-io.html): "you must specify
  both a tier and a maximum bitrate ... The maximum bitrate must fall within the limits of your
  selected tier". The tiers are named by their ceiling (``INPUT_20``: "up to 20 megabits per
  second", AWS CDK reference, ``RouterInputTier``/``RouterOutputTier``). The API reference gives
  ``maximumBitrate`` no unit; the emulator reads bits per second, as MediaConnect's other bitrates
  (``Transport.MaxBitrate``), and refuses 0, negatives and anything above the tier's ceiling
  (``BadRequestException``).
* Unions. API Reference, ``RouterInputConfiguration``, ``RouterOutputConfiguration``,
  ``RouterNetworkInterfaceConfiguration``, ``RouterInputProtocolConfiguration``: "This object is a
  Union. Only one member of this object can be specified": none or two is a ``BadRequestException``.
* Ports and latencies in the model's ranges (the service checks them as botocore does).
* ``regionName`` must be a MediaConnect Region (botocore's endpoint data) and ``availabilityZone``
  one of its zones; AWS documents the default ("the current region") and nothing else.
* Allow rules of a public router network interface are CIDR blocks (at most 10, the model's limit).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

import botocore.session

from ..exceptions import BadRequestException

MBPS = 1_000_000
INPUT_TIERS = {"INPUT_20": 20 * MBPS, "INPUT_50": 50 * MBPS, "INPUT_100": 100 * MBPS}
OUTPUT_TIERS = {"OUTPUT_20": 20 * MBPS, "OUTPUT_50": 50 * MBPS, "OUTPUT_100": 100 * MBPS}
ROUTING_SCOPES = ("REGIONAL", "GLOBAL")
INPUT_TYPES = {
    "standard": "STANDARD",
    "failover": "FAILOVER",
    "merge": "MERGE",
    "mediaConnectFlow": "MEDIACONNECT_FLOW",
    "mediaLiveChannel": "MEDIALIVE_CHANNEL",
}
OUTPUT_TYPES = {
    "standard": "STANDARD",
    "mediaConnectFlow": "MEDIACONNECT_FLOW",
    "mediaLiveInput": "MEDIALIVE_INPUT",
}
INPUT_PROTOCOLS = {"srtListener": "SRT_LISTENER", "srtCaller": "SRT_CALLER", "rtp": "RTP", "rist": "RIST"}
OUTPUT_PROTOCOLS = INPUT_PROTOCOLS
# (member, field) -> (min, max) from botocore's model
_RANGES = {
    ("input", "srtListener", "port"): (3000, 30000),
    ("input", "rtp", "port"): (3000, 30000),
    ("input", "rist", "port"): (3000, 30000),
    ("input", "srtCaller", "sourcePort"): (1024, 65535),
    ("output", "srtListener", "port"): (3000, 30000),
    ("output", "srtCaller", "destinationPort"): (1024, 65535),
    ("output", "rist", "destinationPort"): (1024, 65535),
    ("output", "rtp", "destinationPort"): (1024, 65531),
}
_LATENCY = (10, 10000)


@cache
def mediaconnect_regions() -> frozenset[str]:
    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("mediaconnect", partition))
    return frozenset(regions)


def one_member(union: Any, what: str, members: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    """The single member of a union (``BadRequestException`` for none, several or an unknown one)."""
    if not isinstance(union, dict):
        raise BadRequestException(f"{what} is required.")
    given = [key for key, value in union.items() if value is not None]
    if len(given) != 1:
        raise BadRequestException(f"{what} is a union: exactly one member must be set, got {sorted(given)}.")
    key = given[0]
    if members is not None and key not in members:
        raise BadRequestException(f"{what}: unknown member {key}.")
    value = union[key]
    if not isinstance(value, dict):
        raise BadRequestException(f"{what}.{key} must be an object.")
    return key, value


def name(request: dict[str, Any]) -> str:
    value = request.get("name")
    if not isinstance(value, str) or not 1 <= len(value) <= 128:
        raise BadRequestException("name is required, 1 to 128 characters.")
    return value


def region(request: dict[str, Any], endpoint_region: str) -> str:
    value = request.get("regionName") or endpoint_region
    if value not in mediaconnect_regions():
        raise BadRequestException(f"regionName {value} is not a Region where MediaConnect is available.")
    return str(value)


def availability_zone(request: dict[str, Any], region_name: str, default: str) -> str:
    value = request.get("availabilityZone") or default
    if not (isinstance(value, str) and value.startswith(region_name) and len(value) == len(region_name) + 1):
        raise BadRequestException(f"availabilityZone {value} is not an Availability Zone of {region_name}.")
    return value


def tier_and_bitrate(request: dict[str, Any], tiers: dict[str, int]) -> tuple[str, int]:
    tier = request.get("tier")
    if tier not in tiers:
        raise BadRequestException(f"tier must be one of {', '.join(tiers)}.")
    bitrate = request.get("maximumBitrate")
    if not isinstance(bitrate, int) or isinstance(bitrate, bool) or bitrate <= 0:
        raise BadRequestException("maximumBitrate is required, a positive number of bits per second.")
    if bitrate > tiers[tier]:
        raise BadRequestException(
            f"maximumBitrate {bitrate} exceeds the {tier} tier's limit of {tiers[tier]} bits per second."
        )
    return str(tier), bitrate


def routing_scope(request: dict[str, Any]) -> str:
    scope = request.get("routingScope")
    if scope not in ROUTING_SCOPES:
        raise BadRequestException("routingScope must be REGIONAL or GLOBAL.")
    return str(scope)


def _in_range(value: Any, low: int, high: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadRequestException(f"{what} must be an integer from {low} to {high}.")


def protocol(side: str, member: str, settings: dict[str, Any]) -> None:
    """A protocol configuration's required ports and latency, in the model's ranges."""
    for (where, proto, key), (low, high) in _RANGES.items():
        if where == side and proto == member:
            _in_range(settings.get(key), low, high, f"{member}.{key}")
    if member.startswith("srt"):
        _in_range(
            settings.get("minimumLatencyMilliseconds"), *_LATENCY, f"{member}.minimumLatencyMilliseconds"
        )
    if member == "rist" and side == "input":
        _in_range(
            settings.get("recoveryLatencyMilliseconds"), *_LATENCY, f"{member}.recoveryLatencyMilliseconds"
        )
    if (member in ("srtCaller", "rist", "rtp") and side == "output") or (
        member == "srtCaller" and side == "input"
    ):
        address = settings.get("destinationAddress" if side == "output" else "sourceAddress")
        if not isinstance(address, str) or not address:
            raise BadRequestException(f"{member} needs an address.")
    key = "decryptionConfiguration" if side == "input" else "encryptionConfiguration"
    if settings.get(key) is not None:
        secret = (settings[key] or {}).get("encryptionKey") or {}
        if not secret.get("secretArn") or not secret.get("roleArn"):
            raise BadRequestException(f"{member}.{key}.encryptionKey needs secretArn and roleArn.")


def port_of(settings: dict[str, Any]) -> int | None:
    """The port a listener protocol configuration takes on its network interface."""
    port = settings.get("port")
    return port if isinstance(port, int) else None


def allow_rules(rules: Any) -> list[dict[str, str]]:
    if not isinstance(rules, list) or len(rules) > 10:
        raise BadRequestException("public.allowRules is required: at most 10 rules.")
    for rule in rules:
        cidr = (rule or {}).get("cidr") if isinstance(rule, dict) else None
        try:
            ipaddress.ip_network(str(cidr), strict=True)
        except ValueError as err:
            raise BadRequestException(f"allowRules: {cidr!r} is not a CIDR block.") from err
    return rules


def maintenance(request: dict[str, Any]) -> dict[str, Any]:
    """``maintenanceConfiguration``: one of ``preferredDayTime`` (day, ``HH:MM``) or ``default``."""
    config = request.get("maintenanceConfiguration")
    if config is None:
        return {"default": {}}
    key, value = one_member(config, "maintenanceConfiguration", {"preferredDayTime": "", "default": ""})
    if key == "preferredDayTime":
        day, when = value.get("day"), value.get("time")
        days = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        if day not in days:
            raise BadRequestException("maintenanceConfiguration.preferredDayTime.day must be a weekday name.")
        parts = str(when).split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
            raise BadRequestException("maintenanceConfiguration.preferredDayTime.time must be HH:MM (UTC).")
    return {key: dict(value)}
