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
exclusive ``flock`` of the file, and no file (or an empty one) is a free lease.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..aws.gateway import AwsGateway
from ..errors import AwsError, DeployError, NotFoundError
from ..topology.loading import split_s3_uri

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


class _Store:
    """Compare-and-swap on the lease document: ``put(text, expect)`` where ``expect`` is None (only
    if absent), or the version (ETag) last read; ``read()`` -> (text, version) or None."""

    def read(self) -> tuple[str, str] | None:
        raise NotImplementedError

    def put(self, text: str, expect: str | None) -> str | None:
        """The new version, or None when the condition failed."""
        raise NotImplementedError

    def delete(self, expect: str) -> bool:
        raise NotImplementedError


class _S3Store(_Store):
    def __init__(self, gateway: AwsGateway, uri: str) -> None:
        self.gateway = gateway
        self.bucket, self.key, _ = split_s3_uri(uri)

    def read(self) -> tuple[str, str] | None:
        try:
            got = self.gateway.call("s3", None, "get_object", Bucket=self.bucket, Key=self.key)
        except NotFoundError:
            return None
        return got["Body"].read().decode("utf-8"), str(got.get("ETag", ""))

    def put(self, text: str, expect: str | None) -> str | None:
        condition = {"IfNoneMatch": "*"} if expect is None else {"IfMatch": expect}
        try:
            written = self.gateway.call(
                "s3",
                None,
                "put_object",
                Bucket=self.bucket,
                Key=self.key,
                Body=text.encode("utf-8"),
                ContentType="application/json",
                **condition,
            )
        except NotFoundError:  # If-Match on an object that is gone
            return None
        except AwsError as exc:
            if _conflict(exc):
                return None
            raise
        return str(written.get("ETag", ""))

    def delete(self, expect: str) -> bool:
        try:
            self.gateway.call("s3", None, "delete_object", Bucket=self.bucket, Key=self.key, IfMatch=expect)
        except NotFoundError:
            return False
        except AwsError as exc:
            if _conflict(exc):
                return False
            raise
        return True


def _conflict(exc: AwsError) -> bool:
    """S3's answers to a failed condition: 412 PreconditionFailed; 409 ConditionalRequestConflict
    (a concurrent conditional write of the same key: S3 User Guide, "conditional writes")."""
    return exc.code in ("PreconditionFailed", "ConditionalRequestConflict")


class _FileStore(_Store):
    """A local lock file: each operation reads, compares and writes under ``flock``; the version is
    the content's digest."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        """The lock file, open and flocked. A file released (unlinked) while we waited for its
        flock is not the lock any more: open the path again until the flocked file is the one
        the path names."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        try:
            yield fd
        finally:
            os.close(fd)  # closing releases the flock

    @staticmethod
    def _content(fd: int) -> str:
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8")

    @staticmethod
    def _version(text: str) -> str:
        import hashlib

        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @staticmethod
    def _write(fd: int, text: str) -> None:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)

    def read(self) -> tuple[str, str] | None:
        if not self.path.exists():
            return None
        with self._locked() as fd:
            text = self._content(fd)
        return (text, self._version(text)) if text else None

    def put(self, text: str, expect: str | None) -> str | None:
        with self._locked() as fd:
            current = self._content(fd)
            if (expect is None and current) or (expect is not None and self._version(current) != expect):
                return None
            self._write(fd, text)
        return self._version(text)

    def delete(self, expect: str) -> bool:
        with self._locked() as fd:
            current = self._content(fd)
            if not current or self._version(current) != expect:
                return False
            self.path.unlink()  # under the flock: a waiter finds its file unlinked and opens anew
        return True


def _store(gateway: AwsGateway, uri: str) -> _Store:
    return _S3Store(gateway, uri) if uri.startswith("s3://") else _FileStore(Path(uri))


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
