"""Semantic checks of the router engine (``"engine": "router"``), SF2037-SF2043.

A router topology carries each ingest on a MediaConnect Router input (an SRT listener on a public
router network interface of its region, one per ingest, allow rules from its allowlist) and feeds the
hub's Live and Preview flows from two MEDIACONNECT_FLOW router outputs. What AWS requires of that:

* SF2038: the maximum bitrate within the tier (User Guide, *Creating a router I/O*);
* SF2039: outputs take only inputs "of equal or lesser maximum bitrate" (User Guide, *Using the router
  matrix view*), so the outputs' maximum bitrate is at least the inputs';
* SF2040: CloudFormation has the Router resource types in the region (cfn-lint's per-region resource
  schemas, :mod:`.region_support`);
* SF2041: 10 router network interfaces and 20 router inputs per region (User Guide, *Quotas*);
* SF2043: a router input's SRT listener port 3000-30000 and minimum latency 10-10000 ms, at most 10
  allow rules on a public router network interface (botocore's model).

SF2037 and SF2042 are streamfabric's own: router settings mean nothing to the flows engine, and the
router engine has no internal hop (no VPC peering, no hop secret).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from .jsonpath import PathPart
from .model import (
    ROUTER_ALLOW_RULES,
    ROUTER_INPUT_TIERS,
    ROUTER_LATENCY_RANGE,
    ROUTER_NETWORK_INTERFACES_PER_REGION_QUOTA,
    ROUTER_OUTPUT_TIERS,
    ROUTER_PORT_RANGE,
)
from .region_support import type_supported
from .semantic_access import Found, as_int, as_object, as_str, object_items

_INGEST_TYPES = ("AWS::MediaConnect::RouterNetworkInterface", "AWS::MediaConnect::RouterInput")
_HUB_TYPES = ("AWS::MediaConnect::RouterOutput",)


def is_router(doc: dict[str, Any]) -> bool:
    return doc.get("engine") == "router"


def _tiers(doc: dict[str, Any]) -> Iterator[Found]:
    router = as_object(doc.get("router"))
    bitrates: dict[str, int] = {}
    for side, tiers in (("input", ROUTER_INPUT_TIERS), ("output", ROUTER_OUTPUT_TIERS)):
        settings = as_object(router.get(side))
        tier, bitrate = as_str(settings.get("tier")), as_int(settings.get("maximum_bitrate"))
        if tier not in tiers or bitrate is None:
            continue
        bitrates[side] = bitrate
        if bitrate > tiers[tier]:
            yield (
                ["router", side, "maximum_bitrate"],
                "SF2038",
                f"{bitrate} bits per second exceeds the {tier} tier's {tiers[tier]} (choose a higher tier)",
            )
    if len(bitrates) == 2 and bitrates["output"] < bitrates["input"]:
        yield (
            ["router", "output", "maximum_bitrate"],
            "SF2039",
            (
                f"the router outputs' maximum bitrate {bitrates['output']} is below the inputs' "
                f"{bitrates['input']}: a router output takes only inputs of equal or lesser maximum bitrate"
            ),
        )


def _regions(doc: dict[str, Any]) -> Iterator[Found]:
    hub_region = as_str(as_object(doc.get("hub")).get("region"))
    if hub_region:
        for rtype in _HUB_TYPES:
            if not type_supported(hub_region, rtype):
                yield (
                    ["hub", "region"],
                    "SF2040",
                    f"CloudFormation has no {rtype} in {hub_region}: the router engine cannot deploy there",
                )
    first: dict[str, list[PathPart]] = {}
    last: dict[str, list[PathPart]] = {}
    counts: Counter[str] = Counter()
    for i, ingest in object_items(doc.get("ingests")):
        region = as_str(ingest.get("region"))
        if region:
            first.setdefault(region, ["ingests", i, "region"])
            last[region] = ["ingests", i, "region"]
            counts[region] += 1
    for region, path in first.items():
        missing = [t for t in _INGEST_TYPES if not type_supported(region, t)]
        if missing:
            yield (
                path,
                "SF2040",
                (
                    f"CloudFormation has no {' or '.join(missing)} in {region}: "
                    "the router engine cannot deploy there"
                ),
            )
    for region, count in sorted(counts.items()):
        if count > ROUTER_NETWORK_INTERFACES_PER_REGION_QUOTA:
            yield (
                last[region],
                "SF2041",
                (
                    f"{count} ingests in {region} need {count} router network interfaces (one each), "
                    f"over MediaConnect's default quota of {ROUTER_NETWORK_INTERFACES_PER_REGION_QUOTA} "
                    "per region "
                    "(20 router inputs): request a quota increase or move ingests"
                ),
            )


def _ingests(doc: dict[str, Any]) -> Iterator[Found]:
    low, high = ROUTER_PORT_RANGE
    fastest, slowest = ROUTER_LATENCY_RANGE
    for i, ingest in object_items(doc.get("ingests")):
        port = as_int(ingest.get("port"))
        if port is not None and not low <= port <= high:
            yield (
                ["ingests", i, "port"],
                "SF2043",
                f"port {port} is outside a router input's SRT listener range {low}-{high}",
            )
        latency = as_int(ingest.get("min_latency_ms"))
        if latency is not None and not fastest <= latency <= slowest:
            yield (
                ["ingests", i, "min_latency_ms"],
                "SF2043",
                f"{latency} ms is outside a router input's SRT minimum latency range {fastest}-{slowest} ms",
            )
        allowlist = ingest.get("allowlist")
        if isinstance(allowlist, list) and len(allowlist) > ROUTER_ALLOW_RULES:
            yield (
                ["ingests", i, "allowlist"],
                "SF2043",
                (
                    f"{len(allowlist)} CIDR blocks: a public router network interface has at most "
                    f"{ROUTER_ALLOW_RULES} allow rules"
                ),
            )


def check_router(doc: dict[str, Any]) -> Iterator[Found]:
    if not is_router(doc):
        if "router" in doc and doc.get("engine", "flows") == "flows":
            yield (
                ["router"],
                "SF2037",
                (
                    'router settings without "engine": "router" '
                    "(the flows engine uses no router inputs or outputs)"
                ),
            )
        return
    if "internal_hop" in doc:
        yield (
            ["internal_hop"],
            "SF2042",
            "the router engine has no internal hop (router inputs reach the hub over AWS's network, "
            "without VPC peering or a hop secret): remove internal_hop",
        )
    yield from _tiers(doc)
    yield from _regions(doc)
    yield from _ingests(doc)


__all__ = ["check_router", "is_router"]
