"""When each flow ran: the wall times at which it started and stopped, kept so that a CloudWatch
datapoint of the past reports what the flow did then.

MediaConnect posts metrics for a flow while it is active (User Guide, *Monitoring MediaConnect with
Amazon CloudWatch metrics*, https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-cloudwatch.html:
"collects these datapoints every second"); a flow that was in standby at some moment has no
datapoint for it. StartFlow marks the flow running from its request on, StopFlow, DeleteFlow and a
maintenance restart mark it stopped (and the end of the restart running again). A flow with no
history never ran: the harsher reading for a flow whose state the emulator did not see change.
"""

from __future__ import annotations

import threading
import time

from .. import resets

_lock = threading.Lock()
_runs: dict[str, list[tuple[float, bool]]] = {}  # flow ARN -> [(wall time, running)], oldest first
KEEP = 200  # changes per flow: more than any metrics window the emulator serves needs


def record(flow_arn: str, running: bool, at: float | None = None) -> None:
    """From ``at`` (default now) the flow runs, or does not."""
    when = time.time() if at is None else at
    with _lock:
        runs = _runs.setdefault(flow_arn, [])
        if runs and runs[-1][1] == running:
            return
        runs.append((when, running))
        del runs[:-KEEP]


def running_at(flow_arn: str, at: float) -> bool:
    """Whether the flow ran at wall time ``at``."""
    with _lock:
        state = False
        for since, running in _runs.get(flow_arn, ()):
            if since > at:
                break
            state = running
        return state


def changes(flow_arn: str, start: float, end: float) -> list[float]:
    """The times in (start, end] at which the flow started or stopped."""
    with _lock:
        return [since for since, _ in _runs.get(flow_arn, ()) if start < since <= end]


def forget(flow_arn: str) -> None:
    with _lock:
        _runs.pop(flow_arn, None)


@resets.register
def reset() -> None:
    with _lock:
        _runs.clear()
