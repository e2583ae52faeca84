"""switch(), take(), protect(), unprotect(), status() and history(): what the operator uses during the show.

The functions here keep one :class:`Switcher` per (topology, session) for the life of the process,
so a script or a server switching repeatedly makes one MediaConnect call per switched flow. The
topology is the ``topology=`` argument (a URI or a loaded model) or ``$STREAMFABRIC_TOPOLOGY``.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..state.protection import Protection
from ..topology.model import HubRole, Topology
from .audit import AuditRecord
from .status import HubStatus, IngestHealth, Status, format_table
from .switcher import Switcher, SwitchResult, TakeResult

if TYPE_CHECKING:  # pragma: no cover
    import boto3

_SWITCHERS: dict[tuple[str, int], Switcher] = {}
_LOCK = threading.Lock()


def get_switcher(
    topology: str | Topology | None = None, *, session: boto3.session.Session | None = None
) -> Switcher:
    """The process's Switcher for ``topology`` (built once, then reused)."""
    if isinstance(topology, Topology):
        key = (f"{topology.source.uri}#{topology.source.sha256}", id(session))
    else:
        uri = topology or os.environ.get("STREAMFABRIC_TOPOLOGY")
        if not uri:
            raise UsageError("no topology given (argument or $STREAMFABRIC_TOPOLOGY)")
        key = (uri, id(session))
    with _LOCK:
        if key not in _SWITCHERS:
            if not isinstance(topology, Topology):
                from ..topology.loading import load_topology

                topology = load_topology(key[0], session=session)
            _SWITCHERS[key] = Switcher(topology, session=session)
        return _SWITCHERS[key]


def switch(
    ingest: str,
    target: HubRole = "live",
    *,
    expected: str | None = None,
    force: bool = False,
    session: boto3.session.Session | None = None,
    topology: str | Topology | None = None,
) -> SwitchResult:
    """Put ``ingest`` on ``target`` (live or preview). See :meth:`Switcher.switch`."""
    return get_switcher(topology, session=session).switch(ingest, target, expected=expected, force=force)


def take(
    *,
    force: bool = False,
    session: boto3.session.Session | None = None,
    topology: str | Topology | None = None,
) -> TakeResult:
    """Swap Preview and Live (the cut of a vision mixer); both calls run concurrently."""
    return get_switcher(topology, session=session).take(force=force)


def protect(
    target: HubRole = "live",
    *,
    until: str | datetime | None = None,
    reason: str = "",
    session: boto3.session.Session | None = None,
    topology: str | Topology | None = None,
) -> Protection:
    """Protect ``target``: every switch and take of it is refused until this identity unprotects it
    or ``until`` passes (default and most: 4 hours). See :meth:`Switcher.protect`."""
    return get_switcher(topology, session=session).protect(target, until=until, reason=reason)


def unprotect(
    target: HubRole = "live",
    *,
    session: boto3.session.Session | None = None,
    topology: str | Topology | None = None,
) -> Protection | None:
    """Lift the protection of ``target`` (only the identity that protected it may)."""
    return get_switcher(topology, session=session).unprotect(target)


def status(*, session: boto3.session.Session | None = None, topology: str | Topology | None = None) -> Status:
    """What is on Live and Preview and each ingest's health, read from AWS."""
    return get_switcher(topology, session=session).status()


def history(
    limit: int | None = None,
    *,
    session: boto3.session.Session | None = None,
    topology: str | Topology | None = None,
) -> list[AuditRecord]:
    """The audit log, oldest first (the last ``limit`` records)."""
    return get_switcher(topology, session=session).history(limit)


__all__ = [
    "AuditRecord",
    "HubStatus",
    "IngestHealth",
    "Protection",
    "Status",
    "SwitchResult",
    "Switcher",
    "TakeResult",
    "format_table",
    "get_switcher",
    "history",
    "protect",
    "status",
    "switch",
    "take",
    "unprotect",
]
