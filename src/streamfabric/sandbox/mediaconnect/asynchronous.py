"""Asynchronous source updates and flow messages, as MediaConnect reports them.

*UpdateFlowSource is asynchronous.* MediaConnect API Reference, UpdateFlowSource
(https://docs.aws.amazon.com/mediaconnect/latest/api/API_UpdateFlowSource.html):
the operation answers ``202 Accepted``, and the flow's ``Status`` enum has ``UPDATING``
(API Reference, DescribeFlow, ``Flow.Status``). The emulator therefore puts a running (ACTIVE) flow
in ``UPDATING`` for a window after each UpdateFlowSource, then back to ACTIVE; a flow in STANDBY
takes the change at once (the user guide, "Updating the source of a MediaConnect flow",
https://docs.aws.amazon.com/mediaconnect/latest/ug/source-update.html, allows updates "even while
the flow is running" and says nothing of a transition for a stopped one).

What AWS does *not* document, and the conservative choices made here:

* whether an update is visible at once: a 202 promises nothing, so the window may begin with
  ``stale_reads`` DescribeFlow reads that still show the previous source and ACTIVE (default 0);
* how long UPDATING lasts: ``updating_reads`` DescribeFlow/ListFlows reads and at least
  ``updating_seconds`` (defaults 1 read, 0 s; deterministic for tests, configurable);
* what a second UpdateFlowSource during the window does: refused, ``BadRequestException``
  ("... is UPDATING ..."), rather than queued — a client must not assume its update was taken.

*Flow messages.* API Reference, DescribeFlow
(https://docs.aws.amazon.com/mediaconnect/latest/api/API_DescribeFlow.html): ``Messages`` (a sibling
of ``Flow`` in the response, shape ``Messages`` with required ``Errors``, a list of strings) holds
"any errors that apply currently to the flow. If there are no errors, MediaConnect will not include
this field". AWS produces them from the media it sees, which the emulator has none of; :func:`set_flow_errors`
lets a test (or ``Sandbox.set_flow_errors``) state them, and DescribeFlow reports them there.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .exceptions import BadRequestException


@dataclass(frozen=True, slots=True)
class UpdateWindow:
    stale_reads: int = 0
    updating_reads: int = 1
    updating_seconds: float = 0.0


@dataclass(slots=True)
class _Pending:
    flow: Any
    previous_sources: list[dict[str, Any]]
    stale_reads: int
    updating_reads: int
    until: float


@dataclass(slots=True)
class _Registry:
    window: UpdateWindow = UpdateWindow()
    pending: dict[str, _Pending] = field(default_factory=dict)  # flow ARN -> its update in progress
    errors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # flow ARN -> Messages.Errors
    lock: threading.Lock = field(default_factory=threading.Lock)


_REGISTRY = _Registry()


def configure(window: UpdateWindow) -> None:
    """Set the UPDATING window for every later UpdateFlowSource."""
    with _REGISTRY.lock:
        _REGISTRY.window = window


def reset() -> None:
    """Forget updates in progress and flow errors, and restore the default window."""
    with _REGISTRY.lock:
        _REGISTRY.window = UpdateWindow()
        _REGISTRY.pending.clear()
        _REGISTRY.errors.clear()


def set_flow_errors(flow_arn: str, errors: list[str] | tuple[str, ...]) -> None:
    """The errors DescribeFlow reports in ``Messages.Errors`` for this flow (empty: none)."""
    with _REGISTRY.lock:
        if errors:
            _REGISTRY.errors[flow_arn] = tuple(str(e) for e in errors)
        else:
            _REGISTRY.errors.pop(flow_arn, None)


def flow_errors(flow_arn: str) -> tuple[str, ...]:
    with _REGISTRY.lock:
        return _REGISTRY.errors.get(flow_arn, ())


def refuse_if_updating(flow: Any) -> None:
    """A second UpdateFlowSource while the first is in progress is refused (see the module doc)."""
    with _REGISTRY.lock:
        pending = _REGISTRY.pending.get(flow.flow_arn)
        if pending is not None and _used_up(pending):  # only the time was left, and it has passed
            del _REGISTRY.pending[flow.flow_arn]
            flow.status = "ACTIVE"
        elif pending is not None:
            raise BadRequestException(
                f"Flow {flow.name} is UPDATING: a previous source update is in progress; "
                "try again when the flow is ACTIVE."
            )


def begin_update(flow: Any) -> None:
    """Before UpdateFlowSource changes a running flow: remember what reads show until it is seen."""
    if flow.status != "ACTIVE":
        return
    with _REGISTRY.lock:
        window = _REGISTRY.window
        if window.stale_reads <= 0 and window.updating_reads <= 0 and window.updating_seconds <= 0:
            return
        _REGISTRY.pending[flow.flow_arn] = _Pending(
            flow=flow,
            previous_sources=copy.deepcopy(list(flow.sources)),
            stale_reads=window.stale_reads,
            updating_reads=window.updating_reads,
            until=time.monotonic() + window.updating_seconds,
        )
        flow.status = "UPDATING"


def read(flow: Any) -> tuple[str | None, list[dict[str, Any]] | None]:
    """One DescribeFlow/ListFlows read of ``flow`` during its update window: (status to show, sources
    to show instead of the current ones, or None). The read that uses the window up ends it."""
    with _REGISTRY.lock:
        pending = _REGISTRY.pending.get(flow.flow_arn)
        if pending is None:
            return None, None
        if pending.stale_reads > 0:
            pending.stale_reads -= 1
            shown: tuple[str, list[dict[str, Any]] | None] = ("ACTIVE", pending.previous_sources)
        else:
            pending.updating_reads = max(0, pending.updating_reads - 1)
            shown = ("UPDATING", None)
        if _used_up(pending):
            del _REGISTRY.pending[flow.flow_arn]
            flow.status = "ACTIVE"
        return shown


def _used_up(pending: _Pending) -> bool:
    return pending.stale_reads <= 0 and pending.updating_reads <= 0 and time.monotonic() >= pending.until


def finish_updates() -> None:
    """End every update window now (the flows are ACTIVE with their new sources)."""
    with _REGISTRY.lock:
        for pending in _REGISTRY.pending.values():
            pending.flow.status = "ACTIVE"
        _REGISTRY.pending.clear()


def forget(flow_arn: str) -> None:
    """The flow was deleted or stopped: its update window and errors go with it."""
    with _REGISTRY.lock:
        _REGISTRY.pending.pop(flow_arn, None)
        _REGISTRY.errors.pop(flow_arn, None)


def in_update(flow_arn: str) -> bool:
    with _REGISTRY.lock:
        return flow_arn in _REGISTRY.pending


def after_moto_reset(original: Callable[[Any], None], backend: Any) -> None:
    """``POST /moto-api/reset`` (moto's ``MotoAPIBackend.reset``) also forgets update windows and flow
    errors and restores the default window."""
    original(backend)
    reset()


__all__ = [
    "UpdateWindow",
    "after_moto_reset",
    "begin_update",
    "configure",
    "finish_updates",
    "flow_errors",
    "forget",
    "in_update",
    "read",
    "refuse_if_updating",
    "reset",
    "set_flow_errors",
]
