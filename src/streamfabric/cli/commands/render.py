"""``streamfabric render TOPOLOGY --out DIR [--network ...] [--check]``.

``--check`` follows Terraform's ``plan --detailed-exitcode``: 0 up to date, 2 drift, 1 an error."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ...rendering import diff_files, render, write_files
from ...topology.loading import load_topology
from ..output import CHANGES_EXIT, NO_CHANGES_EXIT


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    files = render(topology, network=args.network)
    out = Path(args.out)
    if args.check:
        drift = diff_files(out, files)
        if args.json:
            print(
                json.dumps(
                    {
                        "clean": drift.clean,
                        "changed": drift.changed,
                        "missing": drift.missing,
                        "extra": drift.extra,
                    },
                    indent=2,
                )
            )
        elif drift.clean:
            print(f"{out}: {len(files)} files up to date")
        else:
            print(f"{out}: rendered output differs from {topology.source.display}:")
            for line in drift.lines():
                print(f"  {line}")
        return NO_CHANGES_EXIT if drift.clean else CHANGES_EXIT  # 1 is left to errors, like Terraform
    touched = write_files(out, files)
    if args.json:
        print(json.dumps({"out": str(out), "files": sorted(files), "written": touched}, indent=2))
    else:
        print(
            f"{out}: {len(files)} files rendered from {topology.source.display} "
            f"({len(touched)} written or removed, {len(files) - len(touched)} unchanged)"
        )
    return 0
