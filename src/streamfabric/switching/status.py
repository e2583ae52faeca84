"""What is on air and how each ingest is doing, read from AWS (describe_flow), as data and as a table."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..runtime_state import RuntimeState
from ..topology.model import HubRole


@dataclass(frozen=True, slots=True)
class HubStatus:
    role: HubRole
    flow_arn: str
    state: str  # MediaConnect flow status: ACTIVE, STANDBY, UPDATING, ...
    ingest: str | None  # the ingest on air, None when the source points at no known ingest
    address: str | None
    port: int | None


@dataclass(frozen=True, slots=True)
class IngestHealth:
    name: str
    region: str
    state: str
    healthy: bool  # flow ACTIVE and no error messages
    errors: tuple[str, ...]
    on_live: bool
    on_preview: bool


@dataclass(frozen=True, slots=True)
class Status:
    topology: str
    live: HubStatus
    preview: HubStatus
    ingests: tuple[IngestHealth, ...]

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


def hub_status(role: HubRole, flow: dict[str, Any], state: RuntimeState) -> HubStatus:
    address, port = source_endpoint(flow)
    return HubStatus(
        role=role,
        flow_arn=str(flow.get("FlowArn", state.hub_flow(role).flow_arn)),
        state=str(flow.get("Status", "UNKNOWN")),
        ingest=state.ingest_at(address, port),
        address=address,
        port=port,
    )


def ingest_health(
    name: str, region: str, flow: dict[str, Any] | None, live: str | None, preview: str | None
) -> IngestHealth:
    if flow is None:
        return IngestHealth(
            name, region, "MISSING", False, ("flow not found",), name == live, name == preview
        )
    errors = tuple(str(e) for e in (flow.get("Messages") or {}).get("Errors", ()) or ())
    state = str(flow.get("Status", "UNKNOWN"))
    return IngestHealth(
        name=name,
        region=region,
        state=state,
        healthy=state == "ACTIVE" and not errors,
        errors=errors,
        on_live=name == live,
        on_preview=name == preview,
    )


def format_table(status: Status) -> str:
    lines = [
        f"LIVE     {status.live.ingest or '(unknown source ' + str(status.live.address) + ')':<24} "
        f"flow {status.live.state}",
        f"PREVIEW  {status.preview.ingest or '(unknown source ' + str(status.preview.address) + ')':<24} "
        f"flow {status.preview.state}",
        "",
    ]
    rows = [("INGEST", "REGION", "STATE", "HEALTH", "ON AIR")]
    for ing in status.ingests:
        on_air = ", ".join(r for r, on in (("live", ing.on_live), ("preview", ing.on_preview)) if on)
        health = "ok" if ing.healthy else ("; ".join(ing.errors) or "not active")
        rows.append((ing.name, ing.region, ing.state, health, on_air or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    return "\n".join(lines)
