"""GetRouterInputSourceMetadata and GetRouterInputThumbnail: what a router input receives.

API Reference, *GetRouterInputSourceMetadata*
(https://docs.aws.amazon.com/mediaconnect/latest/api/API_GetRouterInputSourceMetadata.html) and
*GetRouterInputThumbnail* (https://docs.aws.amazon.com/mediaconnect/latest/api/API_GetRouterInputThumbnail.html):
``sourceMetadataDetails`` (``sourceMetadataMessages``, ``timestamp``, ``routerInputMetadata`` with the
transport stream's programs) and ``thumbnailDetails`` (``thumbnailMessages``, ``thumbnail`` base64
JPEG, ``timecode``, ``timestamp``).

What the input receives follows the flows' model (:mod:`..signal`): a listening input (SRT listener,
RTP, RIST; failover and merge too) receives what an encoder sends to its ARN (set with
``/moto-api/streamfabric/signal``; nothing until one does), a caller input the same (the emulator
has no far end to reach), a MEDIACONNECT_FLOW input what its flow's source receives; only
while the input is ACTIVE (User Guide, *MediaConnect router I/O states*: content passes in Active).
AWS documents no message codes and no error for "nothing received": the emulator answers 200 with a
message (``INPUT_NOT_ACTIVE`` or ``NO_SOURCE_DATA``, its own codes) and no metadata or image, as the
flow operations do.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from typing import Any

from .. import encoders
from .. import signal as flow_signal
from ..encoders import Signal
from ..monitor import _card, media_info
from . import operations as ops
from .store import LOCK, RouterInput, account


def received(account_id: str, item: RouterInput, depth: int = 0) -> Signal | None:
    if item.state != "ACTIVE":
        return None
    if item.input_type == "MEDIACONNECT_FLOW":
        flow = ops.flow_by_arn(account_id, (item.configuration.get("mediaConnectFlow") or {}).get("flowArn"))
        return None if flow is None else flow_signal.received(account_id, flow)
    # what an encoder sends to it (``streamfabric sandbox signal``, by its ARN): nothing until one does
    region = item.arn.split(":")[3]
    return encoders.sending(account_id, region, item.arn, str(item.name), time.time())


def routed_signal(account_id: str, output_arn: str | None, depth: int = 0) -> Signal | None:
    """What a router output carries to the flow source it feeds: its routed input's signal, while it
    is ROUTED and the output and the input are ACTIVE (User Guide, *MediaConnect router I/O states*:
    content passes in Active; AWS charges active I/Os only)."""
    if not output_arn or depth > 4:
        return None
    with LOCK:
        output = account(account_id).outputs.get(output_arn)
        if output is None or output.state != "ACTIVE" or output.routed_state != "ROUTED":
            return None
        item = account(account_id).inputs.get(output.routed_input_arn or "")
    return None if item is None else received(account_id, item, depth)


flow_signal.feed_from_router(routed_signal)


def _message(item: RouterInput) -> dict[str, str]:
    if item.state != "ACTIVE":
        return {"code": "INPUT_NOT_ACTIVE", "message": f"The router input is {item.state}, not ACTIVE."}
    return {"code": "NO_SOURCE_DATA", "message": "The router input is not receiving content."}


def source_metadata(account_id: str, item: RouterInput) -> dict[str, Any]:
    now = datetime.now(UTC)
    signal = received(account_id, item)
    details: dict[str, Any] = {"sourceMetadataMessages": [], "timestamp": now.isoformat()}
    if signal is None:
        details["sourceMetadataMessages"] = [_message(item)]
    else:
        details["routerInputMetadata"] = {"transportStreamMediaInfo": media_info(signal)}
    return {"arn": item.arn, "name": item.name, "sourceMetadataDetails": details}


def thumbnail(account_id: str, item: RouterInput) -> dict[str, Any]:
    signal = received(account_id, item)
    details: dict[str, Any] = {"thumbnailMessages": []}
    if signal is None:
        details["thumbnailMessages"] = [_message(item)]
    else:
        second = int(datetime.now(UTC).timestamp())
        at = datetime.fromtimestamp(second, UTC)
        details["thumbnail"] = base64.b64encode(_card(item.name, second, signal)).decode("ascii")
        details["timestamp"] = at.isoformat()
        details["timecode"] = at.strftime("%H:%M:%S:00")
    return {"arn": item.arn, "name": item.name, "thumbnailDetails": details}
