"""``streamfabric diff OLD NEW [--format markdown|text] [--files] [--network ...] [--json]``.

Exit 0 whether or not the topologies differ (a pull-request comment step must not fail), unless
``--exit-code``: then 1 when they differ, like ``git diff --exit-code``; or ``--detailed-exitcode``:
2 when they differ, like ``terraform plan --detailed-exitcode`` (1 is then only an error). The
"On air" lines (``deploy.guard.offline_verdict``) say which changes would interrupt Live or Preview
if the ingest concerned is on air when deployed (offline: what is on air is known only to deploy,
which reads it from AWS and refuses).
"""

from __future__ import annotations

import argparse
import json
import sys

from ...deployment.plan.guard import offline_verdict
from ...reports.diff import diff_topologies, format_markdown, format_text
from ...topology.loading import load_topology
from ..output import CHANGES_EXIT, NO_CHANGES_EXIT


def run(args: argparse.Namespace) -> int:
    old = load_topology(args.old)
    new = load_topology(args.new)
    with_files = bool(getattr(args, "files", False))
    diff = diff_topologies(old, new, network=getattr(args, "network", None) or "terraform")
    on_air = offline_verdict(old, new)
    if getattr(args, "json", False):
        print(json.dumps({**diff.as_dict(with_file_diffs=with_files), "on_air": on_air}, indent=2))
    elif getattr(args, "format", "markdown") == "text":
        sys.stdout.write(format_text(diff, with_file_diffs=with_files))
        sys.stdout.write("".join(f"on air: {line}\n" for line in on_air))
    else:
        sys.stdout.write(format_markdown(diff, with_file_diffs=with_files))
        if on_air:
            sys.stdout.write("\n### On air\n\n" + "".join(f"- {line}\n" for line in on_air))
    if getattr(args, "detailed_exitcode", False):
        return NO_CHANGES_EXIT if diff.empty else CHANGES_EXIT
    return 1 if getattr(args, "exit_code", False) and not diff.empty else 0
