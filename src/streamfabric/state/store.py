"""Where the runtime state document lives and how it is read, written and deleted: a local file, or
an S3 object through the gateway. Deploy writes it; switching and the control API read it."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..aws.gateway import AwsGateway
from ..errors import AwsError, NotFoundError
from ..topology.loading import split_s3_uri
from ..topology.model import Topology
from .runtime import default_state_uri


def state_uri(model: Topology) -> str:
    """Where the runtime state goes: ``$.state.runtime_state``, or next to the topology (for an S3
    topology read at a version, next to the object without the ``?versionId``)."""
    if not model.state.runtime_state and model.source.is_s3 and "?" in model.source.uri:
        bucket, key, _ = split_s3_uri(model.source.uri)
        base = key[:-5] if key.endswith(".json") else key
        return f"s3://{bucket}/{base}.state.json"
    return default_state_uri(model)


@dataclass(frozen=True, slots=True)
class StateVersion:
    """One version of the stored document: an S3 object's ETag, a file's (inode, size, mtime)."""

    tag: str | tuple[int, int, int]


def read_state(gateway: AwsGateway, uri: str) -> str | None:
    """The document at ``uri``, or None when there is none."""
    return read_state_if_changed(gateway, uri, None)[0]


def read_state_if_changed(
    gateway: AwsGateway, uri: str, known: StateVersion | None
) -> tuple[str | None, StateVersion | None]:
    """(text, version) of the document at ``uri``, or (None, known) when it is unchanged since
    ``known`` or absent: an S3 object by a conditional GET on its ETag (``IfNoneMatch``: 304 when
    unchanged; S3 API Reference, GetObject), a file by its (inode, size, mtime)."""
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        params = {"Bucket": bucket, "Key": key}
        if known is not None and isinstance(known.tag, str):
            params["IfNoneMatch"] = known.tag
        try:
            response = gateway.call("s3", None, "get_object", **params)
        except NotFoundError:
            return None, known
        except AwsError as exc:
            if exc.code in ("304", "NotModified"):
                return None, known
            raise
        text = str(response["Body"].read().decode("utf-8"))
        return text, StateVersion(str(response.get("ETag", "")))
    try:
        info = os.stat(uri)
    except FileNotFoundError:
        return None, known
    if not stat.S_ISREG(info.st_mode):
        return None, known
    version = StateVersion((info.st_ino, info.st_size, info.st_mtime_ns))
    if known == version:
        return None, known
    return Path(uri).read_text(encoding="utf-8"), version


def write_state(gateway: AwsGateway, uri: str, text: str) -> None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        gateway.call(
            "s3",
            None,
            "put_object",
            Bucket=bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType="application/json",
        )
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def delete_state(gateway: AwsGateway, uri: str) -> None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        gateway.call("s3", None, "delete_object", Bucket=bucket, Key=key)
        return
    Path(uri).unlink(missing_ok=True)


__all__ = ["StateVersion", "delete_state", "read_state", "read_state_if_changed", "state_uri", "write_state"]
