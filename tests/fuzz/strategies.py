"""Hypothesis strategies: valid topology documents, and mutations of them that are usually invalid."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import strategies as st

from streamfabric.topology.semantic_check import mediaconnect_regions

REGIONS = sorted(mediaconnect_regions())
NAME = st.from_regex(r"\A[a-z][a-z0-9]{1,8}\Z")


@st.composite
def valid_topology(
    draw: st.DrawFn, max_regions: int = 4, max_ingests: int = 8, include: str | None = None
) -> dict[str, Any]:
    """A document that passes every check: distinct regions with disjoint /16 VPCs, unique names.

    Regions are sampled from every MediaConnect region, and every drawn region gets at least one
    ingest (so it has a flows stack: a region-specific template problem shows wherever it is drawn).
    ``include``: that region is among them, as the hub or as an ingest region (drawn)."""
    regions = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=max_regions, unique=True))
    if include is not None:
        regions = [r for r in regions if r != include][: max_regions - 1]
        regions.insert(draw(st.integers(0, len(regions))), include)
    hub, spokes = regions[0], regions[1:]

    def net(i: int, region: str) -> dict[str, str]:
        return {
            "region": region,
            "vpc_cidr": f"10.{i}.0.0/16",
            "subnet_cidr": f"10.{i}.1.0/24",
            "availability_zone": f"{region}a",
        }

    names = draw(st.lists(NAME, min_size=len(regions), max_size=max(max_ingests, len(regions)), unique=True))
    ingests = []
    per_region: dict[str, int] = {}
    for n, name in enumerate(names):
        region = regions[n] if n < len(regions) else draw(st.sampled_from(regions))
        if per_region.get(region, 0) >= 15:
            region = hub if per_region.get(hub, 0) < 15 else region
        per_region[region] = per_region.get(region, 0) + 1
        ingests.append(
            {
                "name": f"in-{name}",
                "region": region,
                "port": draw(st.integers(3000, 6000)),
                "allowlist": [f"192.0.2.{(n % 16) * 16}/28"],
                "min_latency_ms": draw(st.integers(100, 15000)),
                "passphrase_secret": f"fuzz/{name}",
            }
        )
    outputs = [
        {"name": f"out-{i}", "protocol": "srt-listener", "port": 5000 + i, "allowlist": ["198.51.100.0/24"]}
        for i in range(draw(st.integers(0, 3)))
    ]
    doc: dict[str, Any] = {
        "name": "fuzz",
        "tags": draw(
            st.dictionaries(
                st.from_regex(r"\A[a-z]{1,10}\Z"), st.from_regex(r"\A[A-Za-z0-9 ._-]{0,20}\Z"), max_size=3
            )
        ),
        "hub": {
            **net(0, hub),
            "live": {"starts_on": ingests[0]["name"], "outputs": outputs},
            "preview": {"starts_on": ingests[-1]["name"], "outputs": []},
        },
        "regions": [net(i + 1, r) for i, r in enumerate(spokes)],
        "ingests": ingests,
    }
    if draw(st.booleans()):
        doc["dns"] = {"hosted_zone_id": "Z0123456789ABC", "domain": "live.example.com"}
    return doc


HOSTILE_STRINGS = st.sampled_from(
    [
        '"',
        "'",
        "${var.x}",
        "%{ if true }",
        "\n",
        "\u0000",
        "a: b",
        "- x",
        "!Ref X",
        "{{resolve:x}}",
        "ü" * 3,
        "x" * 5000,
        "\\",
        "#",
        "*alias",
        "&anchor",
        "<script>",
        "\u202e",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | HOSTILE_STRINGS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_topology(draw: st.DrawFn) -> str:
    """A valid document with 1-3 mutations, serialised (sometimes corrupted as text)."""
    doc = copy.deepcopy(draw(valid_topology(max_regions=3, max_ingests=4)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        kind = draw(
            st.sampled_from(["replace", "delete", "extra", "hostile", "duplicate", "overlap", "deep"])
        )
        key = path[-1]
        if kind == "replace":
            parent[key] = draw(JSON_VALUES)
        elif kind == "delete":
            if isinstance(parent, dict):
                del parent[key]
            elif len(parent) > 0:
                parent.pop(key)
        elif kind == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(JSON_VALUES)
        elif kind == "hostile":
            parent[key] = draw(HOSTILE_STRINGS)
        elif kind == "duplicate" and isinstance(doc.get("ingests"), list) and doc["ingests"]:
            doc["ingests"].append(copy.deepcopy(doc["ingests"][0]))
        elif kind == "overlap" and isinstance(doc.get("regions"), list) and doc["regions"]:
            if isinstance(doc["regions"][0], dict):
                doc["regions"][0]["vpc_cidr"] = "10.0.128.0/17"
        elif kind == "deep":  # spliced in as text: json.dumps itself cannot nest that deep
            parent[key] = f"__DEEP_{draw(st.integers(50, 5000))}__"
    text = json.dumps(doc)
    for depth in sorted({int(m) for m in re.findall(r'"__DEEP_([0-9]+)__"', text)}):
        text = text.replace(f'"__DEEP_{depth}__"', "[" * depth + '"x"' + "]" * depth)
    if draw(st.integers(0, 9)) == 0:  # sometimes break the JSON itself
        cut = draw(st.integers(0, max(0, len(text) - 1)))
        text = text[:cut] + draw(st.sampled_from(["", "}", ",", '"', "\ufffd", "NaN"])) + text[cut + 1 :]
    return text
