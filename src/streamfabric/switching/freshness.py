"""Keeping what a long-lived Switcher knows as fresh as the deployment it controls.

* :class:`DeployedState`: the runtime state a Switcher works from (given, or read by a
  :class:`StateSource`), and what to forget when a newer deployment's state replaces it.
* :class:`StateSource`: the runtime state, re-read when it changed (the store's
  :func:`~streamfabric.state.store.read_state_if_changed`: an S3 object by a conditional GET on
  its ETag, a local file by its (inode, size, mtime)) — at most every ``ttl`` seconds, or at once
  on :meth:`refresh` (a flow points at an address the state does not know; an ingest name it does not know).
* :class:`AuditWatch`: whether anyone else appended to the shared audit log since this process
  last knew what is on air. Every Switcher writes a record per switch, so another Switcher's switch
  (another Lambda container, a CLI) shows there: a local log by its size, an S3 log by the record
  keys of the last minutes. Only when someone else wrote is the hub flow described before a
  switch; otherwise what is on air is known without a MediaConnect call. A switch made outside
  streamfabric (the console) does not show there; ``status`` reads it from AWS.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError, StateError
from ..state.runtime import RuntimeState
from ..state.store import StateVersion, read_state_if_changed, state_uri
from ..topology.model import Topology
from .audit import AuditLog, AuditRecord, LocalAuditLog, S3AuditLog


class StateSource:
    """The runtime state at ``uri``, re-read when it changed (see the module doc)."""

    def __init__(
        self, gateway: AwsGateway, uri: str, *, ttl: float = 5.0, clock: Callable[[], float]
    ) -> None:
        self.gateway = gateway
        self.uri = uri
        self.ttl = ttl
        self.clock = clock
        self._state: RuntimeState | None = None
        self._version: StateVersion | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.reads = 0  # documents actually read (not 304 / unchanged)

    def get(self) -> RuntimeState:
        if self._state is None or self.clock() - self._checked >= self.ttl:
            self.refresh()
        assert self._state is not None
        return self._state

    def refresh(self) -> bool:
        """Re-read the state if it changed; True when it did."""
        with self._lock:
            text, version = read_state_if_changed(self.gateway, self.uri, self._version)
            self._checked = self.clock()
            if text is None:
                if self._state is None:
                    raise StateError(f"no runtime state at {self.uri}: run `streamfabric deploy` first")
                return False
            state = RuntimeState.from_json(text, self.uri)
            changed = self._state is not None and state != self._state
            self._state, self._version = state, version
            self.reads += 1
            return changed


class DeployedState:
    """The runtime state a Switcher works from: ``fixed`` when given, else the document at the
    topology's state URI, through a :class:`StateSource` (re-read at most every ``ttl`` seconds)
    built on first use. ``changed`` is called when a newer deployment's state replaces the one
    seen: what was known under the old state is not known any more."""

    def __init__(
        self,
        gateway: AwsGateway,
        topology: Topology,
        fixed: RuntimeState | None,
        ttl: float,
        clock: Callable[[], float],
        changed: Callable[[], None],
    ) -> None:
        self.gateway, self.topology, self.fixed = gateway, topology, fixed
        self.ttl, self.clock, self.changed = ttl, clock, changed
        self._source: StateSource | None = None
        self._seen: RuntimeState | None = None

    def get(self) -> RuntimeState:
        """The latest deployed runtime state (re-read when it changed, at most every ``ttl`` s)."""
        if self.fixed is not None:
            return self.fixed
        if self._source is None:
            uri = state_uri(self.topology)
            self._source = StateSource(self.gateway, uri, ttl=self.ttl, clock=self.clock)
        state = self._source.get()
        if state is not self._seen:
            if self._seen is not None:
                self.changed()
            self._seen = state
        return state

    def refresh(self) -> bool:
        """Re-read the runtime state now (if it is read from a URI); True when it changed."""
        if self.fixed is not None or self._source is None:
            return False
        changed = self._source.refresh()
        self.get()  # forget what was known under the old state
        return changed


class AuditWatch:
    """Has anyone but this process appended to the audit log since :meth:`trust`? (module doc)"""

    WINDOW = timedelta(minutes=5)

    def __init__(self, audit: AuditLog, gateway: AwsGateway) -> None:
        self.audit = audit
        self.gateway = gateway
        self._mark: frozenset[str] | int | None = None
        self._seen: frozenset[str] | int | None = None

    def unchanged(self) -> bool:
        """True when nobody else wrote since :meth:`trust` (one S3 list, or a stat, per call)."""
        self._seen = self._observe()
        if self._mark is None or self._seen is None:
            return False
        if isinstance(self._mark, int) and isinstance(self._seen, int):
            return self._seen == self._mark
        if isinstance(self._mark, frozenset) and isinstance(self._seen, frozenset):
            return self._seen <= self._mark
        return False

    def trust(self) -> None:
        """What is on air was just read from AWS: records up to the last observation are known."""
        self._mark = self._seen if self._seen is not None else self._observe()

    def wrote(self, record: AuditRecord) -> None:
        """This process appended ``record`` (call right after ``append``)."""
        if isinstance(self.audit, LocalAuditLog) and isinstance(self._mark, int):
            self._mark += len(self.audit.encode(record))
        elif isinstance(self.audit, S3AuditLog) and isinstance(self._mark, frozenset):
            self._mark = self._mark | {self.audit.key(record)}

    def _observe(self) -> frozenset[str] | int | None:
        if isinstance(self.audit, LocalAuditLog):
            try:
                return os.stat(self.audit.path).st_size
            except FileNotFoundError:
                return 0
        if isinstance(self.audit, S3AuditLog):
            since = datetime.now(UTC) - self.WINDOW
            start = self.audit.key_prefix(since.isoformat(timespec="microseconds"))
            try:
                keys: set[str] = set()
                audit = self.audit
                where = {"Bucket": audit.bucket, "Prefix": audit.prefix, "StartAfter": start}
                for page in self.gateway.paginate("s3", None, "list_objects_v2", **where):
                    keys.update(str(obj["Key"]) for obj in page.get("Contents", ()))
                return frozenset(keys)
            except AwsError:
                return None
        return None


def deployed_topology(current: Topology, wanted_sha256: str, session: Any) -> Topology:
    """``current``, or the topology re-read from its source when that now has ``wanted_sha256`` (the
    deployed one). A topology read from stdin or a string cannot be re-read; a read that fails keeps
    answering from ``current`` (status and switch work from the runtime state anyway)."""
    if current.source.uri in ("-", "<string>"):
        return current
    from ..errors import StreamfabricError
    from ..topology.loading import load_topology

    try:
        loaded = load_topology(current.source.uri.split("?versionId=")[0], session=session)
    except StreamfabricError:
        return current
    return loaded if loaded.source.sha256 == wanted_sha256 else current


__all__ = ["AuditWatch", "DeployedState", "StateSource", "deployed_topology"]
