"""The audit trail of switches and takes: one record per attempt, whatever its outcome.

An :class:`Attempt` is what is known when a switch or take starts (who asks, what is on air, what
should go there); :meth:`Recorder.record` appends its outcome to the audit log and tells the
:class:`~.freshness.AuditWatch` that this process wrote it (so it is not mistaken for another
writer's). :meth:`Recorder.last_switch` finds who put what is on air there, for a conflict.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from .audit import AuditLog, AuditRecord
from .freshness import AuditWatch

Outcome = Literal["switched", "unchanged", "conflict", "refused", "failed"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Attempt:
    """A switch or take being tried: what each audit record of it says besides its outcome."""

    action: Literal["switch", "take"]
    target: str  # "live", "preview" or "live+preview"
    previous: str | None  # what was on air (for a take: Live)
    ingest: str  # what is to go there (for a take: Preview)
    caller: str | None = None  # None: the Switcher's own
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class Recorder:
    """Appends the outcome of each attempt to ``audit`` (``caller``: who a record names when the
    attempt does not say)."""

    def __init__(self, audit: AuditLog, watch: AuditWatch, caller: Callable[[], str]) -> None:
        self.audit = audit
        self.watch = watch
        self.caller = caller

    def record(
        self,
        attempt: Attempt,
        outcome: Outcome,
        message: str = "",
        evidence: dict[str, object] | None = None,
    ) -> AuditRecord:
        record = AuditRecord(
            time=_now(),
            request_id=attempt.request_id,
            caller=attempt.caller or self.caller(),
            action=attempt.action,
            target=attempt.target,
            from_ingest=attempt.previous,
            to_ingest=attempt.ingest,
            outcome=outcome,
            message=message,
            elapsed_ms=attempt.elapsed_ms,
            evidence=evidence,
        )
        self.audit.append(record)
        self.watch.wrote(record)
        return record

    def last_switch(self, target: str) -> dict[str, object] | None:
        """The audit record of the last switch of ``target``: who put what is on air there."""
        try:
            records = self.audit.records(limit=200)
        except Exception:  # the conflict itself matters more than who caused it
            return None
        for record in reversed(records):
            if record.outcome == "switched" and target in record.target.split("+"):
                return record.to_dict()
        return None


__all__ = ["Attempt", "Outcome", "Recorder"]
