"""What a switch and a take answer (the CLI's --json, the API's bodies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..topology.model import HubRole


@dataclass(frozen=True, slots=True)
class SwitchResult:
    target: HubRole
    previous: str | None
    ingest: str
    changed: bool
    request_id: str
    elapsed_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "previous": self.previous,
            "ingest": self.ingest,
            "changed": self.changed,
            "request_id": self.request_id,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


@dataclass(frozen=True, slots=True)
class TakeResult:
    live: str
    preview: str
    previous_live: str | None
    previous_preview: str | None
    changed: bool
    request_id: str
    elapsed_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "live": self.live,
            "preview": self.preview,
            "previous_live": self.previous_live,
            "previous_preview": self.previous_preview,
            "changed": self.changed,
            "request_id": self.request_id,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


__all__ = ["SwitchResult", "TakeResult"]
