"""The audit trail of switches, takes, protects and unprotects: one record per attempt, whatever its outcome.

An :class:`Attempt` is what is known when a switch or take starts (who asks, what is on air, what
should go there); :meth:`Recorder.record` appends its outcome to the audit log and tells the
:class:`~.freshness.AuditWatch` that this process wrote it (so it is not mistaken for another
writer's). :meth:`Recorder.last_switch` finds who put what is on air there, for a conflict.

No cut without its record: before a flow's source is updated, :meth:`Recorder.intend` writes an
``intent`` record (the same request id as the attempt); when that cannot be written, nothing is
switched. After the update, :meth:`Recorder.settle` writes the outcome; every write is retried
(:data:`RETRY_DELAYS`). When the outcome still cannot be written, the cut has reached air all the
same: ``settle`` answers a warning (the caller answers success with it, never an error that invites
a retry) and logs one structured line (``audit_write_failed``, JSON) for CloudWatch; the intent
record already says who cut to what.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from ..errors import SwitchError
from .audit import AuditLog, AuditRecord
from .freshness import AuditWatch

Outcome = Literal[
    "switched", "unchanged", "conflict", "refused", "failed", "intent", "protected", "unprotected"
]
RETRY_DELAYS = (0.05, 0.25, 1.0)  # seconds before the 2nd, 3rd and 4th try of an audit write
log = logging.getLogger("streamfabric.audit")


class AuditWriteError(SwitchError):
    """The intent record could not be written: nothing was switched."""

    kind = "audit_write"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Attempt:
    """A switch, take, protect or unprotect being tried: what each audit record of it says besides
    its outcome (a protect's and an unprotect's ``previous`` is None and ``ingest`` empty)."""

    action: Literal["switch", "take", "protect", "unprotect"]
    target: str  # "live", "preview" or "live+preview"
    previous: str | None  # what was on air (for a take: Live)
    ingest: str  # what is to go there (for a take: Preview)
    caller: str | None = None  # None: the Switcher's own
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def without_settled_intents(records: list[AuditRecord]) -> list[AuditRecord]:
    """``records`` (oldest first) without the intent records whose outcome followed them (a later
    record of the same caller, action, target and ingest): what is left of an intent is a cut that
    may have reached air with no outcome recorded."""
    pending: dict[tuple[str, str, str, str], int] = {}
    hidden: set[int] = set()
    for index, record in enumerate(records):
        key = (record.caller, record.action, record.target, record.to_ingest)
        if record.outcome == "intent":
            pending[key] = index
        elif key in pending:
            hidden.add(pending.pop(key))
    return [record for index, record in enumerate(records) if index not in hidden]


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
        record = self._record(attempt, outcome, message, evidence)
        self._append(record)
        return record

    def _record(
        self, attempt: Attempt, outcome: Outcome, message: str, evidence: dict[str, object] | None
    ) -> AuditRecord:
        return AuditRecord(
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

    def _append(self, record: AuditRecord) -> None:
        """Append ``record``, retried after each of :data:`RETRY_DELAYS`; the last error is raised."""
        for delay in (*RETRY_DELAYS, None):
            try:
                self.audit.append(record)
                break
            except Exception:
                if delay is None:
                    raise
                time.sleep(delay)
        self.watch.wrote(record)

    def intend(self, attempt: Attempt) -> None:
        """The intent record, written before the flow's source is updated; AuditWriteError (and
        nothing switched) when it cannot be written."""
        message = f"about to put {attempt.ingest} on {attempt.target}"
        try:
            self._append(self._record(attempt, "intent", message, None))
        except Exception as exc:
            self._log_failure(attempt, "intent", exc)
            raise AuditWriteError(
                "the audit log cannot be written: nothing was switched (no cut without its record)"
            ) from exc

    def settle(
        self,
        attempt: Attempt,
        outcome: Outcome,
        message: str = "",
        evidence: dict[str, object] | None = None,
        *,
        intent_id: str | None = None,
    ) -> str | None:
        """The outcome of an update that reached air: None when written, else the warning to answer
        (after a structured log line); never an error. ``intent_id``: the intent record's request
        id, when the outcome's is another (a switch's is AWS's)."""
        try:
            self.record(attempt, outcome, message, evidence)
            return None
        except Exception as exc:
            self._log_failure(attempt, outcome, exc)
            return (
                f"{attempt.ingest} is on {attempt.target}, but the audit log could not record the outcome "
                f"(its intent record {intent_id or attempt.request_id} is there; see audit_write_failed "
                "in the log): do not retry"
            )

    def _log_failure(self, attempt: Attempt, outcome: str, exc: BaseException) -> None:
        """One structured line (JSON) for CloudWatch: the record that could not be written."""
        line = {
            "event": "audit_write_failed",
            "request_id": attempt.request_id,
            "caller": attempt.caller or self.caller(),
            "action": attempt.action,
            "target": attempt.target,
            "from": attempt.previous,
            "to": attempt.ingest,
            "outcome": outcome,
            "error": str(exc)[:300],
        }
        log.error(json.dumps(line, sort_keys=True))

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


__all__ = ["RETRY_DELAYS", "Attempt", "AuditWriteError", "Outcome", "Recorder", "without_settled_intents"]
