"""The emulator's clocks: a monotonic one for the limits that refill or run out with time, and a wall
clock for the calendar a flow's maintenance window follows.

Both run as real time by default. A test may freeze the monotonic clock and move it by hand
(:func:`freeze`, :func:`advance`), so that a token bucket refills or a DELETING window ends without
anyone sleeping, or pin the wall clock to a moment (:func:`pin_wall`), so that a check against the
maintenance calendar does not depend on the day the suite runs. CloudWatch datapoints and
thumbnails keep the real wall time: the clients that read them ask for real times. AWS has no such
clock: this is how the emulator is driven, not what an AWS endpoint does.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_frozen: float | None = None  # the monotonic time while frozen
_offset = 0.0  # added to time.monotonic() while running
_wall: datetime | None = None  # the pinned wall time


def monotonic() -> float:
    """Seconds, never going back: real time (plus what :func:`advance` added), or the frozen time."""
    with _lock:
        return _frozen if _frozen is not None else time.monotonic() + _offset


def freeze() -> None:
    """Stop the monotonic clock where it is: from now on only :func:`advance` moves it."""
    global _frozen
    with _lock:
        if _frozen is None:
            _frozen = time.monotonic() + _offset


def advance(seconds: float) -> float:
    """Move the monotonic clock on by ``seconds`` (frozen or not); returns the new time."""
    global _frozen, _offset
    if seconds < 0:
        raise ValueError("the clock does not go back")
    with _lock:
        if _frozen is not None:
            _frozen += seconds
            return _frozen
        _offset += seconds
        return time.monotonic() + _offset


def pin_wall(moment: datetime | None) -> None:
    """The wall clock reads ``moment`` (timezone-aware; None: real time again)."""
    global _wall
    if moment is not None and moment.tzinfo is None:
        raise ValueError("a pinned wall time needs a timezone (UTC)")
    with _lock:
        _wall = moment


def wall() -> datetime:
    """Now, in UTC (or the pinned moment)."""
    with _lock:
        return _wall if _wall is not None else datetime.now(UTC)


def reset() -> None:
    """Real time again, for both clocks."""
    global _frozen, _offset, _wall
    with _lock:
        _frozen, _offset, _wall = None, 0.0, None


def describe() -> dict[str, object]:
    with _lock:
        return {"frozen": _frozen is not None, "wall": None if _wall is None else _wall.isoformat()}
