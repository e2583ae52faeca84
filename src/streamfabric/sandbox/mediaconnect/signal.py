"""What arrives at each emulated flow's source: signal on/off, codec, resolution, frame rate.

There is no encoder in the emulator, so this module decides what a flow's source *receives*, and
the emulated ``DescribeFlowSourceMetadata``, ``DescribeFlowSourceThumbnail`` (:mod:`.monitor`)
and the ``AWS/MediaConnect`` CloudWatch metrics (:mod:`.metrics`) report it:

* a flow whose source *listens* (``srt-listener``, ``zixi-push``, ``rist``, ``rtp``, ...: an encoder
  calls in) receives the signal set for that flow with :func:`set_signal` — by default one is
  presumed connected and sending 1920x1080 H.264 at 50 fps with stereo AAC (AWS documents nothing
  for "no encoder"; the default keeps an emulated deploy usable, and ``signal --off`` models the dead
  feed);
* a flow whose source *calls* (``srt-caller``) receives what the flow it reaches sends: the flow in
  the same account with a listener output at ``sourceListenerAddress``:``sourceListenerPort`` (a
  VPC-interface address, across regions as VPC peering allows), if that flow is ACTIVE;
* a flow whose source has router integration enabled receives what the router output connected to
  it carries: the routed input's signal, while the output is ROUTED and both are ACTIVE
  (:func:`.router.monitor.routed_signal`);
* a flow that is not ACTIVE (or UPDATING: running, its source being changed) receives nothing
  ("Source health ... The flow is inactive", MediaConnect
  User Guide, *Monitoring a source's health*:
  https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-source-health.html).

Changes are kept as a timeline (time, settings), so that metrics for a past datapoint report what was
set then. A caller source follows whatever it points at *now* (the emulator keeps no history of
``UpdateFlowSource``): a simplification, said here.

The control endpoint ``/moto-api/streamfabric/signal`` (GET: every flow's settings; POST
``{"flowArn", "connected", "width", "height", "codec", "frameRate"}``: change one flow's) lets a
client outside this process (``streamfabric sandbox signal``) rehearse a dead or mismatched feed.
It is the emulator's own API, not AWS's.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from moto.mediaconnect.models import Flow, mediaconnect_backends

from ..moto_internals import flows_of
from . import asynchronous

_CALLER_PROTOCOLS = ("srt-caller",)


@dataclass(frozen=True, slots=True)
class Signal:
    """What an encoder sends to a listener source."""

    connected: bool = True
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


DEFAULT = Signal()
_lock = threading.Lock()
_timelines: dict[str, list[tuple[float, Signal]]] = {}  # flow ARN -> [(since, signal)], oldest first


def set_signal(flow_arn: str, now: float | None = None, **changes: Any) -> Signal:
    """Change what the listener source of ``flow_arn`` receives from ``now`` on; returns it."""
    at = time.time() if now is None else now
    with _lock:
        timeline = _timelines.setdefault(flow_arn, [])
        current = timeline[-1][1] if timeline else DEFAULT
        updated = replace(current, **{k: v for k, v in changes.items() if v is not None})
        timeline.append((at, updated))
        del timeline[:-100]  # enough history for any metrics window the emulator serves
        return updated


def set_by_default(flow_arn: str, at: float) -> Signal:
    """What was set for ``flow_arn`` (its own listener source) at time ``at``."""
    with _lock:
        signal = DEFAULT
        for since, value in _timelines.get(flow_arn, ()):
            if since > at:
                break
            signal = value
        return signal


def settings() -> dict[str, dict[str, Any]]:
    with _lock:
        return {arn: timeline[-1][1].to_wire() for arn, timeline in _timelines.items() if timeline}


def _flow(account_id: str, arn: str) -> Flow | None:
    region = arn.split(":")[3] if arn.count(":") >= 5 else ""
    backends = mediaconnect_backends[account_id]
    if region not in backends.keys():  # noqa: SIM118 (a lazy BackendDict)
        return None
    flow: Flow | None = flows_of(backends[region]).get(arn)
    return flow


def listener_flow(account_id: str, address: str | None, port: Any) -> Flow | None:
    """The flow with a listener output at ``address``:``port`` (what an srt-caller source reaches)."""
    if not address:
        return None
    backends = mediaconnect_backends[account_id]
    for region in list(backends.keys()):
        for flow in list(flows_of(backends[region]).values()):
            for output in flow.outputs:
                if output.get("listenerAddress") == address and str(output.get("port")) == str(port):
                    return flow
    return None


RouterFeed = Callable[[str, "str | None", int], "Signal | None"]
_ROUTER_FEED: list[RouterFeed] = []  # set by router/monitor.py (it imports this module, not the reverse)


def feed_from_router(feed: RouterFeed) -> None:
    """What a router-integrated flow source receives: ``feed(account_id, router_output_arn, depth)``."""
    _ROUTER_FEED[:] = [feed]


def received(account_id: str, flow: Flow, at: float | None = None, depth: int = 0) -> Signal | None:
    """What ``flow``'s (first) source receives at ``at`` (default now); None: no signal at all."""
    when = time.time() if at is None else at
    if not asynchronous.in_update(flow.flow_arn):  # UPDATING lasts its window (.asynchronous)
        flow.resolve_transient_states()  # STARTING becomes ACTIVE whether or not anyone describes it
    if flow.status not in ("ACTIVE", "UPDATING") or not flow.sources or depth > 4:  # UPDATING runs
        return None
    source = flow.sources[0]
    if source.get("routerIntegrationState") == "ENABLED":  # fed by a router output (router/monitor.py)
        feed = _ROUTER_FEED[0] if _ROUTER_FEED else None
        return None if feed is None else feed(account_id, source.get("connectedRouterOutputArn"), depth + 1)
    if source.get("protocol") in _CALLER_PROTOCOLS:
        upstream = listener_flow(
            account_id, source.get("sourceListenerAddress"), source.get("sourceListenerPort")
        )
        return None if upstream is None else received(account_id, upstream, when, depth + 1)
    if source.get("entitlementArn"):
        return None  # an entitlement's origin is in another account: not modelled
    signal = set_by_default(flow.flow_arn, when)
    return signal if signal.connected else None


def control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``/moto-api/streamfabric/signal``: GET every flow's settings, POST one flow's change."""
    reply = {"Content-Type": "application/json"}
    if request.method == "GET":
        return 200, reply, json.dumps({"signals": settings()})
    if request.method != "POST":
        return 405, reply, json.dumps({"message": "GET or POST"})
    try:
        body = json.loads(request.get_data() or b"{}")  # sent as application/json
        arn = str(body["flowArn"])
        changes = {
            "connected": body.get("connected"),
            "width": None if body.get("width") is None else int(body["width"]),
            "height": None if body.get("height") is None else int(body["height"]),
            "codec": body.get("codec"),
            "frame_rate": None if body.get("frameRate") is None else str(body["frameRate"]),
        }
    except (ValueError, KeyError, TypeError) as exc:
        return 400, reply, json.dumps({"message": f"bad signal request: {exc}"})
    account = arn.split(":")[4] if arn.count(":") >= 5 else ""
    if not account or _flow(account, arn) is None:
        return 404, reply, json.dumps({"message": f"no flow {arn}"})
    return 200, reply, json.dumps({"flowArn": arn, "signal": set_signal(arn, **changes).to_wire()})
