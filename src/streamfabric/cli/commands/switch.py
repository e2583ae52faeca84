"""``streamfabric switch | take | status | history``: the operator's commands."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ...switching import format_table, get_switcher


def run(args: argparse.Namespace) -> int:
    switcher = get_switcher(args.topology)
    command = args.command
    if command == "switch":
        result = switcher.switch(args.ingest, args.target, expected=args.expected, force=args.force)
        if args.json:
            print(json.dumps(result.to_dict(), indent=2))
        elif result.changed:
            print(
                f"{args.target}: {result.previous or '?'} -> {result.ingest} ({result.elapsed_ms:.0f} ms, "
                f"request {result.request_id})"
            )
        else:
            print(f"{args.target}: {result.ingest} is already on air; nothing changed")
        if result.warning:
            print(f"warning: {result.warning}", file=sys.stderr)
        return 0
    if command == "take":
        take = switcher.take()
        if args.json:
            print(json.dumps(take.to_dict(), indent=2))
        elif take.changed:
            print(
                f"take: live {take.previous_live} -> {take.live}, preview {take.previous_preview} -> "
                f"{take.preview} ({take.elapsed_ms:.0f} ms)"
            )
        else:
            print(f"take: live and preview both carry {take.live}; nothing changed")
        if take.warning:
            print(f"warning: {take.warning}", file=sys.stderr)
        return 0
    if command == "status":
        return _status(args, switcher)
    if command == "history":
        records = switcher.history(args.limit)
        if args.json:
            print(json.dumps([r.to_dict() for r in records], indent=2))
        else:
            for r in records:
                note = f"  ({r.message})" if r.message else ""
                what = f"{r.from_ingest or '-'} -> {r.to_ingest}" if r.to_ingest else "-"
                print(f"{r.time}  {r.action:<6} {r.target:<12} {what}  {r.outcome:<9} {r.caller}{note}")
            if not records:
                print("no switches or protections recorded yet", file=sys.stderr)
        return 0
    raise AssertionError(command)  # pragma: no cover


def _status(args: argparse.Namespace, switcher: object) -> int:
    from ...switching import Switcher

    assert isinstance(switcher, Switcher)
    while True:
        status = switcher.status()
        urls = switcher.state.control_api  # where deploy put the control API and the panel
        if args.json:
            doc = {**status.to_dict(), **({"control_api": dict(urls)} if urls else {})}
            print(json.dumps(doc, indent=None if args.watch else 2), flush=True)
        else:
            if args.watch and sys.stdout.isatty():
                print("\033[H\033[2J", end="")
            print(format_table(status), flush=True)
            for key, label in (("panel_url", "operator panel"), ("api_url", "control API")):
                if urls.get(key):
                    print(f"{label}: {urls[key]}", flush=True)
        if not args.watch:
            healthy = all(i.healthy for i in status.ingests if i.on_live or i.on_preview)
            return 0 if healthy else 1
        time.sleep(args.watch)
