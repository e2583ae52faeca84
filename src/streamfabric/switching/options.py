"""What a :class:`~streamfabric.switching.switcher.Switcher` is built from: how fresh what it knows
must be (:class:`SwitcherOptions`) and what it talks to (:class:`SwitcherDependencies`).

``Switcher(topology, gateway=..., status_ttl=...)`` still takes each of them as a keyword
(:class:`SwitcherKeywords`); :func:`split_keywords` sorts those into the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:  # pragma: no cover
    import boto3

    from ..aws.gateway import AwsGateway
    from ..state.runtime import RuntimeState
    from .audit import AuditLog
    from .signal import SignalMonitor


@dataclass(frozen=True, slots=True)
class SwitcherOptions:
    """How long what a Switcher knows is trusted, and how long it waits (seconds, attempts)."""

    health_ttl: float = 15.0  # an ingest's ACTIVE status seen this recently needs no describe
    # A server polled by several panels answers from one status read per ``status_ttl`` seconds
    # (MediaConnect's API allows ~5 requests/s); any switch or take invalidates it.
    status_ttl: float = 0.0
    state_ttl: float = 5.0  # the runtime state is checked for a change at most this often
    settle_attempts: int = 20  # describes of a flow that is still UPDATING before giving up
    settle_window: float = 30.0  # a take first waits for this process's updates this recent


@dataclass(frozen=True, slots=True)
class SwitcherDependencies:
    """What a Switcher talks to; each one left None is built from the topology (or the session)."""

    session: boto3.session.Session | None = None
    gateway: AwsGateway | None = None
    state: RuntimeState | None = None  # given: fixed; else read from its URI, and re-read
    audit: AuditLog | None = None
    signals: SignalMonitor | None = None
    clock: Callable[[], float] = time.monotonic
    caller: str | None = None  # who the audit records name (else STS's answer, once)


class SwitcherKeywords(TypedDict, total=False):
    """Every field of the two, as a keyword of ``Switcher(...)``."""

    health_ttl: float
    status_ttl: float
    state_ttl: float
    settle_attempts: int
    settle_window: float
    session: boto3.session.Session | None
    gateway: AwsGateway | None
    state: RuntimeState | None
    audit: AuditLog | None
    signals: SignalMonitor | None
    clock: Callable[[], float]
    caller: str | None


_OPTIONS = frozenset(f.name for f in fields(SwitcherOptions))
_DEPENDENCIES = frozenset(f.name for f in fields(SwitcherDependencies))


def split_keywords(
    options: SwitcherOptions | None, dependencies: SwitcherDependencies | None, keywords: SwitcherKeywords
) -> tuple[SwitcherOptions, SwitcherDependencies]:
    """``options`` and ``dependencies`` (or the defaults) with ``keywords`` applied to each."""
    unknown = set(keywords) - _OPTIONS - _DEPENDENCIES
    if unknown:
        raise TypeError(f"Switcher() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    given: dict[str, Any] = dict(keywords)
    chosen = replace(options or SwitcherOptions(), **{k: v for k, v in given.items() if k in _OPTIONS})
    with_deps = replace(
        dependencies or SwitcherDependencies(), **{k: v for k, v in given.items() if k in _DEPENDENCIES}
    )
    return chosen, with_deps


__all__ = ["SwitcherDependencies", "SwitcherKeywords", "SwitcherOptions", "split_keywords"]
