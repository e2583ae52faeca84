"""``streamfabric demo [--keep] [--port N] [--topology FILE] [--network terraform]``: the whole
pipeline, no AWS account."""

from __future__ import annotations

import argparse

from ..demo import run_demo


def run(args: argparse.Namespace) -> int:
    result = run_demo(topology=args.topology, keep=args.keep, port=args.port, network=args.network)
    print(f"demo finished: live carries {result.live}, preview carries {result.preview}")
    return 0
