"""``streamfabric serve [TOPOLOGY] [--port N]``: the control API (and panel) on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys

from ...switching import get_switcher


def run(args: argparse.Namespace) -> int:
    from ...api.local import LocalServer

    switcher = get_switcher(args.topology)
    switcher.state  # noqa: B018  (fail now, with a clear message, if the topology is not deployed)
    switcher.status_ttl = 1.0  # every open panel polls /status
    try:
        server = LocalServer(switcher, port=args.port)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(
        f"streamfabric control API for {switcher.topology.name!r} on {server.url} (Ctrl-C to stop)\n"
        f"The panel: {server.url}/ (it sends the token itself). Scripts send this run's token:\n"
        f"  curl -H 'X-Streamfabric-Token: {server.token}' {server.url}/status",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
