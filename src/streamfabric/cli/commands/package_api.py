"""``streamfabric package-api [--out DIR] [--arch x86_64|arm64] [--index-url URL]``: the control API's
Lambda deployment package (see :mod:`streamfabric.deployment.api_package`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from ...deployment.api_package import MIB, UNZIPPED_LIMIT, build_api_package

    package = build_api_package(
        Path(args.out), arch=args.arch, index_url=args.index_url, timeout=args.timeout
    )
    if package.note:  # another runtime than python3.12 (or no bytecode): the function runs that
        print(f"note: {package.note}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(package.path),
                    "sha256": package.sha256,
                    "size": package.size,
                    "unzipped_size": package.unzipped_size,
                    "files": package.files,
                    "arch": package.arch,
                    "runtime": package.runtime,
                    "note": package.note or None,
                    "requirements": list(package.requirements),
                },
                indent=2,
            )
        )
    else:
        print(package.path)
        print(f"  size      {package.size:,} bytes ({package.size / MIB:.1f} MiB)")
        print(
            f"  unzipped  {package.unzipped_size:,} bytes ({package.unzipped_size / MIB:.1f} MiB of "
            f"Lambda's {UNZIPPED_LIMIT / MIB:.0f} MiB), {package.files} files"
        )
        print(f"  runtime   {package.runtime} ({package.arch})")
        print(f"  sha256    {package.sha256}")
    return 0
