"""Where the runtime state document lives and how it is read, written and deleted: a local file, or
an S3 object through the gateway. Deploy writes it; switching and the control API read it."""

from __future__ import annotations

import os
from pathlib import Path

from ..aws.gateway import AwsGateway
from ..errors import NotFoundError
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


def read_state(gateway: AwsGateway, uri: str) -> str | None:
    if uri.startswith("s3://"):
        bucket, key, _ = split_s3_uri(uri)
        try:
            body = gateway.call("s3", None, "get_object", Bucket=bucket, Key=key)["Body"]
            return str(body.read().decode("utf-8"))
        except NotFoundError:
            return None
    path = Path(uri)
    return path.read_text(encoding="utf-8") if path.is_file() else None


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


__all__ = ["delete_state", "read_state", "state_uri", "write_state"]
