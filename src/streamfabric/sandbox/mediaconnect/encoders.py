"""The encoders outside AWS that send to flows' sources: nothing arrives unless one sends.

MediaConnect receives what a contribution encoder sends to a flow's listener source (SRT listener,
RTP, RTP-FEC, Zixi push, RIST: User Guide, *Sources*,
https://docs.aws.amazon.com/mediaconnect/latest/ug/source-create.html), or what a source in
caller / pull mode fetches from one. The emulator has no encoder of its own: a flow's source
receives nothing (not connected, no media, no thumbnail) until a test, the demo or
``streamfabric sandbox signal INGEST --on`` turns an encoder on for it.

An encoder is kept per flow ARN as a timeline of (wall time, what it sends), so that a metric of a
past moment reports what was sent then; or, before the flow exists, per Region and flow name (an
encoder "pointed at" the ingest a topology will deploy: ``sandbox serve --topology`` and the demo
start one per ingest that way). A flow's own timeline, once it has one, wins over the named one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

from .. import resets


@dataclass(frozen=True, slots=True)
class Signal:
    """What an encoder sends (``connected``: whether it sends at all)."""

    connected: bool = False
    width: int = 1920
    height: int = 1080
    codec: str = "h264"
    frame_rate: str = "50"
    bitrate: float = 8_000_000.0  # bits per second, as SourceBitRate reports it

    def to_wire(self) -> dict[str, Any]:
        data = asdict(self)
        return {
            "connected": data["connected"], "width": data["width"], "height": data["height"],
            "codec": data["codec"], "frameRate": data["frame_rate"], "bitrate": data["bitrate"],
        }  # fmt: skip


SILENT = Signal()  # no encoder: nothing is sent
_lock = threading.Lock()
_timelines: dict[str, list[tuple[float, Signal]]] = {}  # flow ARN -> [(since, signal)], oldest first
_named: dict[tuple[str, str, str], tuple[float, Signal]] = {}  # (account, region, flow name) -> since


def set_signal(
    flow_arn: str, now: float | None = None, *, named_as: tuple[str, str, str] | None = None, **changes: Any
) -> Signal:
    """Change what the encoder of ``flow_arn`` sends from ``now`` on (``connected=True``: it sends);
    returns it. Settings left out keep their value. ``named_as`` (account, Region, flow name): the
    flow's named encoder, whose past the flow's own timeline starts with."""
    at = time.time() if now is None else now
    with _lock:
        timeline = _timelines.setdefault(flow_arn, [])
        if not timeline and named_as in _named:
            timeline.append(_named[named_as])
        current = timeline[-1][1] if timeline else SILENT
        updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
        timeline.append((at, updated))
        del timeline[:-100]  # enough history for any metrics window the emulator serves
        return updated


def set_named(account_id: str, region: str, flow_name: str, **changes: Any) -> Signal:
    """An encoder that sends to the flow named ``flow_name`` in ``region``, whenever it exists."""
    with _lock:
        since, current = _named.get((account_id, region, flow_name), (time.time(), SILENT))
        updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
        _named[(account_id, region, flow_name)] = (since if current.connected else time.time(), updated)
        return updated


def sending(account_id: str, region: str, flow_arn: str, flow_name: str, at: float) -> Signal | None:
    """What arrives at the flow's source from its encoder at wall time ``at``; None: nothing."""
    with _lock:
        timeline = _timelines.get(flow_arn)
        if timeline:
            signal: Signal = SILENT
            for since, value in timeline:
                if since > at:
                    break
                signal = value
        else:
            since_named, signal = _named.get((account_id, region, flow_name), (0.0, SILENT))
            if since_named > at:
                signal = SILENT
    return signal if signal.connected else None


def changes(flow_arn: str, start: float, end: float) -> list[float]:
    """The times in (start, end] at which the encoder of ``flow_arn`` changed what it sends."""
    with _lock:
        return [since for since, _ in _timelines.get(flow_arn, ()) if start < since <= end]


def settings() -> dict[str, dict[str, Any]]:
    """Every flow's encoder as it sends now (by flow ARN), and the named ones (``region/name``)."""
    with _lock:
        found = {arn: timeline[-1][1].to_wire() for arn, timeline in _timelines.items() if timeline}
        for (_, region, name), (_, signal) in _named.items():
            found[f"{region}/{name}"] = signal.to_wire()
        return found


@resets.register
def reset() -> None:
    with _lock:
        _timelines.clear()
        _named.clear()
