"""S3's conditional writes are atomic in the emulator (src/streamfabric/sandbox/s3/conditional.py): of
concurrent PutObject requests with ``If-None-Match: *`` (or ``If-Match``) for one key, one succeeds
and the others get 412, as the Amazon S3 User Guide says; a conditional DeleteObject likewise. moto
checks and then writes: with its write made slow (as under load), every racer used to succeed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

BUCKET = "audit"
RACERS = 6


@pytest.fixture()
def s3(aws: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from moto.s3.models import S3Backend

    put, delete = S3Backend.put_object, S3Backend.delete_object

    def slow_put(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)  # the window between moto's check and its write, widened
        return put(self, *args, **kwargs)

    def slow_delete(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        return delete(self, *args, **kwargs)

    monkeypatch.setattr(S3Backend, "put_object", slow_put)
    monkeypatch.setattr(S3Backend, "delete_object", slow_delete)
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=aws)
    client.create_bucket(Bucket=BUCKET)
    return client


def _race(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls at once; each one's outcome: "ok" or its error code."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int) -> None:
        start.wait()
        try:
            calls[i]()
            outcomes[i] = "ok"
        except ClientError as err:
            outcomes[i] = str(err.response["Error"]["Code"])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_of_racing_if_none_match_writes_one_succeeds(s3: Any) -> None:
    calls = [
        (lambda i=i: s3.put_object(Bucket=BUCKET, Key="record", Body=f"writer {i}".encode(), IfNoneMatch="*"))
        for i in range(RACERS)
    ]
    outcomes = _race(calls)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"PreconditionFailed", "ConditionalRequestConflict"}
    winner = outcomes.index("ok")
    assert s3.get_object(Bucket=BUCKET, Key="record")["Body"].read() == f"writer {winner}".encode()


def test_of_racing_if_match_writes_and_deletes_one_succeeds(s3: Any) -> None:
    etag = s3.put_object(Bucket=BUCKET, Key="lease", Body=b"v1")["ETag"]
    calls: list[Callable[[], Any]] = [
        (lambda i=i: s3.put_object(Bucket=BUCKET, Key="lease", Body=f"v2-{i}".encode(), IfMatch=etag))
        for i in range(RACERS - 1)
    ]
    calls.append(lambda: s3.delete_object(Bucket=BUCKET, Key="lease", IfMatch=etag))
    outcomes = _race(calls)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"}
