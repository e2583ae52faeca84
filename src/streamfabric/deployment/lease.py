"""One deploy at a time: a lease beside the runtime state, taken with a conditional write.

``<runtime state>.lock`` (an S3 object, or a local file for a local state) holds who has it:
id, owner, host, command, started, expires. It is taken with ``PutObject`` ``If-None-Match: *``
(Amazon S3 User Guide, "How to prevent object overwrites with conditional writes": the write
succeeds only if no object of that key exists, else ``412 Precondition Failed``; of two
conditional writes of one key, the first to finish wins), renewed while the command runs with
``If-Match: <ETag>`` (a write that succeeds only while the object is still the one we wrote), and
released with ``DeleteObject`` ``If-Match``. A lease whose ``expires`` has passed (its holder
crashed or was killed) is taken over with ``If-Match`` on its ETag, so of two that find it expired
one wins. ``streamfabric force-unlock LEASE_ID`` deletes a lease by its id (Terraform's
``force-unlock``). Deploy, destroy and plan (which holds change sets) take it; switches and takes
never wait for it: they are the show.

A local lock file has the same semantics: every read-compare-write of it happens under an
exclusive ``flock`` of the file, and no file (or an empty one) is a free lease (both stores:
:mod:`streamfabric.state.conditional`).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError, DeployError
from ..state.conditional import VersionedStore as _Store
from ..state.conditional import open_store as _store

TTL = timedelta(seconds=120)  # a lease not renewed for this long is free to take over
RENEW_EVERY = 30.0  # seconds
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Lease:
    id: str
    owner: str
    host: str
    command: str
    started: str  # UTC, ISO 8601
    expires: str  # UTC, ISO 8601

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Lease | None:
        try:
            raw = json.loads(text)
            return cls(**{k: str(raw[k]) for k in ("id", "owner", "host", "command", "started", "expires")})
        except (ValueError, KeyError, TypeError):
            return None

    def expired(self, now: datetime) -> bool:
        try:
            return _parse(self.expires) <= now
        except ValueError:
            return True

    def describe(self) -> str:
        started = self.started.replace("T", " ").replace("Z", " UTC")
        return (
            f"since {started} (owner {self.owner}, host {self.host}, command {self.command}, lease {self.id})"
        )


class LeaseHeldError(DeployError):
    """Another command holds the lease: nothing was changed."""

    kind = "lease_held"

    def __init__(self, lease: Lease, what: str) -> None:
        self.lease = lease
        expires = lease.expires.replace("T", " ").replace("Z", " UTC")
        super().__init__(
            f"another {lease.command} holds the lock {lease.describe()}; nothing was changed. "
            f"Run {what} again when it is done; if that {lease.command} is gone, its lease expires "
            f"at {expires}, or remove it now with `streamfabric force-unlock {lease.id} TOPOLOGY`"
        )


class LeaseLostError(DeployError):
    """The lease was taken from us (force-unlocked, or taken over after it expired)."""

    kind = "lease_lost"


def lease_uri(state_uri: str) -> str:
    return f"{state_uri}.lock"


class Held:
    """A lease we hold: renewed on a daemon thread until :meth:`release`; :meth:`check` raises
    :class:`LeaseLostError` once a renewal found it taken."""

    def __init__(self, store: _Store, lease: Lease, version: str, clock: Clock, renew_every: float) -> None:
        self.lease, self._store, self._version, self._clock = lease, store, version, clock
        self._lost: str = ""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._renew_loop, args=(renew_every,), name="lease", daemon=True
        )
        self._thread.start()

    def renew(self) -> None:
        with self._lock:
            if self._lost:
                return
            renewed = replace(self.lease, expires=_stamp(self._clock() + TTL))
            try:
                version = self._store.put(renewed.to_json(), self._version)
            except AwsError as exc:  # a failed renewal is retried at the next tick
                if self._clock() >= _parse(self.lease.expires):
                    self._lost = f"the lease could not be renewed before it expired ({exc})"
                return
            if version is None:
                self._lost = "the lease was removed or taken over by another command"
                return
            self.lease, self._version = renewed, version

    def _renew_loop(self, every: float) -> None:
        while not self._stop.wait(every):
            self.renew()

    def check(self) -> None:
        if self._lost:
            raise LeaseLostError(
                f"{self._lost} (lease {self.lease.id}): stopping before the next change; "
                "what was done so far stays (a later deploy converges)"
            )

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            if not self._lost:
                with contextlib.suppress(AwsError):
                    self._store.delete(self._version)


def acquire(
    gateway: AwsGateway,
    state_uri: str,
    command: str,
    *,
    what: str = "",
    clock: Clock = _now,
    renew_every: float = RENEW_EVERY,
) -> Held:
    """Take the lease of the topology whose runtime state is ``state_uri``, or raise
    :class:`LeaseHeldError` (before any change) while another command holds it."""
    store = _store(gateway, lease_uri(state_uri))
    now = clock()
    lease = Lease(
        id=uuid.uuid4().hex[:16],
        owner=_owner(),
        host=socket.gethostname(),
        command=command,
        started=_stamp(now),
        expires=_stamp(now + TTL),
    )
    version = store.put(lease.to_json(), None)
    if version is None:
        found = store.read()
        held = Lease.from_json(found[0]) if found else None
        if found is not None and (held is None or held.expired(now)):
            version = store.put(lease.to_json(), found[1])  # take over the expired (or unreadable) one
        elif found is None:
            version = store.put(lease.to_json(), None)  # released between our two calls
        if version is None:
            again = store.read()
            holder = Lease.from_json(again[0]) if again else held
            raise LeaseHeldError(holder or lease, what or command)
    return Held(store, lease, version, clock, renew_every)


def force_unlock(gateway: AwsGateway, state_uri: str, lease_id: str) -> Lease:
    """Remove the lease ``lease_id`` (and only that one): the lease removed; DeployError when the
    lock is free or held under another id."""
    store = _store(gateway, lease_uri(state_uri))
    found = store.read()
    held = Lease.from_json(found[0]) if found else None
    if found is None or held is None:
        raise DeployError(f"{lease_uri(state_uri)}: no lease is held; nothing was changed")
    if held.id != lease_id:
        raise DeployError(
            f"{lease_uri(state_uri)}: the lease held is {held.id} ({held.describe()}), not {lease_id}; "
            "nothing was changed"
        )
    if not store.delete(found[1]):
        raise DeployError(f"{lease_uri(state_uri)}: the lease changed while it was removed; try again")
    return held


def read_lease(gateway: AwsGateway, state_uri: str) -> Lease | None:
    found = _store(gateway, lease_uri(state_uri)).read()
    return Lease.from_json(found[0]) if found else None


def _owner() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return f"uid {os.getuid()}"


def describe_json(lease: Lease) -> dict[str, Any]:
    return asdict(lease)


__all__ = [
    "TTL",
    "Held",
    "Lease",
    "LeaseHeldError",
    "LeaseLostError",
    "acquire",
    "describe_json",
    "force_unlock",
    "lease_uri",
    "read_lease",
]
