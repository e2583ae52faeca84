"""Flow maintenance: the window a flow declares, and the restart MediaConnect makes in it.

* *The window.* API Reference, *AddMaintenance* / *UpdateMaintenance*: ``maintenanceDay`` one of
  Monday..Sunday, ``maintenanceStartHour`` "UTC time ... 24-hour HH:MM format. Minutes must be 00".
  AWS documents no error for a bad value: refused (400), not stored. User Guide, *Setting flow
  maintenance windows* (https://docs.aws.amazon.com/mediaconnect/latest/ug/setting-flow-maintenance.html):
  "You cannot change the maintenance window for a flow within 4 hours of the scheduled maintenance
  start time, or while maintenance is in progress", and the window lasts two hours (*MediaConnect
  flow maintenance*, https://docs.aws.amazon.com/mediaconnect/latest/ug/maintenance.html). AWS
  schedules an event only when updates are due ("Required by"), which a client cannot know: the
  harsher reading treats every week's window (or its ``maintenanceScheduledDate``) as scheduled, so
  an UpdateFlow that changes the window from 4 hours before its start to its end is refused
  (BadRequestException). A flow without a window of its own (AWS picks one, unknown) is not locked.
  The calendar is :func:`..clock.wall` (a test may pin it).
* *The restart.* *MediaConnect flow maintenance*: "As part of the maintenance process, your flow
  must be restarted"; *How maintenance works*
  (https://docs.aws.amazon.com/mediaconnect/latest/ug/how-maintenance-works.html): "During
  maintenance, there is an interruption to all outputs on the flow". :func:`restart`
  (``Sandbox.maintenance(flow_arn)``, or POST ``/moto-api/streamfabric/maintenance``
  ``{"flowArn"}``) does to a running flow what the window does: DescribeFlow shows it STANDBY, then
  STARTING, then ACTIVE again (``maintenance_reads`` reads, at least ``maintenance_seconds``:
  :mod:`..strictness`); meanwhile its source receives nothing and the flows it feeds lose their
  signal (``SourceDisconnections`` counts it). StartFlow and DeleteFlow are refused during the
  restart (AWS documents nothing: the harsher reading); StopFlow ends it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from moto.mediaconnect.models import mediaconnect_backends

from .. import clock, resets, strictness
from ..moto_internals import flows_of
from . import history
from .exceptions import BadRequestException

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LOCK_BEFORE = timedelta(hours=4)
WINDOW = timedelta(hours=2)


def window(requested: dict[str, Any] | None) -> dict[str, Any]:
    """A flow's maintenance window, checked (see the module doc); {} for none."""
    if not requested:
        return {}
    day, hour = requested.get("maintenanceDay"), requested.get("maintenanceStartHour")
    if day not in DAYS:
        raise BadRequestException(f"maintenanceDay must be one of {', '.join(DAYS)}; got {day!r}.")
    text = str(hour or "")
    if not (
        len(text) == 5 and text[2] == ":" and text[:2].isdigit() and int(text[:2]) < 24 and text[3:] == "00"
    ):
        raise BadRequestException(f"maintenanceStartHour must be HH:00 (24-hour, UTC); got {hour!r}.")
    return dict(requested)


def starts_near(declared: dict[str, Any], now: datetime) -> list[datetime]:
    """The starts of the window just before and just after ``now`` (or of its scheduled date)."""
    hour = int(str(declared["maintenanceStartHour"])[:2])
    scheduled = declared.get("maintenanceScheduledDate")
    if scheduled:
        day = datetime.fromisoformat(str(scheduled)).replace(tzinfo=now.tzinfo)
        return [day.replace(hour=hour, minute=0, second=0, microsecond=0)]
    base = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    ahead = (DAYS.index(str(declared["maintenanceDay"])) - now.weekday()) % 7
    start = base + timedelta(days=ahead)
    return [start - timedelta(days=7), start, start + timedelta(days=7)]


def locked(declared: dict[str, Any], now: datetime) -> datetime | None:
    """The start of the window that locks ``declared`` at ``now`` (4 hours before it to its end)."""
    if not declared.get("maintenanceDay") or not declared.get("maintenanceStartHour"):
        return None
    for start in starts_near(declared, now):
        if start - LOCK_BEFORE <= now < start + WINDOW:
            return start
    return None


def check_change(flow: Any, changed: dict[str, Any]) -> None:
    """UpdateFlow's ``maintenance``: refused near the current window's start or during it."""
    current = dict(flow.maintenance or {})
    if changed == current:
        return
    if in_restart(flow.flow_arn):
        raise BadRequestException(f"Maintenance of flow {flow.name} is in progress; try again later.")
    start = locked(current, clock.wall())
    if start is not None:
        raise BadRequestException(
            f"The maintenance window of flow {flow.name} cannot be changed within 4 hours of its scheduled "
            f"start ({start.isoformat()}) or while maintenance is in progress."
        )


@dataclass(slots=True)
class _Restart:
    phases: list[str]
    until: float


_lock = threading.Lock()
_restarts: dict[str, _Restart] = {}


def restart(flow: Any) -> None:
    """The maintenance restart of a running flow (ValueError for a flow that is not ACTIVE)."""
    if flow.status != "ACTIVE":
        raise ValueError(f"flow {flow.name} is {flow.status}: maintenance restarts a running (ACTIVE) flow")
    settings = strictness.current()
    reads = max(1, settings.maintenance_reads)
    phases = ["STANDBY"] * ((reads + 1) // 2) + ["STARTING"] * (reads // 2)
    with _lock:
        _restarts[flow.flow_arn] = _Restart(phases, clock.monotonic() + settings.maintenance_seconds)
        flow.status = "STANDBY"
    history.record(flow.flow_arn, running=False)


def in_restart(flow_arn: str) -> bool:
    with _lock:
        return flow_arn in _restarts


def read(flow: Any) -> None:
    """One DescribeFlow/ListFlows read during a restart: the flow moves on to its next status."""
    with _lock:
        pending = _restarts.get(flow.flow_arn)
        if pending is None:
            return
        if pending.phases:
            flow.status = pending.phases.pop(0)
            return
        if clock.monotonic() < pending.until:
            flow.status = "STARTING"
            return
        del _restarts[flow.flow_arn]
        flow.status = "ACTIVE"
    history.record(flow.flow_arn, running=True)


def refuse_during_restart(flow: Any, operation: str) -> None:
    if in_restart(flow.flow_arn):
        raise BadRequestException(f"{operation}: maintenance of flow {flow.name} is in progress.")


def forget(flow_arn: str) -> None:
    """StopFlow ends a restart (the flow stops)."""
    with _lock:
        _restarts.pop(flow_arn, None)


@resets.register
def reset() -> None:
    with _lock:
        _restarts.clear()


def find_flow(flow_arn: str) -> Any:
    """The flow with this ARN in its account and Region (KeyError when there is none)."""
    parts = flow_arn.split(":")
    if len(parts) < 6:
        raise KeyError(flow_arn)
    backends = mediaconnect_backends[parts[4]]
    if parts[3] not in backends.keys():  # noqa: SIM118 (a lazy BackendDict)
        raise KeyError(flow_arn)
    return flows_of(backends[parts[3]])[flow_arn]


def control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``/moto-api/streamfabric/maintenance``: POST ``{"flowArn"}`` restarts that flow as its window would."""
    reply = {"Content-Type": "application/json"}
    if request.method != "POST":
        return 405, reply, json.dumps({"message": "POST"})
    try:
        arn = str(json.loads(request.get_data() or b"{}")["flowArn"])
        flow = find_flow(arn)
    except (ValueError, KeyError, TypeError) as exc:
        return 404, reply, json.dumps({"message": f"no flow: {exc}"})
    try:
        restart(flow)
    except ValueError as exc:
        return 409, reply, json.dumps({"message": str(exc)})
    return 200, reply, json.dumps({"flowArn": arn, "status": flow.status})
