"""What a switch and a take answer (the CLI's --json, the API's bodies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..topology.model import HubRole


def _warned(body: dict[str, Any], warning: str | None) -> dict[str, Any]:
    return {**body, "warning": warning} if warning else body


@dataclass(frozen=True, slots=True)
class SwitchResult:
    target: HubRole
    previous: str | None
    ingest: str
    changed: bool
    request_id: str
    elapsed_ms: float
    # The cut reached air but its outcome is not in the audit log (switching.recording): say so,
    # never fail a request whose cut is on air.
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _warned(
            {
                "target": self.target,
                "previous": self.previous,
                "ingest": self.ingest,
                "changed": self.changed,
                "request_id": self.request_id,
                "elapsed_ms": round(self.elapsed_ms, 3),
            },
            self.warning,
        )


@dataclass(frozen=True, slots=True)
class TakeResult:
    live: str
    preview: str
    previous_live: str | None
    previous_preview: str | None
    changed: bool
    request_id: str
    elapsed_ms: float
    # The cut reached air but its outcome is not in the audit log (switching.recording): say so,
    # never fail a request whose cut is on air.
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _warned(
            {
                "live": self.live,
                "preview": self.preview,
                "previous_live": self.previous_live,
                "previous_preview": self.previous_preview,
                "changed": self.changed,
                "request_id": self.request_id,
                "elapsed_ms": round(self.elapsed_ms, 3),
            },
            self.warning,
        )


__all__ = ["SwitchResult", "TakeResult"]
