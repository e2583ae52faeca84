"""``streamfabric protect | unprotect``: lock Live or Preview against every switch and take."""

from __future__ import annotations

import argparse
import json

from ...switching import get_switcher


def run(args: argparse.Namespace) -> int:
    switcher = get_switcher(args.topology)
    if args.command == "protect":
        protection = switcher.protect(args.flow, until=args.until, reason=args.reason or "")
        if args.json:
            print(json.dumps(protection.to_dict(), indent=2))
        else:
            print(f"{protection.describe()}: every switch and take of it is refused until then")
        return 0
    lifted = switcher.unprotect(args.flow)
    if args.json:
        print(json.dumps({"role": args.flow, "unprotected": lifted is not None,
                          "protection": lifted.to_dict() if lifted else None}, indent=2))  # fmt: skip
    elif lifted is None:
        print(f"{args.flow} was not protected; nothing changed")
    else:
        print(f"{args.flow} is no longer protected (it was by {lifted.owner} since {lifted.since})")
    return 0
