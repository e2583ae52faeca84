"""``streamfabric force-unlock LEASE_ID TOPOLOGY [--json]``: remove the deploy lock a command left
behind (it crashed, or its machine went away), by the lease id its refusal named (Terraform's
``force-unlock``). Only that lease is removed; exit 1 when the lock is free or held under another
id. Removing a live command's lease makes it stop before its next change."""

from __future__ import annotations

import argparse
import json

from ...aws.gateway import AwsGateway
from ...deployment.lease import describe_json, force_unlock, lease_uri
from ...state.store import state_uri
from ...topology.loading import load_topology


def run(args: argparse.Namespace) -> int:
    topology = load_topology(args.topology)
    uri = state_uri(topology)
    removed = force_unlock(AwsGateway(), uri, args.lease_id)
    if args.json:
        print(
            json.dumps({"topology": topology.name, "lock": lease_uri(uri), "removed": describe_json(removed)})
        )
    else:
        print(f"{topology.name}: removed the lock {lease_uri(uri)}, held {removed.describe()}")
    return 0
