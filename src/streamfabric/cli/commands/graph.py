"""``streamfabric graph TOPOLOGY [--format mermaid|dot|svg]``: the diagram on stdout."""

from __future__ import annotations

import argparse
import sys

from ...reports.graph import to_dot, to_mermaid, to_svg
from ...topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    fmt = getattr(args, "format", "mermaid")
    if fmt == "svg":
        text = to_svg(topology)  # GraphvizError (exit 1) names how to install Graphviz
    elif fmt == "dot":
        text = to_dot(topology)
    else:
        text = to_mermaid(topology)
    sys.stdout.write(text)
    return 0
