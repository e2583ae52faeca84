"""``streamfabric cost TOPOLOGY [--hours H] [--bitrate-mbps B] [--live-prices] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys

from ...errors import UsageError
from ...reports.cost import estimate, format_table, live_prices, load_prices
from ...topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    prices = load_prices(getattr(args, "prices", None))
    if getattr(args, "live_prices", False):
        prices = live_prices(prices, topology.hub.region)
        if not prices.live:
            print(f"warning: {prices.notes[0]}", file=sys.stderr)
    try:
        report = estimate(
            topology,
            prices,
            hours=float(getattr(args, "hours", 72.0)),
            bitrate_mbps=float(getattr(args, "bitrate_mbps", 10.0)),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if getattr(args, "json", False):
        print(json.dumps(report.as_dict(), indent=2))
    else:
        sys.stdout.write(format_table(report))
    return 0
