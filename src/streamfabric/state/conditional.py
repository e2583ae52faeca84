"""A small document changed only by compare-and-swap: an S3 object or a local file.

``put(text, expect)`` writes only if the document is absent (``expect`` None: ``PutObject``
``If-None-Match: *``) or still the version last read (``If-Match: <ETag>``); ``delete(expect)``
only if it is still that version (``DeleteObject`` ``If-Match``). Amazon S3 User Guide, "How to
prevent object overwrites with conditional writes": a failed condition is ``412 Precondition
Failed``, and of two conditional writes of one key the first to finish wins (the other gets 412,
or ``409 ConditionalRequestConflict`` while both are in flight). A local file has the same
semantics: every read-compare-write happens under an exclusive ``flock`` of the file, its version
is the content's digest, and no file (or an empty one) is an absent document.

The deploy lease (:mod:`streamfabric.deployment.lease`) and the flow protections
(:mod:`.protection`) are kept this way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..aws.gateway import AwsGateway
from ..errors import AwsError, NotFoundError
from ..topology.loading import split_s3_uri


class VersionedStore:
    """Compare-and-swap on one small document: ``put(text, expect)`` where ``expect`` is None (only
    if absent), or the version (ETag) last read; ``read()`` -> (text, version) or None."""

    def read(self) -> tuple[str, str] | None:
        raise NotImplementedError

    def put(self, text: str, expect: str | None) -> str | None:
        """The new version, or None when the condition failed."""
        raise NotImplementedError

    def delete(self, expect: str) -> bool:
        raise NotImplementedError


class S3Store(VersionedStore):
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


class FileStore(VersionedStore):
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


def open_store(gateway: AwsGateway, uri: str) -> VersionedStore:
    """The document at ``uri``: an S3 object, or a local file."""
    return S3Store(gateway, uri) if uri.startswith("s3://") else FileStore(Path(uri))


__all__ = ["FileStore", "S3Store", "VersionedStore", "open_store"]
