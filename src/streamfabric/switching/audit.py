"""The audit log: one record per switch, take, protect or unprotect, appended and never overwritten.

- S3 (topologies on S3): one object per record, ``<prefix><UTC time>-<request id>.json``, written with
  ``IfNoneMatch="*"`` so that no writer — however many — can replace an earlier record.
- Local (local topologies): a JSON-lines file appended under an exclusive ``flock``.

A record that cannot be read (not JSON, or missing a field) is skipped with a warning in the log
(``audit_record_skipped``): history stays readable.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..aws.gateway import AwsGateway
from ..errors import AwsError
from ..topology.loading import split_s3_uri

log = logging.getLogger("streamfabric.audit")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    time: str  # ISO 8601, UTC
    request_id: str
    caller: str
    action: str  # "switch" | "take" | "protect" | "unprotect"
    target: str  # "live" | "preview" | "live+preview"
    from_ingest: str | None
    to_ingest: str
    # "switched" | "unchanged" | "conflict" | "refused" | "failed"; a protect's "protected", an
    # unprotect's "unprotected" (their evidence: the protection)
    outcome: str
    message: str = ""
    elapsed_ms: float = 0.0
    evidence: dict[str, Any] | None = None  # what the signal check saw (switching.signal), or a protection

    def to_dict(self) -> dict[str, Any]:
        """The record as written (``from``/``to`` for the ingests). Built field by field: this runs
        on every switch, where ``dataclasses.asdict``'s deep copy cost more than the write."""
        return {
            "time": self.time,
            "request_id": self.request_id,
            "caller": self.caller,
            "action": self.action,
            "target": self.target,
            "from": self.from_ingest,
            "to": self.to_ingest,
            "outcome": self.outcome,
            "message": self.message,
            "elapsed_ms": self.elapsed_ms,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditRecord:
        return cls(
            time=str(data["time"]),
            request_id=str(data["request_id"]),
            caller=str(data.get("caller", "")),
            action=str(data["action"]),
            target=str(data["target"]),
            from_ingest=data.get("from"),
            to_ingest=str(data["to"]),
            outcome=str(data["outcome"]),
            message=str(data.get("message", "")),
            elapsed_ms=float(data.get("elapsed_ms", 0.0)),
            evidence=data.get("evidence") if isinstance(data.get("evidence"), dict) else None,
        )


def _skipped(where: str, exc: BaseException) -> None:
    """A malformed record is skipped, with a warning in the log (where it is: for the operator who
    reads the log, never in an API answer); one bad object must not hide all of history."""
    line = {"event": "audit_record_skipped", "where": where, "error": str(exc)[:200]}
    log.warning(json.dumps(line, sort_keys=True))


class AuditLog(Protocol):
    uri: str

    def append(self, record: AuditRecord) -> None: ...

    def records(self, limit: int | None = None) -> list[AuditRecord]: ...


class LocalAuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.uri = str(self.path)

    @staticmethod
    def encode(record: AuditRecord) -> bytes:
        """The record's line, as appended."""
        return (json.dumps(record.to_dict(), sort_keys=True) + "\n").encode("utf-8")

    def append(self, record: AuditRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, self.encode(record))
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def records(self, limit: int | None = None) -> list[AuditRecord]:
        if not self.path.is_file():
            return []
        out: list[AuditRecord] = []
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    out.append(AuditRecord.from_dict(json.loads(line)))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    _skipped(f"{self.path}:{number}", exc)
        return out[-limit:] if limit else out


class S3AuditLog:
    def __init__(self, gateway: AwsGateway, uri: str) -> None:
        self.gateway = gateway
        self.uri = uri if uri.endswith("/") else uri + "/"
        self.bucket, self.prefix, _ = split_s3_uri(self.uri.rstrip("/") + "/x")
        self.prefix = self.prefix[:-1]

    def key_prefix(self, time: str) -> str:
        """The key prefix of records written at ``time`` (ISO 8601, UTC): keys sort by time."""
        stamp = time.replace("-", "").replace(":", "").replace("+0000", "Z").replace("+00:00", "Z")
        return f"{self.prefix}{stamp}"

    def key(self, record: AuditRecord) -> str:
        return f"{self.key_prefix(record.time)}-{record.request_id}.json"

    def append(self, record: AuditRecord) -> None:
        body = json.dumps(record.to_dict(), sort_keys=True).encode("utf-8")
        self.gateway.call(
            "s3", None, "put_object",
            Bucket=self.bucket, Key=self.key(record), Body=body,
            ContentType="application/json", IfNoneMatch="*",
        )  # fmt: skip

    def records(self, limit: int | None = None) -> list[AuditRecord]:
        # In the order S3 stored them (LastModified, S3's own clock), then by key (the writer's UTC
        # time) within one LastModified: an object written directly with a far-future key sorts
        # where it was written, and cannot pin itself as the latest record.
        found: list[tuple[Any, str]] = []
        for page in self.gateway.paginate(
            "s3", None, "list_objects_v2", Bucket=self.bucket, Prefix=self.prefix
        ):
            found.extend(
                (obj.get("LastModified"), obj["Key"])
                for obj in page.get("Contents", ())
                if obj["Key"].endswith(".json")
            )
        found.sort(key=lambda item: (item[0] is not None, item[0] or 0, item[1]))
        keys = [key for _, key in found]
        if limit:
            keys = keys[-limit:]

        def fetch(key: str) -> AuditRecord | None:
            body = self.gateway.call("s3", None, "get_object", Bucket=self.bucket, Key=key)["Body"].read()
            try:
                return AuditRecord.from_dict(json.loads(body))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                _skipped(f"s3://{self.bucket}/{key}", exc)
                return None

        if not keys:
            return []
        with ThreadPoolExecutor(max_workers=min(8, len(keys))) as pool:
            return [record for record in pool.map(fetch, keys) if record is not None]


def open_audit_log(uri: str, gateway: AwsGateway) -> AuditLog:
    if uri.startswith("s3://"):
        return S3AuditLog(gateway, uri)
    return LocalAuditLog(uri)


__all__ = ["AuditLog", "AuditRecord", "AwsError", "LocalAuditLog", "S3AuditLog", "open_audit_log"]
