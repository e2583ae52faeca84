"""How strict the emulator is: as strict as AWS's documentation by default, kinder only on request.

Every behaviour the emulator models follows an AWS page (docs/emulator-fidelity.md lists them); where AWS
documents nothing, the emulator takes the harsher reading. A few of them make a test slow or need
a client the product does not have yet; a test that needs the kind behaviour asks for it by name
(:data:`LENIENCIES`), says why in a comment, and gets it until the next ``POST /moto-api/reset``
(which restores :func:`base`, the strict defaults unless a :class:`~.server.Sandbox` was started
with ``lenient=``). Nothing else asks.

The settings are process-wide, like moto's backends: the server runs in this process. They are
changed by :func:`configure` (``Sandbox.set_throttle``, ``set_metric_delay``, ``set_deleting``,
``set_maintenance_restart``, ``lenient``) or over HTTP with ``/moto-api/streamfabric/strictness``
(GET: the settings; POST: ``{"lenient": [...], "throttle": {"rateScale", "enabled"},
"metricDelay": s, "deleting": {"reads", "seconds"}, "maintenance": {"reads", "seconds"},
"clock": {"freeze": true, "advance": s, "wall": ISO or null}}``). The emulator's own API, not AWS's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from . import clock, resets

LENIENCIES: dict[str, str] = {
    "throttling": "MediaConnect answers every request (no TooManyRequestsException, HTTP 429)",
    "metric_delay": "AWS/MediaConnect datapoints are readable at once (no CloudWatch delivery delay)",
    "deleting": "DeleteFlow removes the flow at once (no DELETING reads)",
}


@dataclass(frozen=True, slots=True)
class Strictness:
    """The emulator's settings (the defaults: as strict as AWS documents, harsher where it does not)."""

    lenient: frozenset[str] = field(default_factory=frozenset)
    throttle_rate_scale: float = 1.0  # how much faster than real time the token buckets refill
    metric_delay: float = 60.0  # seconds before an AWS/MediaConnect datapoint is readable
    deleting_reads: int = 2  # DescribeFlow/ListFlows reads that show a deleted flow DELETING
    deleting_seconds: float = 0.0  # ... and for at least this long
    maintenance_reads: int = 2  # reads a maintenance restart lasts (STANDBY, then STARTING)
    maintenance_seconds: float = 0.0  # ... and for at least this long

    def __post_init__(self) -> None:
        unknown = sorted(set(self.lenient) - set(LENIENCIES))
        if unknown:
            raise ValueError(f"no leniency {unknown}: the emulator knows {sorted(LENIENCIES)}")
        if self.throttle_rate_scale <= 0 or self.metric_delay < 0:
            raise ValueError("throttle_rate_scale must be > 0 and metric_delay >= 0")
        if min(self.deleting_reads, self.maintenance_reads) < 0:
            raise ValueError("reads must be >= 0")
        if min(self.deleting_seconds, self.maintenance_seconds) < 0:
            raise ValueError("seconds must be >= 0")

    def to_wire(self) -> dict[str, Any]:
        data = asdict(self)
        data["lenient"] = sorted(self.lenient)
        return data


_lock = threading.Lock()
_base = Strictness()
_now = Strictness()


def current() -> Strictness:
    with _lock:
        return _now


def strict(behaviour: str) -> bool:
    """Whether ``behaviour`` (a name of :data:`LENIENCIES`) is as strict as AWS now."""
    if behaviour not in LENIENCIES:
        raise KeyError(behaviour)
    return behaviour not in current().lenient


def configure(**changes: Any) -> Strictness:
    """Change some settings (fields of :class:`Strictness`; ``lenient`` any iterable of names)."""
    global _now
    if "lenient" in changes:
        changes["lenient"] = frozenset(changes["lenient"])
    with _lock:
        _now = replace(_now, **changes)
        return _now


def lenient(names: Iterable[str]) -> Strictness:
    """Kind where named, strict everywhere else."""
    return configure(lenient=frozenset(names))


def set_base(settings: Strictness) -> None:
    """What a reset restores (a Sandbox started with ``lenient=`` sets it; its stop restores AWS's)."""
    global _base, _now
    with _lock:
        _base = _now = settings


def base() -> Strictness:
    with _lock:
        return _base


@resets.register
def reset() -> None:
    global _now
    with _lock:
        _now = _base
    clock.reset()


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "lenient" in body:
        changes["lenient"] = frozenset(str(name) for name in body["lenient"] or ())
    throttle = body.get("throttle") or {}
    if "rateScale" in throttle:
        changes["throttle_rate_scale"] = float(throttle["rateScale"])
    if "enabled" in throttle:
        names = set(changes.get("lenient", current().lenient))
        (names.discard if throttle["enabled"] else names.add)("throttling")
        changes["lenient"] = frozenset(names)
    if "metricDelay" in body:
        changes["metric_delay"] = float(body["metricDelay"])
    for key in ("deleting", "maintenance"):
        part = body.get(key) or {}
        if "reads" in part:
            changes[f"{key}_reads"] = int(part["reads"])
        if "seconds" in part:
            changes[f"{key}_seconds"] = float(part["seconds"])
    return changes


def _clock(body: dict[str, Any]) -> None:
    moves = body.get("clock") or {}
    if moves.get("freeze"):
        clock.freeze()
    if moves.get("advance"):
        clock.advance(float(moves["advance"]))
    if "wall" in moves:
        clock.pin_wall(None if moves["wall"] is None else datetime.fromisoformat(str(moves["wall"])))


def control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``/moto-api/streamfabric/strictness``: GET the settings, POST changes (see the module doc)."""
    reply = {"Content-Type": "application/json"}
    if request.method == "POST":
        try:
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body, dict):
                raise TypeError("expected a JSON object")
            configure(**_changes(body))
            _clock(body)
        except (ValueError, TypeError, KeyError) as exc:
            return 400, reply, json.dumps({"message": f"bad strictness request: {exc}"})
    elif request.method != "GET":
        return 405, reply, json.dumps({"message": "GET or POST"})
    return 200, reply, json.dumps({"strictness": current().to_wire(), "clock": clock.describe()})
