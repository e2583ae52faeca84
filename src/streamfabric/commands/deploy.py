"""``streamfabric deploy TOPOLOGY [--network-outputs FILE | --network cloudformation] [--dry-run]``."""

from __future__ import annotations

import argparse
import json
import sys

from ..deploy import NullReporter, deploy, make_reporter
from ..topology.loading import load_topology


def ask(question: str) -> bool:
    """Ask on the terminal (the plan has been shown); without a terminal the answer is no."""
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    reporter = NullReporter() if args.json else make_reporter(sys.stdout)
    interactive = sys.stdin.isatty() and not args.json
    confirm = (
        None if (args.yes or args.dry_run or not interactive) else (lambda _: ask("Deploy these changes?"))
    )
    result = deploy(
        topology,
        network="cloudformation" if args.network == "cloudformation" else "terraform",
        network_outputs=args.network_outputs,
        dry_run=args.dry_run,
        reporter=reporter,
        confirm=confirm,
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
                    "runtime_state": result.state_uri,
                    "runtime_state_written": result.state_written,
                },
                indent=2,
            )
        )
    elif result.cancelled:
        print("deploy cancelled: nothing changed")
    elif not result.dry_run:
        changes = sum(1 for _ in result.executed)
        print(
            f"{topology.name}: deployed ({changes} change(s)); runtime state {result.state_uri}"
            + (" (written)" if result.state_written else " (unchanged)")
        )
    return 1 if result.cancelled else 0
