"""``streamfabric import-poc FILE [--name N] [--hub REGION]``: the proof of concept's config as a topology.

Prints the topology (JSON, sorted keys) to stdout and what still needs a human to stderr as
``TODO: ...`` lines. Exit 0 when the imported topology validates, 1 when the old file is malformed
or the result does not validate yet (it is printed all the same, with its problems as TODOs).
"""

from __future__ import annotations

import argparse
import json
import sys

from ...errors import TopologyError
from ...topology.import_poc import import_poc
from ...topology.loading import clean_message, parse_document, read_source, validate_document


def run(args: argparse.Namespace) -> int:
    data, info = read_source(args.file)
    document, duplicates = parse_document(data, info.display)
    if duplicates:
        raise TopologyError(duplicates)
    topology, todos = import_poc(document, name=args.name, hub=args.hub, source=info.display)
    problems = validate_document(topology, "imported")
    print(json.dumps(topology, sort_keys=True, indent=2))
    for todo in todos:
        print(f"TODO: {clean_message(todo)}", file=sys.stderr)
    for problem in problems:
        print(f"TODO: fix {problem.path}: {problem.message}", file=sys.stderr)
    if problems:
        count = len(problems)
        print(
            f"error: the imported topology does not validate yet: {count} problem{'s' if count != 1 else ''} "
            "to fix (TODO: fix ... above)",
            file=sys.stderr,
        )
        return 1
    return 0
