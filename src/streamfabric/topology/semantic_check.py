"""Checks beyond the JSON Schema: references, uniqueness, networks, ports, quotas, secrets.

Written defensively: it runs on documents that may also have schema errors, skips whatever has
the wrong shape (the schema check reports that, :mod:`.semantic_access` reads it as empty) and
reports every problem it can find. Networks, allowlists, ports and latency are checked in
:mod:`.semantic_network`; :data:`CHECKS` runs them all.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections import Counter
from collections.abc import Iterator
from functools import cache
from importlib.util import find_spec
from typing import Any

from .jsonpath import PathPart, format_path
from .model import (
    FLOWS_PER_REGION_QUOTA,
    HUB_ROLES,
    SECRET_ARN_RE,
    SECRET_NAME_RE,
    pascal,
)
from .semantic_access import (
    Check,
    Found,
    as_object,
    as_str,
    hub_outputs,
    networks,
    object_items,
    region_names,
)
from .semantic_network import check_allowlists, check_latency, check_networks, check_ports


@cache
def mediaconnect_regions() -> frozenset[str]:
    """MediaConnect's regions, read from botocore's endpoint data (without importing botocore)."""
    spec = find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = os.path.join(next(iter(spec.submodule_search_locations)), "data", "endpoints.json")
    with open(path, encoding="utf-8") as handle:
        endpoints = json.load(handle)
    regions: set[str] = set()
    for partition in endpoints.get("partitions", []):
        service = partition.get("services", {}).get("mediaconnect", {})
        regions.update(r for r, ep in service.get("endpoints", {}).items() if not ep.get("deprecated"))
    return frozenset(r for r in regions if not r.startswith("fips-"))


# -- the checks -----------------------------------------------------------------------------


def check_unique_names(doc: dict[str, Any]) -> Iterator[Found]:
    groups: list[tuple[str, list[tuple[list[PathPart], dict[str, Any]]]]] = [
        ("ingest", [(["ingests", i], ing) for i, ing in object_items(doc.get("ingests"))]),
        ("output", list(hub_outputs(doc))),
    ]
    for kind, entries in groups:
        first: dict[str, list[PathPart]] = {}
        logical: dict[str, tuple[str, list[PathPart]]] = {}
        for path, entry in entries:
            name = as_str(entry.get("name"))
            if name is None:
                continue
            if name in first:
                yield (
                    [*path, "name"],
                    "SF2001",
                    f"duplicate {kind} name {name!r} (first at {format_path(first[name])})",
                )
            else:
                first[name] = [*path, "name"]
            other, other_path = logical.setdefault(pascal(name), (name, [*path, "name"]))
            if other != name:  # stage-a1 / stage-a-1: one CloudFormation logical id
                yield (
                    [*path, "name"],
                    "SF2002",
                    (
                        f"{kind} name {name!r} and {other!r} at {format_path(other_path)} give the same "
                        f"identifier {pascal(name)!r} in the rendered templates; rename one"
                    ),
                )
            if kind == "ingest" and name in HUB_ROLES:
                flow = f"{doc.get('name')}-{name}"
                yield (
                    [*path, "name"],
                    "SF2003",
                    f"{name!r} is a hub flow's name (flow {flow}); rename the ingest",
                )


def check_regions(doc: dict[str, Any]) -> Iterator[Found]:
    known = mediaconnect_regions()
    hub_region = as_str(as_object(doc.get("hub")).get("region"))
    seen: dict[str, list[PathPart]] = {}
    for path, net in networks(doc):
        region = as_str(net.get("region"))
        if region is None:
            continue
        if known and region not in known:
            yield (
                [*path, "region"],
                "SF2004",
                f"{region!r} is not a MediaConnect region (one of: {', '.join(sorted(known))})",
            )
        if path[0] == "regions" and region == hub_region:
            yield (
                [*path, "region"],
                "SF2005",
                f"{region!r} is the hub region: configure its network under $.hub only",
            )
        elif region in seen:
            yield (
                [*path, "region"],
                "SF2006",
                f"region {region!r} is listed twice (first at {format_path(seen[region])})",
            )
        else:
            seen[region] = [*path, "region"]
        zone = as_str(net.get("availability_zone"))
        if zone is not None and not (zone.startswith(region) and len(zone) == len(region) + 1):
            yield (
                [*path, "availability_zone"],
                "SF2007",
                f"{zone!r} is not an Availability Zone of {region!r}",
            )


def check_references(doc: dict[str, Any]) -> Iterator[Found]:
    regions = region_names(doc)
    for i, ingest in object_items(doc.get("ingests")):
        region = as_str(ingest.get("region"))
        if region is not None and regions and region not in regions:
            yield (
                ["ingests", i, "region"],
                "SF2008",
                (
                    f"region {region!r} is neither the hub region nor listed in $.regions "
                    f"(known: {', '.join(sorted(regions))})"
                ),
            )
    names = list(
        dict.fromkeys(n for _, ing in object_items(doc.get("ingests")) if (n := as_str(ing.get("name"))))
    )
    hub = as_object(doc.get("hub"))
    for role in ("live", "preview"):
        start = as_str(as_object(hub.get(role)).get("starts_on"))
        if start is not None and start not in names:
            yield (
                ["hub", role, "starts_on"],
                "SF2009",
                f"unknown ingest {start!r} (ingests: {', '.join(names) or 'none'})",
            )


def check_quota(doc: dict[str, Any]) -> Iterator[Found]:
    hub_region = as_str(as_object(doc.get("hub")).get("region"))
    counts: Counter[str] = Counter()
    last_path: dict[str, list[PathPart]] = {}
    for i, ingest in object_items(doc.get("ingests")):
        region = as_str(ingest.get("region"))
        if region:
            counts[region] += 1
            last_path[region] = ["ingests", i, "region"]
    if hub_region:
        counts[hub_region] += 2
    for region, count in sorted(counts.items()):
        if count > FLOWS_PER_REGION_QUOTA and region in last_path:
            yield (
                last_path[region],
                "SF2024",
                (
                    f"{count} flows in {region} exceed MediaConnect's default quota of "
                    f"{FLOWS_PER_REGION_QUOTA} "
                    "flows per region (request a quota increase, then split the topology or move ingests)"
                ),
            )


def _secret(
    path: list[PathPart], value: Any, region: str | None, *, name_only: bool = False
) -> Iterator[Found]:
    ref = as_str(value)
    if ref is None or ref == "generate":
        return
    if ref.startswith("arn:"):
        match = SECRET_ARN_RE.match(ref)
        if not match:
            yield (
                path,
                "SF2025",
                (
                    "not a well-formed Secrets Manager ARN "
                    "(arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>)"
                ),
            )
        elif name_only:
            yield (
                path,
                "SF2026",
                "give the secret's name (replicated to every region), not an ARN of one region's copy",
            )
        elif region and match.group("region") != region:
            yield (
                path,
                "SF2027",
                (
                    f"the secret is in {match.group('region')}, but MediaConnect reads secrets in the flow's "
                    f"region {region}: replicate it there and reference that copy"
                ),
            )
    elif not SECRET_NAME_RE.match(ref):
        yield path, "SF2028", "not a well-formed secret name (letters, digits and /_+=.@- only, at most 512)"


def check_secrets(doc: dict[str, Any]) -> Iterator[Found]:
    hub_region = as_str(as_object(doc.get("hub")).get("region"))
    for i, ingest in object_items(doc.get("ingests")):
        yield from _secret(
            ["ingests", i, "passphrase_secret"], ingest.get("passphrase_secret"), as_str(ingest.get("region"))
        )
    for path, out in hub_outputs(doc):
        yield from _secret([*path, "passphrase_secret"], out.get("passphrase_secret"), hub_region)
    hop = as_object(doc.get("internal_hop"))
    yield from _secret(
        ["internal_hop", "passphrase_secret"], hop.get("passphrase_secret"), None, name_only=True
    )


def check_protocols(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in object_items(doc.get("ingests")):
        protocol = as_str(ingest.get("protocol"))
        if protocol is not None and protocol != "srt-listener":
            yield (
                ["ingests", i, "protocol"],
                "SF2029",
                f"protocol {protocol!r} is not supported yet (only srt-listener)",
            )
    for path, out in hub_outputs(doc):
        protocol = as_str(out.get("protocol"))
        if protocol == "srt-listener":
            if "allowlist" not in out:
                yield path, "SF2030", "an srt-listener output needs an allowlist"
            if "destination" in out:
                yield (
                    [*path, "destination"],
                    "SF2031",
                    "an srt-listener output has no destination (srt-caller outputs do)",
                )
        elif protocol == "srt-caller":
            if "destination" not in out:
                yield path, "SF2032", "an srt-caller output needs a destination"
            if "allowlist" in out:
                yield (
                    [*path, "allowlist"],
                    "SF2033",
                    "an srt-caller output has no allowlist (srt-listener outputs do)",
                )
        if protocol == "srt-caller" and isinstance(out.get("destination"), str):
            try:
                ipaddress.IPv4Address(out["destination"])
            except ValueError as exc:
                yield [*path, "destination"], "SF2034", f"invalid IPv4 address: {exc}"


def check_state(doc: dict[str, Any]) -> Iterator[Found]:
    state = as_object(doc.get("state"))
    for key in ("runtime_state", "audit_log"):
        uri = as_str(state.get(key))
        if uri and uri.startswith("s3://"):
            bucket, _, rest = uri[5:].partition("/")
            if not bucket or not rest:
                yield ["state", key], "SF2035", f"{uri!r} is not an s3://bucket/key URI"


def check_maintenance(doc: dict[str, Any]) -> Iterator[Found]:
    """A region's maintenance window applies to its flows: a region without ingests has none (only
    the hub always has flows), so a window there is a mistake (meant for another region?)."""
    used = {as_str(as_object(i).get("region")) for _, i in object_items(doc.get("ingests"))}
    for i, region in object_items(doc.get("regions")):
        name = as_str(region.get("region"))
        if "maintenance" in region and name not in used:
            yield (
                ["regions", i, "maintenance"],
                "SF2036",
                (
                    f"no flows in {name} (no ingest uses the region): "
                    "this maintenance window applies to nothing"
                ),
            )


CHECKS: tuple[Check, ...] = (
    check_unique_names,
    check_regions,
    check_references,
    check_networks,
    check_allowlists,
    check_ports,
    check_latency,
    check_quota,
    check_secrets,
    check_protocols,
    check_state,
    check_maintenance,
)


def semantic_errors(document: Any) -> list[Found]:
    if not isinstance(document, dict):
        return []
    found: list[Found] = []
    for check in CHECKS:
        found.extend(check(document))
    return found
