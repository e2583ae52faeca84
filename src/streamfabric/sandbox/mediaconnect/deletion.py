"""DeleteFlow takes time: the flow shows DELETING before it is gone.

MediaConnect User Guide, *Deleting a flow* (https://docs.aws.amazon.com/mediaconnect/latest/ug/flows-delete.html):
"It might take up to five minutes for the flow to be deleted entirely"; API Reference, DeleteFlow
(202 Accepted) and ``Flow.Status`` (``DELETING``). AWS documents neither how long a given deletion
takes nor what other operations do meanwhile; the emulator's reading:

* the flow stays listed and described, ``Status`` DELETING, for ``deleting_reads`` DescribeFlow /
  ListFlows reads of it and at least ``deleting_seconds`` (:mod:`..strictness`; defaults 2 reads,
  0 s: fast, yet a caller that does not wait sees the flow), and is gone at the latest five minutes
  after the request, read or not; the read after that answers NotFoundException;
* every other operation on a DELETING flow is refused (BadRequestException: harsher than queuing);
* the flow counts against the Region's flow quota until it is gone (:mod:`.quotas`);
* its ENIs and tags go at once;
* CloudFormation's resource handler waits for the deletion to end before the resource is deleted:
  the emulator does that wait at once (the flow is gone when the stack says DELETE_COMPLETE; how
  long AWS takes, up to five minutes, is not modelled there).

The leniency ``deleting`` removes the flow at once (the emulator's earlier behaviour).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .. import clock, resets, strictness
from ..moto_internals import flows_of

LONGEST = 300.0  # "up to five minutes"


@dataclass(slots=True)
class _Deleting:
    backend: Any
    reads: int
    since: float
    until: float


_lock = threading.Lock()
_deleting: dict[str, _Deleting] = {}


def begin(backend: Any, flow: Any, *, lingers: bool = True) -> None:
    """DeleteFlow accepted: the flow is DELETING (or gone at once: when lenient, or for a caller that
    waits for the deletion to end)."""
    settings = strictness.current()
    flow.status = "DELETING"
    if not lingers or not strictness.strict("deleting"):
        flows_of(backend).pop(flow.flow_arn, None)
        return
    now = clock.monotonic()
    with _lock:
        _deleting[flow.flow_arn] = _Deleting(
            backend, settings.deleting_reads, now, now + settings.deleting_seconds
        )


def is_deleting(flow_arn: str) -> bool:
    with _lock:
        return flow_arn in _deleting


def _done(entry: _Deleting, now: float) -> bool:
    return (entry.reads <= 0 and now >= entry.until) or now - entry.since >= LONGEST


def _finish(flow_arn: str, entry: _Deleting) -> None:
    del _deleting[flow_arn]
    flows_of(entry.backend).pop(flow_arn, None)


def sweep(backend: Any) -> None:
    """Remove the flows of ``backend`` whose deletion has finished."""
    now = clock.monotonic()
    with _lock:
        for arn, entry in list(_deleting.items()):
            if entry.backend is backend and _done(entry, now):
                _finish(arn, entry)


def read(flow_arn: str) -> bool:
    """One DescribeFlow/ListFlows read of a DELETING flow: True while it still shows, False once gone
    (the flow is then removed from its backend)."""
    now = clock.monotonic()
    with _lock:
        entry = _deleting.get(flow_arn)
        if entry is None:
            return False
        if _done(entry, now):
            _finish(flow_arn, entry)
            return False
        entry.reads -= 1
        return True


@resets.register
def reset() -> None:
    with _lock:
        _deleting.clear()
