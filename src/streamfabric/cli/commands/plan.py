"""``streamfabric plan TOPOLOGY [--network-outputs FILE | --network cloudformation] [--detailed-exitcode]``.

CloudFormation's own answer per resource (add / modify / replace, from ``ResourceChange.Replacement``)
for every stack deploy would change, through change sets that are deleted again, then the
post-steps. Exit 0, or with ``--detailed-exitcode`` 0 nothing to change, 2 changes, 1 an error.
The offline ``diff`` stays the pull-request tool; ``plan`` needs the account.
"""

from __future__ import annotations

import argparse
import json
import sys

from ...deployment import preview
from ...topology.loading import load_topology
from ..output import CHANGES_EXIT, NO_CHANGES_EXIT


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    print(f"{topology.name}: creating change sets to ask CloudFormation (deleted again)...", file=sys.stderr)
    result = preview(
        topology,
        network="cloudformation" if args.network == "cloudformation" else "terraform",
        network_outputs=args.network_outputs,
    )
    if args.json:
        print(json.dumps({"topology": topology.name, **result.to_dict()}, indent=2))
    else:
        print("\n".join(result.lines()))
    if args.detailed_exitcode:
        return CHANGES_EXIT if result.changes else NO_CHANGES_EXIT
    return 0
