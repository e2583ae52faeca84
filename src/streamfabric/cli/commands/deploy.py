"""``streamfabric deploy TOPOLOGY [--network-outputs FILE | --network cloudformation] [--dry-run]
[--api-package FILE] [--allow-interruption]``; prints the control API's and the panel's URLs at the
end. Exit 1 when the deploy would interrupt Live or Preview (refused before any change;
``--dry-run`` says so the same way) unless ``--allow-interruption``."""

from __future__ import annotations

import argparse
import json
import sys

from ...deployment import Plan, deploy, make_reporter
from ...deployment.plan.guard import summary
from ...errors import UsageError
from ...topology.loading import load_topology


def ask(question: str) -> bool:
    """Ask on the terminal (the plan has been shown); without a terminal the answer is no. The
    question goes to stderr, so stdout stays the command's output (--json)."""
    if not sys.stdin.isatty():
        return False
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        return input().strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _confirm(plan: Plan) -> bool:
    """Like ``terraform apply`` without ``-auto-approve``: changes need a yes on a terminal."""
    if not sys.stdin.isatty():
        raise UsageError("deploy changes what is in the plan above: confirm on a terminal, or pass --yes")
    return ask("Deploy these changes?")


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    # Progress on stderr with --json, so stdout is the JSON document alone.
    reporter = make_reporter(sys.stderr if args.json else sys.stdout)
    confirm = None if (args.yes or args.dry_run) else _confirm
    result = deploy(
        topology,
        network="cloudformation" if args.network == "cloudformation" else "terraform",
        network_outputs=args.network_outputs,
        dry_run=args.dry_run,
        reporter=reporter,
        confirm=confirm,
        api_package=args.api_package,
        allow_interruption=bool(getattr(args, "allow_interruption", False)),
    )
    refused = bool(result.interruptions) and not getattr(args, "allow_interruption", False)
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
                    "api_package": result.api_code.uri if result.api_code else None,
                    "api_package_uploaded": result.api_uploaded,
                    **(dict(result.api) if result.api else {}),
                    "interruptions": summary(result.interruptions),
                    "would_refuse": refused,
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
        for key, label in (("api_url", "control API"), ("panel_url", "operator panel")):
            if result.api and result.api.get(key):
                print(f"{label}: {result.api[key]}")
        if result.api_code is None and topology.control_api.enabled:
            print("control API: no function (the Lambda reads the topology from S3: deploy it from s3://...)")
    return 1 if result.cancelled or refused else 0
