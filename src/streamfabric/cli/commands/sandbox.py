"""``streamfabric sandbox COMMAND``: the AWS emulator on its own.

``sandbox serve [--topology T] [--port P]``: the emulator on 127.0.0.1, seeded with what T expects
to exist (:func:`streamfabric.cli.emulator.serve`), until Ctrl-C.
``sandbox signal INGEST --off | --on [...]``: what the emulator at AWS_ENDPOINT_URL reports for an
ingest's source (:mod:`.sandbox_signal`). Each subcommand is one function in
``HANDLERS`` (its arguments are declared in ``cli.SANDBOX_COMMANDS``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def serve(args: argparse.Namespace) -> int:
    from ...topology.loading import load_topology
    from ..emulator import serve as serve_emulator

    model = load_topology(args.topology) if args.topology else None
    serve_emulator(model, port=args.port)
    print("emulator stopped")
    return 0


def signal(args: argparse.Namespace) -> int:
    from .sandbox_signal import run as run_signal

    return run_signal(args)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"serve": serve, "signal": signal}


def run(args: argparse.Namespace) -> int:
    return HANDLERS[args.sandbox_command](args)
