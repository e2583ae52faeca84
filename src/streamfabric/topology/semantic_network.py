"""The semantic checks of networks and transport: CIDRs, allowlists, ports, SRT latency.

Part of :mod:`.semantic_check` (which runs them with the others); written as defensively.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from .jsonpath import PathPart, format_path
from .model import DEFAULT_HOP_PORTS, MIN_LATENCY_RANGE, RESERVED_PORTS
from .semantic_access import (
    Found,
    as_int,
    as_object,
    as_str,
    hub_outputs,
    networks,
    object_items,
    parse_network,
)

VPC_PREFIX_RANGE = (16, 28)  # what AWS allows for a VPC's primary CIDR


def check_networks(doc: dict[str, Any]) -> Iterator[Found]:
    vpcs: list[tuple[list[PathPart], ipaddress.IPv4Network]] = []
    for path, net in networks(doc):
        vpc_text = as_str(net.get("vpc_cidr"))
        vpc = parse_network(vpc_text) if vpc_text else None
        if isinstance(vpc, str):
            yield [*path, "vpc_cidr"], "SF2010", f"invalid CIDR {vpc_text!r}: {vpc}"
            vpc = None
        elif vpc is not None:
            low, high = VPC_PREFIX_RANGE
            if not low <= vpc.prefixlen <= high:
                yield (
                    [*path, "vpc_cidr"],
                    "SF2011",
                    f"a VPC CIDR must be between /{low} and /{high}, not /{vpc.prefixlen}",
                )
            else:
                vpcs.append(([*path, "vpc_cidr"], vpc))
        subnet_text = as_str(net.get("subnet_cidr"))
        subnet = parse_network(subnet_text) if subnet_text else None
        if isinstance(subnet, str):
            yield [*path, "subnet_cidr"], "SF2010", f"invalid CIDR {subnet_text!r}: {subnet}"
        elif subnet is not None and isinstance(vpc, ipaddress.IPv4Network):
            if not subnet.subnet_of(vpc):
                yield [*path, "subnet_cidr"], "SF2012", f"subnet {subnet} is not inside the VPC {vpc}"
            elif subnet.prefixlen > 28:
                yield (
                    [*path, "subnet_cidr"],
                    "SF2013",
                    f"a subnet must be /28 or larger, not /{subnet.prefixlen}",
                )
    for i, (path_a, a) in enumerate(vpcs):
        for path_b, b in vpcs[i + 1 :]:
            if a.overlaps(b):
                yield (
                    path_b,
                    "SF2014",
                    f"VPC {b} overlaps {a} at {format_path(path_a)} (peered VPCs must not overlap)",
                )


def _allowlist(path: list[PathPart], entry: dict[str, Any]) -> Iterator[Found]:
    allow = entry.get("allowlist")
    if not isinstance(allow, list):
        return
    opted_in = entry.get("open_to_internet") is True
    blocks: list[ipaddress.IPv4Network] = []
    for j, cidr in enumerate(allow):
        if not isinstance(cidr, str):
            continue
        parsed = parse_network(cidr)
        if isinstance(parsed, str):
            yield [*path, "allowlist", j], "SF2010", f"invalid CIDR {cidr!r}: {parsed}"
            continue
        blocks.append(parsed)
        if parsed.prefixlen == 0 and not opted_in:
            yield (
                [*path, "allowlist", j],
                "SF2015",
                (f"{cidr} opens this to the whole internet; set open_to_internet: true to allow it"),
            )
    # 0.0.0.0/1 + 128.0.0.0/1 is the whole internet too, without a /0 entry to catch.
    everything = ipaddress.IPv4Network("0.0.0.0/0")
    if not opted_in and everything not in blocks and everything in ipaddress.collapse_addresses(blocks):
        yield (
            [*path, "allowlist"],
            "SF2016",
            "together these CIDRs open this to the whole internet; set open_to_internet: true to allow it",
        )


def _single_block(path: list[PathPart], entry: dict[str, Any]) -> Iterator[Found]:
    """A flow source takes one WhitelistCidr: an ingest's allowlist must collapse into one block."""
    allow = entry.get("allowlist")
    if not isinstance(allow, list) or not all(isinstance(c, str) for c in allow):
        return
    nets = [parse_network(c) for c in allow]
    parsed = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    if len(parsed) == len(nets) and len(list(ipaddress.collapse_addresses(parsed))) > 1:
        yield (
            [*path, "allowlist"],
            "SF2017",
            (
                f"{', '.join(allow)} do not collapse into one CIDR block, "
                "and MediaConnect's flow source takes "
                "a single one: use one covering block (or split the ingest)"
            ),
        )


def check_allowlists(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in object_items(doc.get("ingests")):
        yield from _allowlist(["ingests", i], ingest)
        yield from _single_block(["ingests", i], ingest)
    for path, out in hub_outputs(doc):
        yield from _allowlist(path, out)


_RESERVED_TEXT = ", ".join(map(str, sorted(RESERVED_PORTS)))


def _port_ok(path: list[PathPart], port: Any) -> Iterator[Found]:
    value = as_int(port)
    if value is not None and value in RESERVED_PORTS:
        yield (
            path,
            "SF2020",
            f"port {value} is reserved by MediaConnect (reserved: {_RESERVED_TEXT})",
        )


def _hop_ports(doc: dict[str, Any]) -> tuple[int, int]:
    rng = as_object(as_object(doc.get("internal_hop")).get("port_range"))
    first = as_int(rng.get("from"))
    last = as_int(rng.get("to"))
    if first is None or last is None:
        return DEFAULT_HOP_PORTS
    return first, last


def check_ports(doc: dict[str, Any]) -> Iterator[Found]:
    rng = as_object(as_object(doc.get("internal_hop")).get("port_range"))
    first, last = _hop_ports(doc)
    if rng:
        if last < first + 1:
            yield (
                ["internal_hop", "port_range", "to"],
                "SF2018",
                (f"the range {first}-{last} needs at least two ports (Live and Preview)"),
            )
        for reserved in sorted(RESERVED_PORTS):
            if first <= reserved <= last:
                yield (
                    ["internal_hop", "port_range"],
                    "SF2019",
                    f"the range {first}-{last} contains reserved port {reserved}",
                )
    hop_ports = {first: "the internal hop's Live port", first + 1: "the internal hop's Preview port"}
    for i, ingest in object_items(doc.get("ingests")):
        yield from _port_ok(["ingests", i, "port"], ingest.get("port"))
        ingest_port = as_int(ingest.get("port"))
        if ingest_port is not None and ingest_port in hop_ports:
            yield (
                ["ingests", i, "port"],
                "SF2021",
                (
                    f"port {ingest_port} is also {hop_ports[ingest_port]} on this ingest's flow; "
                    "pick another port or move $.internal_hop.port_range"
                ),
            )
    hub = as_object(doc.get("hub"))
    for role in ("live", "preview"):
        seen: dict[int, list[PathPart]] = {}
        for j, out in object_items(as_object(hub.get(role)).get("outputs")):
            path: list[PathPart] = ["hub", role, "outputs", j, "port"]
            yield from _port_ok(path, out.get("port"))
            port = as_int(out.get("port"))
            if port is None or out.get("protocol") != "srt-listener":
                continue
            if port in seen:
                yield (
                    path,
                    "SF2022",
                    f"port {port} is already used by another listener of this flow "
                    f"at {format_path(seen[port])}",
                )
            else:
                seen[port] = path


def _latency(path: list[PathPart], value: Any) -> Iterator[Found]:
    latency = as_int(value)
    low, high = MIN_LATENCY_RANGE
    if latency is not None and not low <= latency <= high:
        yield (
            path,
            "SF2023",
            f"{latency} ms is outside MediaConnect's SRT minimum latency range {low}-{high} ms",
        )


def check_latency(doc: dict[str, Any]) -> Iterator[Found]:
    for i, ingest in object_items(doc.get("ingests")):
        yield from _latency(["ingests", i, "min_latency_ms"], ingest.get("min_latency_ms"))
    for path, out in hub_outputs(doc):
        yield from _latency([*path, "min_latency_ms"], out.get("min_latency_ms"))
    yield from _latency(
        ["internal_hop", "min_latency_ms"], as_object(doc.get("internal_hop")).get("min_latency_ms")
    )
