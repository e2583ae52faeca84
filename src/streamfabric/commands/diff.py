"""``streamfabric diff OLD NEW [--format markdown|text] [--files] [--network ...] [--json]``.

Exit 0 whether or not the topologies differ (a pull-request comment step must not fail), unless
``--exit-code``: then 1 when they differ, like ``git diff --exit-code``; or ``--detailed-exitcode``:
2 when they differ, like ``terraform plan --detailed-exitcode`` (1 is then only an error).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..cli_output import CHANGES_EXIT, NO_CHANGES_EXIT
from ..reports.diff import diff_topologies, format_markdown, format_text
from ..topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    old = load_topology(args.old)
    new = load_topology(args.new)
    with_files = bool(getattr(args, "files", False))
    diff = diff_topologies(old, new, network=getattr(args, "network", None) or "terraform")
    if getattr(args, "json", False):
        print(json.dumps(diff.as_dict(with_file_diffs=with_files), indent=2))
    elif getattr(args, "format", "markdown") == "text":
        sys.stdout.write(format_text(diff, with_file_diffs=with_files))
    else:
        sys.stdout.write(format_markdown(diff, with_file_diffs=with_files))
    if getattr(args, "detailed_exitcode", False):
        return NO_CHANGES_EXIT if diff.empty else CHANGES_EXIT
    return 1 if getattr(args, "exit_code", False) and not diff.empty else 0
