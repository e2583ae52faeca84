"""``streamfabric sandbox signal INGEST --off | --on [--resolution WxH] [--codec NAME]``.

Tells the emulator at ``AWS_ENDPOINT_URL`` (``streamfabric demo --keep``, ``--sandbox`` servers)
what the ingest's encoder sends, so that status, switch and the panel can be rehearsed with a dead
or mismatched feed. The ingest's flow ARN comes from the runtime state; nothing touches AWS itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import urllib.error

from ...errors import StreamfabricError, UsageError


def _resolution(text: str | None) -> tuple[int | None, int | None]:
    if text is None:
        return None, None
    match = re.fullmatch(r"(\d{2,5})[xX](\d{2,5})", text.strip())
    if not match:
        raise UsageError(f"--resolution {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720")
    return int(match.group(1)), int(match.group(2))


def run(args: argparse.Namespace) -> int:
    from ...sandbox.server import signal
    from ...switching import get_switcher

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise UsageError("sandbox signal changes an emulator: set AWS_ENDPOINT_URL or --endpoint-url")
    width, height = _resolution(args.resolution)
    if args.off and (width or args.codec or args.frame_rate):
        raise UsageError("--resolution, --codec and --frame-rate go with --on")
    ingest = get_switcher(args.topology).state.ingests.get(args.ingest)
    if ingest is None:
        valid = ", ".join(sorted(get_switcher(args.topology).state.ingests))
        raise UsageError(f"unknown ingest {args.ingest!r} (ingests: {valid})")
    try:
        now = signal(endpoint, ingest.flow_arn, connected=bool(args.on), width=width, height=height,
                     codec=args.codec, frameRate=args.frame_rate)  # fmt: skip
    except urllib.error.HTTPError as exc:
        raise StreamfabricError(
            f"the emulator at {endpoint} refused: {exc.read().decode(errors='replace')}"
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise StreamfabricError(
            f"no emulator at {endpoint} ({exc}); is `streamfabric demo --keep` running?"
        ) from exc
    if args.json:
        print(json.dumps({"ingest": args.ingest, "flow_arn": ingest.flow_arn, "signal": now}, indent=2))
    elif now.get("connected"):
        print(f"{args.ingest}: signal on, {now.get('width')}x{now.get('height')} {now.get('codec')} "
              f"{now.get('frameRate')} fps")  # fmt: skip
    else:
        print(f"{args.ingest}: signal off (the encoder sends nothing)")
    return 0
