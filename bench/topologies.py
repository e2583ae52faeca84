"""Synthetic, valid topologies of a given size: ``regions`` regions (the hub first) and ``ingests``
ingests spread over them (at most 18 per region: MediaConnect's default quota is 20 flows)."""

from __future__ import annotations

import json
from typing import Any

from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import Topology
from streamfabric.topology.semantic_check import mediaconnect_regions

PREFERRED = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2", "sa-east-1", "eu-central-1",
             "ap-northeast-1", "ca-central-1"]  # fmt: skip


def region_names(count: int) -> list[str]:
    others = sorted(mediaconnect_regions() - set(PREFERRED))
    names = [*PREFERRED, *others][:count]
    if len(names) < count:
        raise ValueError(f"only {len(names)} MediaConnect regions")
    return names


def document(regions: int, ingests: int, *, name: str = "bench", dns: bool = True) -> dict[str, Any]:
    names = region_names(regions)

    def net(i: int, region: str) -> dict[str, str]:
        return {"region": region, "vpc_cidr": f"10.{i}.0.0/16", "subnet_cidr": f"10.{i}.1.0/24",
                "availability_zone": f"{region}a"}  # fmt: skip

    items = [
        {
            "name": f"cam-{n:03d}",
            "region": names[n % regions],
            "port": 5000 + 2 * (n // regions),
            "allowlist": ["192.0.2.0/28"],
            "passphrase_secret": f"bench/cam-{n:03d}",
        }
        for n in range(ingests)
    ]
    doc: dict[str, Any] = {
        "name": name,
        "hub": {
            **net(0, names[0]),
            "live": {"starts_on": items[0]["name"], "outputs": [
                {"name": "live-out", "protocol": "srt-listener", "port": 6000,
                 "allowlist": ["198.51.100.0/24"]}]},
            "preview": {"starts_on": items[-1]["name"], "outputs": []},
        },
        "regions": [net(i, r) for i, r in enumerate(names[1:], start=1)],
        "ingests": items,
        "control_api": {"enabled": False},
    }  # fmt: skip
    if dns:
        doc["dns"] = {"hosted_zone_id": "Z0123456789ABCDEFGHIJ", "domain": "live.bench.example"}
    return doc


def topology(regions: int, ingests: int, **kwargs: Any) -> Topology:
    return parse_topology(json.dumps(document(regions, ingests, **kwargs)), f"bench-{regions}x{ingests}.json")
