"""What arrives at each emulated flow's source, now or at a past moment: signal from somewhere real.

The emulated ``DescribeFlowSourceMetadata``, ``DescribeFlowSourceThumbnail`` (:mod:`.monitor`) and
the ``AWS/MediaConnect`` metrics (:mod:`.metrics`) report what this module says arrives:

* a flow receives nothing while it does not run ("Source health ... The flow is inactive",
  MediaConnect User Guide, *Monitoring a source's health*,
  https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-source-health.html); at a past moment,
  what :mod:`.history` recorded decides;
* a source an encoder sends to (a listener: SRT listener, RTP, RTP-FEC, Zixi push, RIST; or a
  caller / pull source whose address is no emulated flow's) receives what that encoder sends
  (:mod:`.encoders`): nothing until one is turned on. The hub flows' temporary ``standby``
  listener, which nobody sends to, receives nothing;
* an SRT-caller source whose address and port are a listener output of another emulated flow
  receives what that flow receives, and only if the call can be made: the output is ``srt-listener``;
  a source on a VPC interface reaches only an output attached to a VPC interface (its private IP),
  and across VPCs only along an active peering with routes both ways (:func:`.network.reachable`); a
  public source reaches only a public output (the flow's egress IP); the caller's address is in the
  output's ``CidrAllowList`` (API Reference, *AddOutputRequest*: "The range of IP addresses that
  should be allowed to initiate output requests to this flow"; none listed: nobody is); and the
  flow with the output runs (ACTIVE). What AWS does not document, the emulator does not grant:
  entitlement sources receive nothing (their origin is another account), security groups and a
  second caller on one SRT listener output are not modelled, nor an SRT passphrase mismatch.

A caller source follows the output it points at *now* (the emulator keeps no history of
UpdateFlowSource), a simplification said here. :func:`feed` resolves that path once per read;
:func:`arrives` evaluates it at any moment.

The control endpoint ``/moto-api/streamfabric/signal`` (GET: every encoder; POST ``{"flowArn",
"connected", "width", "height", "codec", "frameRate"}``: turn a flow's encoder on (``connected``
true) or off, or change what it sends) is the emulator's own API, not AWS's
(``streamfabric sandbox signal INGEST --on|--off``).
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.mediaconnect.models import Flow, mediaconnect_backends

from ..moto_internals import flows_of
from . import encoders, history, network, states
from .encoders import Signal

CALLER_PROTOCOLS = ("srt-caller",)
SRT_AND_ZIXI = ("srt-listener", "srt-caller", "zixi-push", "zixi-pull")


@dataclass(frozen=True, slots=True)
class Feed:
    """Where a flow's source gets its content: its encoder, or (``upstream``) another flow."""

    flow: Any
    account_id: str
    upstream: Feed | None = None


def _backends(account_id: str) -> Any:
    return mediaconnect_backends[account_id]


def find_flow(account_id: str, arn: str) -> Flow | None:
    region = arn.split(":")[3] if arn.count(":") >= 5 else ""
    backends = _backends(account_id)
    if region not in backends.keys():  # noqa: SIM118 (a lazy BackendDict)
        return None
    flow: Flow | None = flows_of(backends[region]).get(arn)
    return flow


def listener_output(account_id: str, address: str | None, port: Any) -> tuple[Flow, dict[str, Any]] | None:
    """The flow and its listener output at ``address``:``port`` (what an SRT caller dials)."""
    if not address:
        return None
    backends = _backends(account_id)
    for region in list(backends.keys()):
        for flow in list(flows_of(backends[region]).values()):
            for output in flow.outputs:
                if output.get("listenerAddress") == address and str(output.get("port")) == str(port):
                    return flow, output
    return None


def region_of(flow: Any) -> str:
    """A flow's Region (moto's Flow keeps it only in its ARN)."""
    return str(flow.flow_arn).split(":")[3]


def _interface(flow: Any, name: str | None) -> dict[str, Any] | None:
    return next((vpc for vpc in flow.vpc_interfaces if name and vpc.get("name") == name), None)


def _allowed(output: dict[str, Any], address: str | None) -> bool:
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    for cidr in output.get("cidrAllowList") or ():
        try:
            if ip in ipaddress.ip_network(str(cidr), strict=False):
                return True
        except ValueError:
            continue
    return False


def _can_call(
    account_id: str, flow: Any, source: dict[str, Any], upstream: Any, output: dict[str, Any]
) -> bool:
    """Whether ``flow``'s caller ``source`` can connect to ``upstream``'s listener ``output``."""
    if output.get("protocol") != "srt-listener" or not _allowed(output, source.get("ingestIp")):
        return False
    own = _interface(flow, source.get("vpcInterfaceName"))
    attached = _interface(upstream, (output.get("vpcInterfaceAttachment") or {}).get("vpcInterfaceName"))
    if own is None or attached is None:
        return own is None and attached is None  # public to public; VPC and public never meet
    return network.reachable(
        account_id,
        (region_of(flow), str(own.get("subnetId")), str(source.get("ingestIp"))),
        (region_of(upstream), str(attached.get("subnetId")), str(output.get("listenerAddress"))),
    )


def feed(account_id: str, flow: Any, depth: int = 0) -> Feed | None:
    """The path content takes to ``flow``'s (first) source; None: nothing can arrive there."""
    if not flow.sources or depth > 4:
        return None
    source = flow.sources[0]
    if source.get("entitlementArn"):
        return None  # an entitlement's origin is in another account: not modelled
    if source.get("protocol") in CALLER_PROTOCOLS:
        address, port = source.get("sourceListenerAddress"), source.get("sourceListenerPort")
        found = listener_output(account_id, address, port)
        if found is not None:
            upstream, output = found
            if upstream is flow or not _can_call(account_id, flow, source, upstream, output):
                return None
            above = feed(account_id, upstream, depth + 1)
            return None if above is None else Feed(flow, account_id, above)
    return Feed(flow, account_id)


def _running(flow: Any, at: float | None) -> bool:
    if at is None:
        states.settle(flow)  # STARTING becomes ACTIVE whether or not anyone describes it
        return flow.status in ("ACTIVE", "UPDATING")  # UPDATING runs, its source being changed
    return history.running_at(flow.flow_arn, at)


def arrives(path: Feed | None, at: float | None = None) -> Signal | None:
    """What arrives along ``path`` at wall time ``at`` (None: now, from the flows' statuses)."""
    if path is None or not _running(path.flow, at):
        return None
    if path.upstream is not None:
        return arrives(path.upstream, at)
    flow = path.flow
    return encoders.sending(path.account_id, region_of(flow), flow.flow_arn, str(flow.name),
                            time.time() if at is None else at)  # fmt: skip


def changes(path: Feed | None, start: float, end: float) -> list[float]:
    """The moments in (start, end] at which what arrives along ``path`` may change."""
    if path is None:
        return []
    found = history.changes(path.flow.flow_arn, start, end)
    found += (
        changes(path.upstream, start, end)
        if path.upstream
        else encoders.changes(path.flow.flow_arn, start, end)
    )
    return sorted(set(found))


RouterFeed = Callable[[str, "str | None", int], "Signal | None"]
_ROUTER_FEED: list[RouterFeed] = []  # set by router/monitor.py (it imports this module, not the reverse)


def feed_from_router(found: RouterFeed) -> None:
    """What a router-integrated flow source receives: ``found(account_id, router_output_arn, depth)``."""
    _ROUTER_FEED[:] = [found]


def received(account_id: str, flow: Any, at: float | None = None) -> Signal | None:
    """What ``flow``'s (first) source receives at ``at`` (default now); None: nothing at all. A
    source fed by a router output receives what its routed input receives now (no history is kept
    of router takes: at a past moment it received nothing, the harsher reading)."""
    source = flow.sources[0] if flow.sources else {}
    if source.get("routerIntegrationState") == "ENABLED":
        if at is not None or not _ROUTER_FEED or not _running(flow, None):
            return None
        return _ROUTER_FEED[0](account_id, source.get("connectedRouterOutputArn"), 1)
    return arrives(feed(account_id, flow), at)


def origin(account_id: str, flow: Any) -> Any:
    """The flow whose encoder the content comes from (the card shows its name)."""
    path = feed(account_id, flow)
    while path is not None and path.upstream is not None:
        path = path.upstream
    return flow if path is None else path.flow


def posts_source_connected(flow: Any) -> bool:
    """``SourceConnected`` "is available only for Zixi and SRT sources" (User Guide, *Metrics to
    monitor source health*)."""
    return bool(flow.sources) and flow.sources[0].get("protocol") in SRT_AND_ZIXI


def set_signal(flow_arn: str, now: float | None = None, **changes: Any) -> Signal:
    """Turn the encoder of ``flow_arn`` on (``connected=True``) or off, or change what it sends."""
    flow = None
    parts = flow_arn.split(":")
    if len(parts) >= 6:
        flow = find_flow(parts[4], flow_arn)
    named = None if flow is None else (parts[4], region_of(flow), str(flow.name))
    return encoders.set_signal(flow_arn, now, named_as=named, **changes)


def control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``/moto-api/streamfabric/signal``: GET every encoder, POST one flow's change."""
    reply = {"Content-Type": "application/json"}
    if request.method == "GET":
        return 200, reply, json.dumps({"signals": encoders.settings()})
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
    router_input = ":routerInput:" in arn  # a router input's encoder (router/monitor.py reads it)
    if not account or (find_flow(account, arn) is None and not router_input):
        return 404, reply, json.dumps({"message": f"no flow {arn}"})
    return 200, reply, json.dumps({"flowArn": arn, "signal": set_signal(arn, **changes).to_wire()})
