"""What is on air and how each ingest is doing, read from AWS (:mod:`.observe`), as data and as a
table; with how old each piece of evidence is (:class:`Evidence`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..state.runtime import RuntimeState
from ..topology.model import HubRole
from .signal import Signal


@dataclass(frozen=True, slots=True)
class Evidence:
    """How old each piece of what status says of a flow is, in seconds at ``Status.observed_at``
    (None: never read). ``flow_status_s``: its status (ListFlows or DescribeFlow);
    ``flow_details_s``: its DescribeFlow (errors, outputs: the on-air path check);
    ``metrics_s``: its newest CloudWatch datapoint (CloudWatch delivers with a delay);
    ``metrics_read_s``: the GetMetricData that brought it; ``metadata_s``: its source metadata
    (encoding); ``thumbnail_s``: its latest thumbnail (when it was taken)."""

    flow_status_s: float | None = None
    flow_details_s: float | None = None
    metrics_s: float | None = None
    metrics_read_s: float | None = None
    metadata_s: float | None = None
    thumbnail_s: float | None = None


@dataclass(frozen=True, slots=True)
class HubStatus:
    role: HubRole
    flow_arn: str
    state: str  # MediaConnect flow status: ACTIVE, STANDBY, UPDATING, ...
    ingest: str | None  # the ingest on air, None when the source points at no known ingest
    address: str | None
    port: int | None
    errors: tuple[str, ...] = ()  # the hub flow's Messages.Errors
    signal: Signal | None = None  # what the hub flow receives (switching.signal)
    protection: dict[str, Any] | None = None  # the protection in force (state.protection), if any
    evidence: Evidence | None = None  # how old each piece of the above is


@dataclass(frozen=True, slots=True)
class IngestHealth:
    name: str
    region: str
    state: str
    healthy: bool  # flow ACTIVE, no error messages, every on-air path from it whole
    errors: tuple[str, ...]  # the flow's Messages.Errors (DescribeFlow)
    on_live: bool
    on_preview: bool
    path_errors: tuple[str, ...] = ()  # why an on-air path from it is broken (checks.path_problems)
    signal: Signal | None = None  # connected, bitrate, encoding, thumbnail age (switching.signal)
    evidence: Evidence | None = None  # how old each piece of the above is


@dataclass(frozen=True, slots=True)
class Status:
    topology: str
    live: HubStatus
    preview: HubStatus
    ingests: tuple[IngestHealth, ...]
    warnings: tuple[str, ...] = ()  # e.g. another flow with one of our names (checks.duplicate_names)
    observed_at: str | None = None  # ISO UTC time of the reads this snapshot comes from (every
    # caller within status_ttl gets this same snapshot: its age is now minus observed_at)

    def hub(self, role: HubRole) -> HubStatus:
        return self.live if role == "live" else self.preview

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_endpoint(flow: dict[str, Any]) -> tuple[str | None, int | None]:
    """The srt-caller address and port a hub flow's source points at."""
    source = flow.get("Source") or {}
    transport = source.get("Transport") or {}
    address = transport.get("SourceListenerAddress") or source.get("SourceListenerAddress")
    port = transport.get("SourceListenerPort") or source.get("SourceListenerPort")
    return address, int(port) if port is not None else None


def hub_status(
    role: HubRole, flow: dict[str, Any], state: RuntimeState, errors: tuple[str, ...] = ()
) -> HubStatus:
    """``flow``: DescribeFlow's ``Flow``; ``errors``: its ``Messages`` (:func:`.checks.flow_errors`)."""
    address, port = source_endpoint(flow)
    return HubStatus(
        role=role,
        flow_arn=str(flow.get("FlowArn", state.hub_flow(role).flow_arn)),
        state=str(flow.get("Status", "UNKNOWN")),
        ingest=state.ingest_at(address, port),
        address=address,
        port=port,
        errors=errors,
    )


def ingest_health(
    name: str,
    region: str,
    flow: dict[str, Any] | None,
    live: str | None,
    preview: str | None,
    errors: tuple[str, ...] = (),
    path_errors: tuple[str, ...] = (),
    signal: Signal | None = None,
) -> IngestHealth:
    """``flow``: DescribeFlow's ``Flow`` (None: not found); ``errors``: the response's ``Messages``."""
    if flow is None:
        return IngestHealth(
            name,
            region,
            "MISSING",
            False,
            ("flow not found", *errors),
            name == live,
            name == preview,
            signal=signal,
        )
    state = str(flow.get("Status", "UNKNOWN"))
    return IngestHealth(
        name=name,
        region=region,
        state=state,
        healthy=state == "ACTIVE" and not errors and not path_errors,
        errors=errors,
        on_live=name == live,
        on_preview=name == preview,
        path_errors=path_errors,
        signal=signal,
    )


def signal_text(signal: Signal | None) -> str:
    """``8.0 Mb/s 1920x1080 h264 50`` or ``NO SIGNAL (reason)``."""
    if signal is None:
        return "-"
    if not signal.has_signal:
        return f"NO SIGNAL ({signal.reason})"
    rate = f"{signal.bitrate_bps / 1e6:.1f} Mb/s" if signal.bitrate_bps is not None else "? Mb/s"
    return " ".join(str(p) for p in (rate, signal.resolution, signal.codec, signal.frame_rate) if p)


def _hub_line(label: str, hub: HubStatus) -> str:
    line = f"{label:<9}{hub.ingest or '(unknown source ' + str(hub.address) + ')':<24} flow {hub.state}"
    line += f" — {'; '.join(hub.errors)}" if hub.errors else ""
    if hub.protection:
        until = str(hub.protection.get("until", "")).replace("T", " ").replace("Z", " UTC")
        reason = hub.protection.get("reason") or "no reason given"
        line += f"  PROTECTED by {hub.protection.get('owner')} until {until} ({reason})"
    return line


def format_table(status: Status) -> str:
    lines = [_hub_line("LIVE", status.live), _hub_line("PREVIEW", status.preview), ""]
    rows = [("INGEST", "REGION", "STATE", "HEALTH", "SIGNAL", "ON AIR")]
    for ing in status.ingests:
        on_air = ", ".join(r for r, on in (("live", ing.on_live), ("preview", ing.on_preview)) if on)
        health = "ok" if ing.healthy else ("; ".join((*ing.path_errors, *ing.errors)) or "not active")
        rows.append((ing.name, ing.region, ing.state, health, signal_text(ing.signal), on_air or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    lines.extend(f"warning: {w}" for w in status.warnings)
    return "\n".join(lines)
