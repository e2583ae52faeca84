"""Diagrams of a topology: Mermaid (renders on code-hosting sites), Graphviz DOT, and SVG via ``dot``.

``to_mermaid(model)`` and ``to_dot(model)`` are pure. What they draw: one box per region (the hub's
first) holding its VPC and its ingest flows (the hub's also Live and Preview); the VPC peerings
between each spoke's VPC and the hub's; every ingest's internal hop to Live and Preview (the
``starts_on`` ingest drawn bold); Live's and Preview's downstream outputs outside AWS.

Node ids derive from names (``ingest_main_stage``) and are always safe identifiers; every label is
escaped for its format, so no description can break out of its label.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import StreamfabricError
from ..topology.model import HubFlow, Ingest, Network, Output, Topology

GRAPHVIZ_INSTALL = (
    "Graphviz's `dot` is not on PATH: install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, "
    "macOS: `brew install graphviz`, others: https://graphviz.org/download/), "
    "or use --format mermaid or --format dot"
)
MAX_DESCRIPTION = 60


class GraphvizError(StreamfabricError):
    """``dot`` is missing or failed to render."""

    kind = "graphviz"


# -- the picture, independent of the format --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    lines: tuple[str, ...]
    kind: str  # vpc | ingest | hub | output


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str  # peering | hop | starts-on | output


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    title: str
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Picture:
    title: str
    clusters: tuple[Cluster, ...]
    outside: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _ident(prefix: str, name: str) -> str:
    """A safe identifier from a name: letters, digits and underscores only."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', name)}"


class _Ids:
    """Identifiers derived from names, made unique (``_2``, ``_3`` ...) if two names collapse."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], str] = {}
        self._used: set[str] = set()

    def __call__(self, prefix: str, name: str) -> str:
        key = (prefix, name)
        if key not in self._seen:
            base = candidate = _ident(prefix, name)
            n = 2
            while candidate in self._used:
                candidate, n = f"{base}_{n}", n + 1
            self._used.add(candidate)
            self._seen[key] = candidate
        return self._seen[key]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def _ingest_lines(ingest: Ingest) -> tuple[str, ...]:
    lines = [ingest.name, f"{ingest.protocol} :{ingest.port}"]
    if ingest.description:
        lines.append(_short(ingest.description))
    return tuple(lines)


def _output_lines(output: Output) -> tuple[str, ...]:
    where = f"{output.destination}:{output.port}" if output.destination else f":{output.port}"
    return (output.name, f"{output.protocol} {where}")


def picture(model: Topology) -> Picture:
    """What every format draws, in document order."""
    ids = _Ids()
    hop = model.internal_hop
    hub_net = model.hub.network

    def vpc_node(net: Network) -> Node:
        return Node(ids("vpc", net.region), ("VPC", net.vpc_cidr, f"subnet {net.subnet_cidr}"), "vpc")

    def hub_node(flow: HubFlow) -> Node:
        return Node(ids("hub", flow.role), (flow.role.capitalize(), model.flow_name(flow.role)), "hub")

    clusters: list[Cluster] = []
    for net in model.networks:
        nodes = [vpc_node(net)]
        nodes += [
            Node(ids("ingest", i.name), _ingest_lines(i), "ingest") for i in model.ingests_in(net.region)
        ]
        if net.is_hub:
            nodes += [hub_node(flow) for flow in model.hub.flows]
        title = f"{net.region} (hub)" if net.is_hub else net.region
        clusters.append(
            Cluster(ids("region", net.region), f"{title} · {net.availability_zone}", tuple(nodes))
        )

    outside: list[Node] = []
    edges: list[Edge] = [
        Edge(ids("vpc", spoke.region), ids("vpc", hub_net.region), "VPC peering", "peering")
        for spoke in model.spokes
    ]
    for ingest in model.ingests:
        for flow in model.hub.flows:
            starts = flow.starts_on == ingest.name
            edges.append(
                Edge(
                    ids("ingest", ingest.name),
                    ids("hub", flow.role),
                    f"{'starts on, ' if starts else ''}to-{flow.role} :{hop.port(flow.role)}",
                    "starts-on" if starts else "hop",
                )
            )
    for flow in model.hub.flows:
        for output in flow.outputs:
            node = Node(ids("output", f"{flow.role}-{output.name}"), _output_lines(output), "output")
            outside.append(node)
            edges.append(Edge(ids("hub", flow.role), node.id, output.protocol, "output"))
    return Picture(f"{model.name}: streamfabric topology", tuple(clusters), tuple(outside), tuple(edges))


# -- Mermaid --------------------------------------------------------------------------------

# Mermaid entity codes: a quoted label cannot contain a raw quote, and '#', ';', '<', '>', '&', '|',
# '%' and backticks have meanings in labels or statements; everything is written as an entity.
_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    ";": "#59;",
    "|": "#124;",
    "%": "#37;",
    "`": "#96;",
    "\\": "#92;",
}


def mermaid_text(text: str) -> str:
    """``text`` as the content of a double-quoted Mermaid label (one line, entities for specials)."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text)


def _mermaid_label(lines: tuple[str, ...]) -> str:
    return '"' + "<br/>".join(mermaid_text(line) for line in lines) + '"'


_MERMAID_SHAPES: dict[str, Callable[[str], str]] = {
    "vpc": lambda label: f"[({label})]",
    "ingest": lambda label: f"[{label}]",
    "hub": lambda label: f"{{{{{label}}}}}",
    "output": lambda label: f"[/{label}/]",
}
_MERMAID_ARROWS = {"peering": "<-.->", "hop": "-.->", "starts-on": "==>", "output": "-->"}


def to_mermaid(model: Topology) -> str:
    """A Mermaid ``flowchart`` of the topology (no code fence)."""
    pic = picture(model)

    def node(n: Node, indent: str) -> str:
        return f"{indent}{n.id}{_MERMAID_SHAPES[n.kind](_mermaid_label(n.lines))}"

    lines = ["flowchart LR", f"  %% {mermaid_text(pic.title)}"]
    for cluster in pic.clusters:
        lines.append(f'  subgraph {cluster.id}["{mermaid_text(cluster.title)}"]')
        lines.append("    direction TB")
        lines += [node(n, "    ") for n in cluster.nodes]
        lines.append("  end")
    lines += [node(n, "  ") for n in pic.outside]
    for edge in pic.edges:
        lines.append(
            f'  {edge.source} {_MERMAID_ARROWS[edge.kind]}|"{mermaid_text(edge.label)}"| {edge.target}'
        )
    lines += [
        "  classDef vpc fill:#eef5ff,stroke:#4a78c2",
        "  classDef hub fill:#ffe9d6,stroke:#d9822b,stroke-width:2px",
        "  classDef output fill:#f3f3f3,stroke:#888",
    ]
    for kind in ("vpc", "hub", "output"):
        members = [n.id for n in _all_nodes(pic) if n.kind == kind]
        if members:
            lines.append(f"  class {','.join(members)} {kind}")
    return "\n".join(lines) + "\n"


def _all_nodes(pic: Picture) -> Iterator[Node]:
    for cluster in pic.clusters:
        yield from cluster.nodes
    yield from pic.outside


# -- Graphviz DOT ---------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """``text`` as a DOT double-quoted string: backslashes and quotes escaped, one line."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_label(lines: tuple[str, ...]) -> str:
    """Several lines as one DOT string: each line escaped, joined by DOT's own ``\\n`` escape."""
    escaped = [dot_string(line)[1:-1] for line in lines]
    return '"' + "\\n".join(escaped) + '"'


_DOT_SHAPES = {
    "vpc": 'shape=cylinder, style=filled, fillcolor="#eef5ff", color="#4a78c2"',
    "ingest": "shape=box, style=rounded",
    "hub": 'shape=hexagon, style="filled,bold", fillcolor="#ffe9d6", color="#d9822b"',
    "output": 'shape=parallelogram, style=filled, fillcolor="#f3f3f3", color="#888888"',
}
_DOT_EDGES = {
    "peering": 'dir=both, style=dashed, color="#4a78c2"',
    "hop": "style=dotted",
    "starts-on": "style=bold, penwidth=2",
    "output": "",
}


def to_dot(model: Topology) -> str:
    """A Graphviz ``digraph`` of the topology."""
    pic = picture(model)

    def node(n: Node, indent: str) -> str:
        return f"{indent}{n.id} [label={_dot_label(n.lines)}, {_DOT_SHAPES[n.kind]}];"

    lines = [
        f"digraph {_ident('topology', model.name)} {{",
        f"  label={dot_string(pic.title)};",
        '  labelloc=t; rankdir=LR; fontname="Helvetica";',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for cluster in pic.clusters:
        lines += [
            f"  subgraph cluster_{cluster.id} {{",
            f"    label={dot_string(cluster.title)};",
            '    style=rounded; color="#999999";',
        ]
        lines += [node(n, "    ") for n in cluster.nodes]
        lines.append("  }")
    lines += [node(n, "  ") for n in pic.outside]
    for edge in pic.edges:
        attrs = ", ".join(a for a in (f"label={dot_string(edge.label)}", _DOT_EDGES[edge.kind]) if a)
        lines.append(f"  {edge.source} -> {edge.target} [{attrs}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- SVG through Graphviz -------------------------------------------------------------------


def to_svg(model: Topology, *, dot_binary: str | None = None, timeout: float = 60.0) -> str:
    """SVG rendered by Graphviz's ``dot -Tsvg``; :class:`GraphvizError` if ``dot`` is missing."""
    binary = dot_binary or shutil.which("dot")
    if not binary:
        raise GraphvizError(GRAPHVIZ_INSTALL)
    try:
        done = subprocess.run(
            [binary, "-Tsvg"],
            input=to_dot(model),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizError(f"Graphviz's dot failed to run: {exc}") from None
    if done.returncode != 0:
        raise GraphvizError(f"Graphviz's dot failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout


# -- docs/diagram.md ------------------------------------------------------------------------


def diagram_markdown(model: Topology, command: str) -> str:
    """A Markdown page holding the Mermaid diagram of ``model``; ``command`` says how it was made."""
    return (
        f"# Topology diagram: {model.name}\n\n"
        f"<!-- Generated by `{command}`; do not edit. -->\n\n"
        "Regions (the hub first) hold their VPC and ingest flows; dashed links are VPC peerings, "
        "dotted arrows the internal hop each ingest offers to Live and Preview (bold: the ingest "
        "each starts on); Live's and Preview's downstream outputs leave AWS on the right.\n\n"
        "```mermaid\n" + to_mermaid(model) + "```\n"
    )


__all__ = [
    "GRAPHVIZ_INSTALL",
    "GraphvizError",
    "diagram_markdown",
    "dot_string",
    "mermaid_text",
    "picture",
    "to_dot",
    "to_mermaid",
    "to_svg",
]
