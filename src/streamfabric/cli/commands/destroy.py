"""``streamfabric destroy TOPOLOGY [--network-outputs FILE] [--dry-run] [--yes]``: asks for
confirmation unless --yes."""

from __future__ import annotations

import argparse
import json
import sys

from ...deployment import Plan, destroy, make_reporter
from ...errors import UsageError
from ...topology.loading import load_topology
from .deploy import ask


def _confirm(plan: Plan) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("destroy deletes everything in the plan above: confirm on a terminal, or pass --yes")
    return ask("Destroy all of this?")


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    # Progress on stderr with --json, so stdout is the JSON document alone.
    reporter = make_reporter(sys.stderr if args.json else sys.stdout)
    result = destroy(
        topology,
        dry_run=args.dry_run,
        reporter=reporter,
        network_outputs=args.network_outputs,
        confirm=None if (args.yes or args.dry_run) else _confirm,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "topology": topology.name,
                    "dry_run": result.dry_run,
                    "cancelled": result.cancelled,
                    "plan": result.plan.lines(),
                    "executed": [step.describe() for step in result.executed],
                },
                indent=2,
            )
        )
    elif result.cancelled:
        print("destroy cancelled: nothing changed")
    elif not result.dry_run and not result.plan.empty:
        print(f"{topology.name}: destroyed ({len(result.executed)} step(s))")
    return 1 if result.cancelled else 0
