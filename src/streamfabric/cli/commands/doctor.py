"""``streamfabric doctor TOPOLOGY [--json]``: is the account ready for this topology? Read-only.

Exit 0 when nothing is an error (warnings and skipped checks are listed), 1 otherwise."""

from __future__ import annotations

import argparse
import json

from ...aws.gateway import AwsGateway
from ...reports.doctor import diagnose
from ...topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    # A diagnosis reports a failing call rather than retrying it for a minute (standard mode, 8 tries).
    findings = diagnose(topology, AwsGateway(max_attempts=2))
    failed = any(f.status == "error" for f in findings)
    if args.json:
        print(
            json.dumps(
                {"topology": topology.name, "ready": not failed, "findings": [f.to_dict() for f in findings]},
                indent=2,
            )
        )
    else:
        for finding in findings:
            print("\n".join(finding.lines()))
        print(f"{topology.name}: " + ("not ready: fix the errors above" if failed else "ready to deploy"))
    return 1 if failed else 0
