"""Emulated ``DescribeFlowSourceMetadata`` and ``DescribeFlowSourceThumbnail``.

Both report what the flow's source receives (:mod:`.signal`), in the shapes of botocore's
service model (``DescribeFlowSourceMetadataResponse``: ``flowArn``, ``messages``, ``timestamp``,
``transportMediaInfo.programs[].streams[]``; ``DescribeFlowSourceThumbnailResponse``:
``thumbnailDetails`` with ``flowArn``, ``thumbnail`` (base64 JPEG), ``thumbnailMessages``,
``timecode``, ``timestamp``).

* MediaConnect API Reference, *DescribeFlowSourceMetadata*
  (https://docs.aws.amazon.com/mediaconnect/latest/api/v1-flows-flowarn-source-metadata.html) and
  User Guide, *Monitoring source metadata*
  (https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-source-stream-monitoring.html):
  the programs of the transport stream and their video/audio streams; status messages when
  MediaConnect "cannot retrieve the source stream metadata". The message codes below are the
  emulator's own: AWS documents none.
* MediaConnect API Reference, *DescribeFlowSourceThumbnail* and *ThumbnailDetails*
  (https://docs.aws.amazon.com/mediaconnect/latest/api/API_DescribeFlowSourceThumbnail.html):
  "Thumbnail Base64 string", the timecode and the time it was generated. A thumbnail exists only
  when the flow's ``sourceMonitoringConfig.thumbnailState`` is ``ENABLED``
  (API Reference, *MonitoringConfig*) and the flow has at most 10 outputs (User Guide, *Quotas*,
  "Feature-specific output limitations": :mod:`.quotas`); otherwise, and while nothing is received,
  AWS documents no error, so the emulator answers 200 with ``thumbnailMessages`` and no
  ``thumbnail`` (the conservative choice: a client must handle a missing image either way).
  User Guide, *Viewing thumbnails of the source video*
  (https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-thumbnails.html): "a JPEG
  thumbnail with a 480 x 270 resolution", "The fastest possible rate is one image every second": the
  emulator draws one per second, 480 x 270.
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from moto.mediaconnect import urls as mediaconnect_urls
from moto.mediaconnect.responses import MediaConnectResponse

from . import models as model
from . import quotas
from .encoders import Signal
from .signal import origin, received

Reply = tuple[str, dict[str, Any]]

_cards: dict[tuple[str, int, Signal], bytes] = {}
_cards_lock = threading.Lock()


def _reply(payload: dict[str, Any]) -> Reply:
    return json.dumps(payload), {"status": 200, "Content-Type": "application/json"}


def _flow(self: MediaConnectResponse) -> Any:
    assert self.uri_match is not None
    arn = unquote(self.uri_match.group("FlowArn"))
    return model.get_flow(model.backend_for(self.current_account, self.region), arn)


def _now() -> datetime:
    return datetime.now(UTC)


def _no_signal_message(flow: Any) -> dict[str, str]:
    if flow.status != "ACTIVE":
        return {"code": "FLOW_NOT_ACTIVE", "message": f"The flow is {flow.status}, not ACTIVE."}
    return {"code": "NO_SOURCE_DATA", "message": "The source is not receiving content."}


def media_info(signal: Signal) -> dict[str, Any]:
    """One program: an MPEG-TS with a video stream and a stereo audio stream."""
    return {
        "programs": [
            {
                "pcrPid": 256, "programName": "program-1", "programNumber": 1, "programPid": 4096,
                "streams": [
                    {"pid": 256, "streamType": "video", "codec": signal.codec, "frameRate": signal.frame_rate,
                     "frameResolution": {"frameWidth": signal.width, "frameHeight": signal.height}},
                    {"pid": 257, "streamType": "audio", "codec": "aac", "channels": 2,
                     "sampleRate": 48000, "sampleSize": 16},
                ],
            }
        ]
    }  # fmt: skip


def describe_flow_source_metadata(self: MediaConnectResponse) -> Reply:
    flow = _flow(self)
    now = _now()
    signal = received(self.current_account, flow)
    payload: dict[str, Any] = {"flowArn": flow.flow_arn, "timestamp": now.isoformat(), "messages": []}
    if signal is None:
        payload["messages"] = [{**_no_signal_message(flow), "resourceName": flow.name}]
    else:
        payload["transportMediaInfo"] = media_info(signal)
    return _reply(payload)


def _thumbnails_enabled(flow: Any) -> bool:
    config = getattr(flow, "source_monitoring_config", None) or {}
    return bool(config.get("thumbnailState") == "ENABLED")


def _card(name: str, second: int, signal: Signal) -> bytes:
    key = (name, second, signal)
    with _cards_lock:
        cached = _cards.get(key)
    if cached is None:
        from .testcard import test_card

        stamp = datetime.fromtimestamp(second, UTC).strftime("%H:%M:%S UTC")
        cached = test_card(
            name, stamp, signal.width, signal.height, f"{signal.codec} {signal.frame_rate} fps"
        )
        with _cards_lock:
            if len(_cards) > 256:
                _cards.clear()
            _cards[key] = cached
    return cached


def describe_flow_source_thumbnail(self: MediaConnectResponse) -> Reply:
    flow = _flow(self)
    now = _now()
    details: dict[str, Any] = {"flowArn": flow.flow_arn, "thumbnailMessages": []}
    if not _thumbnails_enabled(flow):
        details["thumbnailMessages"] = [
            {"code": "THUMBNAIL_DISABLED", "message": "Thumbnails are not enabled for this flow's source.",
             "resourceName": flow.name}
        ]  # fmt: skip
        return _reply({"thumbnailDetails": details})
    if not quotas.monitored(flow):
        details["thumbnailMessages"] = [
            {"code": "THUMBNAIL_DISABLED", "resourceName": flow.name,
             "message": f"Thumbnails are off: the flow has over {quotas.MONITORED_OUTPUTS} outputs."}
        ]  # fmt: skip
        return _reply({"thumbnailDetails": details})
    signal = received(self.current_account, flow)
    if signal is None:
        details["thumbnailMessages"] = [{**_no_signal_message(flow), "resourceName": flow.name}]
        return _reply({"thumbnailDetails": details})
    second = int(now.timestamp())
    image = _card(str(origin(self.current_account, flow).name), second, signal)
    details["thumbnail"] = base64.b64encode(image).decode("ascii")
    details["timestamp"] = datetime.fromtimestamp(second, UTC).isoformat()
    details["timecode"] = datetime.fromtimestamp(second, UTC).strftime("%H:%M:%S:00")
    return _reply({"thumbnailDetails": details})


# moto's MediaConnect URL patterns for the two operations, routed to its dispatcher (:mod:`..patching`)
URL_PATHS: dict[str, Any] = {
    f"{{0}}/v1/flows/(?P<flowarn>[^/]+)/{tail}$": mediaconnect_urls.response.dispatch
    for tail in ("source-metadata", "source-thumbnail")
}
