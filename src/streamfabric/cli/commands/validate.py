"""``streamfabric validate TOPOLOGY [--json]``: exit 0 valid, 1 invalid."""

from __future__ import annotations

import argparse
import json
import sys

from ...errors import SourceError, TopologyError
from ...topology.advisories import topology_advisories
from ...topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    try:
        topology = load_topology(args.topology)
    except TopologyError as exc:
        if args.json:
            print(json.dumps({"valid": False, "problems": [p.as_dict() for p in exc.problems]}, indent=2))
        else:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            count = len(exc.problems)
            print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return 1
    except SourceError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "valid": False,
                        "problems": [
                            {
                                "source": args.topology,
                                "path": "$",
                                "message": str(exc),
                                "code": "SF0001",
                                "source_url": None,
                            }
                        ],
                    },
                    indent=2,
                )
            )
            return 1
        raise
    advisories = topology_advisories(topology)
    summary = {
        "valid": True,
        "name": topology.name,
        "source": {
            "uri": topology.source.uri,
            "version": topology.source.version,
            "sha256": topology.source.sha256,
        },
        "hub": topology.hub.region,
        "regions": [n.region for n in topology.networks],
        "ingests": list(topology.ingest_names),
        "warnings": [a.as_dict() for a in advisories],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for advisory in advisories:
            print(advisory, file=sys.stderr)
        print(
            f"{topology.source.display}: valid — topology {topology.name!r}: hub {topology.hub.region}, "
            f"{len(topology.networks)} region(s), {len(topology.ingests)} ingest(s)"
        )
    return 0
