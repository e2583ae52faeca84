"""Checks beyond the JSON Schema: references, uniqueness, networks, ports, quotas, secrets.

Written defensively: it runs on documents that may also have schema errors, skips whatever has
the wrong shape (the schema check reports that) and reports every problem it can find.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from importlib.util import find_spec
from typing import Any

from .jsonpath import PathPart, format_path
from .model import (
    DEFAULT_HOP_PORTS,
    FLOWS_PER_REGION_QUOTA,
    HUB_ROLES,
    MIN_LATENCY_RANGE,
    RESERVED_PORTS,
    SECRET_ARN_RE,
    SECRET_NAME_RE,
    pascal,
)

Found = tuple[list[PathPart], str]
Check = Callable[[dict[str, Any]], Iterator[Found]]

VPC_PREFIX_RANGE = (16, 28)  # what AWS allows for a VPC's primary CIDR


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


# -- defensive accessors --------------------------------------------------------------------


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _networks(doc: dict[str, Any]) -> Iterator[tuple[list[PathPart], dict[str, Any]]]:
    hub = _obj(doc.get("hub"))
    if hub:
        yield ["hub"], hub
    for i, region in _items(doc.get("regions")):
        yield ["regions", i], region


def _hub_outputs(doc: dict[str, Any]) -> Iterator[tuple[list[PathPart], dict[str, Any]]]:
    hub = _obj(doc.get("hub"))
    for role in ("live", "preview"):
        for i, out in _items(_obj(hub.get(role)).get("outputs")):
            yield ["hub", role, "outputs", i], out


def _region_names(doc: dict[str, Any]) -> set[str]:
    return {r for _, net in _networks(doc) if (r := _str(net.get("region")))}


# -- the checks -----------------------------------------------------------------------------


def check_unique_names(doc: dict[str, Any]) -> Iterator[Found]:
    groups: list[tuple[str, list[tuple[list[PathPart], dict[str, Any]]]]] = [
        ("ingest", [(["ingests", i], ing) for i, ing in _items(doc.get("ingests"))]),
        ("output", list(_hub_outputs(doc))),
    ]
    for kind, entries in groups:
        first: dict[str, list[PathPart]] = {}
        logical: dict[str, tuple[str, list[PathPart]]] = {}
        for path, entry in entries:
            name = _str(entry.get("name"))
            if name is None:
                continue
            if name in first:
                yield [*path, "name"], f"duplicate {kind} name {name!r} (first at {format_path(first[name])})"
            else:
                first[name] = [*path, "name"]
            other, other_path = logical.setdefault(pascal(name), (name, [*path, "name"]))
            if other != name:  # stage-a1 / stage-a-1: one CloudFormation logical id
                yield (
                    [*path, "name"],
                    (
                        f"{kind} name {name!r} and {other!r} at {format_path(other_path)} give the same "
                        f"identifier {pascal(name)!r} in the rendered templates; rename one"
                    ),
                )
            if kind == "ingest" and name in HUB_ROLES:
                flow = f"{doc.get('name')}-{name}"
                yield [*path, "name"], f"{name!r} is a hub flow's name (flow {flow}); rename the ingest"


def check_regions(doc: dict[str, Any]) -> Iterator[Found]:
    known = mediaconnect_regions()
    hub_region = _str(_obj(doc.get("hub")).get("region"))
    seen: dict[str, list[PathPart]] = {}
    for path, net in _networks(doc):
        region = _str(net.get("region"))
        if region is None:
            continue
        if known and region not in known:
            yield (
                [*path, "region"],
                f"{region!r} is not a MediaConnect region (one of: {', '.join(sorted(known))})",
            )
        if path[0] == "regions" and region == hub_region:
            yield [*path, "region"], f"{region!r} is the hub region: configure its network under $.hub only"
        elif region in seen:
            yield (
                [*path, "region"],
                f"region {region!r} is listed twice (first at {format_path(seen[region])})",
            )
        else:
            seen[region] = [*path, "region"]
        zone = _str(net.get("availability_zone"))
        if zone is not None and not (zone.startswith(region) and len(zone) == len(region) + 1):
            yield [*path, "availability_zone"], f"{zone!r} is not an Availability Zone of {region!r}"


def check_references(doc: dict[str, Any]) -> Iterator[Found]:
    regions = _region_names(doc)
    for i, ingest in _items(doc.get("ingests")):
        region = _str(ingest.get("region"))
        if region is not None and regions and region not in regions:
            yield (
                ["ingests", i, "region"],
                (
                    f"region {region!r} is neither the hub region nor listed in $.regions "
                    f"(known: {', '.join(sorted(regions))})"
                ),
            )
    names = list(dict.fromkeys(n for _, ing in _items(doc.get("ingests")) if (n := _str(ing.get("name")))))
    hub = _obj(doc.get("hub"))
    for role in ("live", "preview"):
        start = _str(_obj(hub.get(role)).get("starts_on"))
        if start is not None and start not in names:
            yield (
                ["hub", role, "starts_on"],
                f"unknown ingest {start!r} (ingests: {', '.join(names) or 'none'})",
            )


def _network(value: str) -> ipaddress.IPv4Network | str:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        return str(exc)


def check_networks(doc: dict[str, Any]) -> Iterator[Found]:
    vpcs: list[tuple[list[PathPart], ipaddress.IPv4Network]] = []
    for path, net in _networks(doc):
        vpc_text = _str(net.get("vpc_cidr"))
        vpc = _network(vpc_text) if vpc_text else None
        if isinstance(vpc, str):
            yield [*path, "vpc_cidr"], f"invalid CIDR {vpc_text!r}: {vpc}"
            vpc = None
        elif vpc is not None:
            low, high = VPC_PREFIX_RANGE
            if not low <= vpc.prefixlen <= high:
                yield (
                    [*path, "vpc_cidr"],
                    f"a VPC CIDR must be between /{low} and /{high}, not /{vpc.prefixlen}",
                )
            else:
                vpcs.append(([*path, "vpc_cidr"], vpc))
        subnet_text = _str(net.get("subnet_cidr"))
        subnet = _network(subnet_text) if subnet_text else None
        if isinstance(subnet, str):
            yield [*path, "subnet_cidr"], f"invalid CIDR {subnet_text!r}: {subnet}"
        elif subnet is not None and isinstance(vpc, ipaddress.IPv4Network):
            if not subnet.subnet_of(vpc):
                yield [*path, "subnet_cidr"], f"subnet {subnet} is not inside the VPC {vpc}"
            elif subnet.prefixlen > 28:
                yield [*path, "subnet_cidr"], f"a subnet must be /28 or larger, not /{subnet.prefixlen}"
    for i, (path_a, a) in enumerate(vpcs):
        for path_b, b in vpcs[i + 1 :]:
            if a.overlaps(b):
                yield path_b, f"VPC {b} overlaps {a} at {format_path(path_a)} (peered VPCs must not overlap)"


def _allowlist(path: list[PathPart], entry: dict[str, Any]) -> Iterator[Found]:
    allow = entry.get("allowlist")
    if not isinstance(allow, list):
        return
    opted_in = entry.get("open_to_internet") is True
    blocks: list[ipaddress.IPv4Network] = []
    for j, cidr in enumerate(allow):
        if not isinstance(cidr, str):
            continue
        parsed = _network(cidr)
        if isinstance(parsed, str):
            yield [*path, "allowlist", j], f"invalid CIDR {cidr!r}: {parsed}"
            continue
        blocks.append(parsed)
        if parsed.prefixlen == 0 and not opted_in:
            yield (
                [*path, "allowlist", j],
                (f"{cidr} opens this to the whole internet; set open_to_internet: true to allow it"),
            )
    # 0.0.0.0/1 + 128.0.0.0/1 is the whole internet too, without a /0 entry to catch.
    everything = ipaddress.IPv4Network("0.0.0.0/0")
    if not opted_in and everything not in blocks and everything in ipaddress.collapse_addresses(blocks):
        yield (
            [*path, "allowlist"],
            "together these CIDRs open this to the whole internet; set open_to_internet: true to allow it",
        )


def _single_block(path: list[PathPart], entry: dict[str, Any]) -> Iterator[Found]:
    """A flow source takes one WhitelistCidr: an ingest's allowlist must collapse into one block."""
    allow = entry.get("allowlist")
    if not isinstance(allow, list) or not all(isinstance(c, str) for c in allow):
        return
    nets = [_network(c) for c in allow]
    parsed = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    if len(parsed) == len(nets) and len(list(ipaddress.collapse_addresses(parsed))) > 1:
        yield (
            [*path, "allowlist"],
            (
                f"{', '.join(allow)} do not collapse into one CIDR block, "
                "and MediaConnect's flow source takes "
                "a single one: use one covering block (or split the ingest)"
            ),
        )


def check_allowlists(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in _items(doc.get("ingests")):
        yield from _allowlist(["ingests", i], ingest)
        yield from _single_block(["ingests", i], ingest)
    for path, out in _hub_outputs(doc):
        yield from _allowlist(path, out)


_RESERVED_TEXT = ", ".join(map(str, sorted(RESERVED_PORTS)))


def _port_ok(path: list[PathPart], port: Any) -> Iterator[Found]:
    value = _int(port)
    if value is not None and value in RESERVED_PORTS:
        yield (
            path,
            f"port {value} is reserved by MediaConnect (reserved: {_RESERVED_TEXT})",
        )


def _hop_ports(doc: dict[str, Any]) -> tuple[int, int]:
    rng = _obj(_obj(doc.get("internal_hop")).get("port_range"))
    first = _int(rng.get("from"))
    last = _int(rng.get("to"))
    if first is None or last is None:
        return DEFAULT_HOP_PORTS
    return first, last


def check_ports(doc: dict[str, Any]) -> Iterator[Found]:
    rng = _obj(_obj(doc.get("internal_hop")).get("port_range"))
    first, last = _hop_ports(doc)
    if rng:
        if last < first + 1:
            yield (
                ["internal_hop", "port_range", "to"],
                (f"the range {first}-{last} needs at least two ports (Live and Preview)"),
            )
        for reserved in sorted(RESERVED_PORTS):
            if first <= reserved <= last:
                yield (
                    ["internal_hop", "port_range"],
                    f"the range {first}-{last} contains reserved port {reserved}",
                )
    hop_ports = {first: "the internal hop's Live port", first + 1: "the internal hop's Preview port"}
    for i, ingest in _items(doc.get("ingests")):
        yield from _port_ok(["ingests", i, "port"], ingest.get("port"))
        ingest_port = _int(ingest.get("port"))
        if ingest_port is not None and ingest_port in hop_ports:
            yield (
                ["ingests", i, "port"],
                (
                    f"port {ingest_port} is also {hop_ports[ingest_port]} on this ingest's flow; "
                    "pick another port or move $.internal_hop.port_range"
                ),
            )
    hub = _obj(doc.get("hub"))
    for role in ("live", "preview"):
        seen: dict[int, list[PathPart]] = {}
        for j, out in _items(_obj(hub.get(role)).get("outputs")):
            path: list[PathPart] = ["hub", role, "outputs", j, "port"]
            yield from _port_ok(path, out.get("port"))
            port = _int(out.get("port"))
            if port is None or out.get("protocol") != "srt-listener":
                continue
            if port in seen:
                yield (
                    path,
                    f"port {port} is already used by another listener of this flow "
                    f"at {format_path(seen[port])}",
                )
            else:
                seen[port] = path


def _latency(path: list[PathPart], value: Any) -> Iterator[Found]:
    latency = _int(value)
    low, high = MIN_LATENCY_RANGE
    if latency is not None and not low <= latency <= high:
        yield path, f"{latency} ms is outside MediaConnect's SRT minimum latency range {low}-{high} ms"


def check_latency(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in _items(doc.get("ingests")):
        yield from _latency(["ingests", i, "min_latency_ms"], ingest.get("min_latency_ms"))
    for path, out in _hub_outputs(doc):
        yield from _latency([*path, "min_latency_ms"], out.get("min_latency_ms"))
    yield from _latency(
        ["internal_hop", "min_latency_ms"], _obj(doc.get("internal_hop")).get("min_latency_ms")
    )


def check_quota(doc: dict[str, Any]) -> Iterator[Found]:
    hub_region = _str(_obj(doc.get("hub")).get("region"))
    counts: Counter[str] = Counter()
    last_path: dict[str, list[PathPart]] = {}
    for i, ingest in _items(doc.get("ingests")):
        region = _str(ingest.get("region"))
        if region:
            counts[region] += 1
            last_path[region] = ["ingests", i, "region"]
    if hub_region:
        counts[hub_region] += 2
    for region, count in sorted(counts.items()):
        if count > FLOWS_PER_REGION_QUOTA and region in last_path:
            yield (
                last_path[region],
                (
                    f"{count} flows in {region} exceed MediaConnect's default quota of "
                    f"{FLOWS_PER_REGION_QUOTA} "
                    "flows per region (request a quota increase, then split the topology or move ingests)"
                ),
            )


def _secret(
    path: list[PathPart], value: Any, region: str | None, *, name_only: bool = False
) -> Iterator[Found]:
    ref = _str(value)
    if ref is None or ref == "generate":
        return
    if ref.startswith("arn:"):
        match = SECRET_ARN_RE.match(ref)
        if not match:
            yield (
                path,
                (
                    "not a well-formed Secrets Manager ARN "
                    "(arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>)"
                ),
            )
        elif name_only:
            yield path, "give the secret's name (replicated to every region), not an ARN of one region's copy"
        elif region and match.group("region") != region:
            yield (
                path,
                (
                    f"the secret is in {match.group('region')}, but MediaConnect reads secrets in the flow's "
                    f"region {region}: replicate it there and reference that copy"
                ),
            )
    elif not SECRET_NAME_RE.match(ref):
        yield path, "not a well-formed secret name (letters, digits and /_+=.@- only, at most 512)"


def check_secrets(doc: dict[str, Any]) -> Iterator[Found]:
    hub_region = _str(_obj(doc.get("hub")).get("region"))
    for i, ingest in _items(doc.get("ingests")):
        yield from _secret(
            ["ingests", i, "passphrase_secret"], ingest.get("passphrase_secret"), _str(ingest.get("region"))
        )
    for path, out in _hub_outputs(doc):
        yield from _secret([*path, "passphrase_secret"], out.get("passphrase_secret"), hub_region)
    hop = _obj(doc.get("internal_hop"))
    yield from _secret(
        ["internal_hop", "passphrase_secret"], hop.get("passphrase_secret"), None, name_only=True
    )


def check_protocols(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in _items(doc.get("ingests")):
        protocol = _str(ingest.get("protocol"))
        if protocol is not None and protocol != "srt-listener":
            yield (
                ["ingests", i, "protocol"],
                f"protocol {protocol!r} is not supported yet (only srt-listener)",
            )
    for path, out in _hub_outputs(doc):
        protocol = _str(out.get("protocol"))
        if protocol == "srt-listener":
            if "allowlist" not in out:
                yield path, "an srt-listener output needs an allowlist"
            if "destination" in out:
                yield (
                    [*path, "destination"],
                    "an srt-listener output has no destination (srt-caller outputs do)",
                )
        elif protocol == "srt-caller":
            if "destination" not in out:
                yield path, "an srt-caller output needs a destination"
            if "allowlist" in out:
                yield [*path, "allowlist"], "an srt-caller output has no allowlist (srt-listener outputs do)"
        if protocol == "srt-caller" and isinstance(out.get("destination"), str):
            try:
                ipaddress.IPv4Address(out["destination"])
            except ValueError as exc:
                yield [*path, "destination"], f"invalid IPv4 address: {exc}"


def check_state(doc: dict[str, Any]) -> Iterator[Found]:
    state = _obj(doc.get("state"))
    for key in ("runtime_state", "audit_log"):
        uri = _str(state.get(key))
        if uri and uri.startswith("s3://"):
            bucket, _, rest = uri[5:].partition("/")
            if not bucket or not rest:
                yield ["state", key], f"{uri!r} is not an s3://bucket/key URI"


def check_maintenance(doc: dict[str, Any]) -> Iterator[Found]:
    """A region's maintenance window applies to its flows: a region without ingests has none (only
    the hub always has flows), so a window there is a mistake (meant for another region?)."""
    used = {_str(_obj(i).get("region")) for _, i in _items(doc.get("ingests"))}
    for i, region in _items(doc.get("regions")):
        name = _str(region.get("region"))
        if "maintenance" in region and name not in used:
            yield (
                ["regions", i, "maintenance"],
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
