"""The S3 audit log never replaces a record: each is written with ``IfNoneMatch="*"``, so a second
write to an existing key fails and the first record stays.

The emulator's S3 (moto) honours the condition as S3 does: "If-None-Match: Uploads the object only
if the object key name does not already exist in the bucket specified. Otherwise, Amazon S3 returns
a 412 Precondition Failed error." (Amazon S3 API Reference, PutObject, Request Syntax / URI Request
Parameters, ``If-None-Match``; conditional writes, August 2024). The first test pins that with plain
boto3, so the second one means what it says."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.errors import AwsError
from streamfabric.switching.audit import AuditRecord, S3AuditLog

pytestmark = pytest.mark.integration

BUCKET = "festival-audit"


def _s3(aws: str) -> Any:
    client = helpers.session().client("s3", region_name="eu-west-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


def test_the_emulators_s3_refuses_a_put_with_if_none_match_on_an_existing_key(aws: str) -> None:
    s3 = _s3(aws)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"first", IfNoneMatch="*")  # a new key: written
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"second", IfNoneMatch="*")
    error = excinfo.value.response
    assert error["Error"]["Code"] == "PreconditionFailed"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"first"
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"third")  # unconditional: replaced
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"third"


def test_the_s3_audit_log_refuses_to_overwrite_a_record(aws: str) -> None:
    s3 = _s3(aws)
    log = S3AuditLog(AwsGateway(helpers.session(), waiter_delay=0), f"s3://{BUCKET}/festival/")
    first = AuditRecord(
        time="2026-12-07T10:00:00.000000+00:00",
        request_id="req-1",
        caller="arn:aws:iam::123456789012:user/director",
        action="switch",
        target="live",
        from_ingest="main-stage",
        to_ingest="nyc-studio",
        outcome="switched",
    )
    log.append(first)
    forged = replace(first, caller="arn:aws:iam::123456789012:user/intruder", outcome="refused")
    assert log.key(forged) == log.key(first)
    with pytest.raises(AwsError, match="PreconditionFailed"):
        log.append(forged)
    assert log.records() == [first]
    body = s3.get_object(Bucket=BUCKET, Key=log.key(first))["Body"].read()
    assert json.loads(body)["caller"].endswith("user/director")
    log.append(replace(first, request_id="req-2"))  # another record: written beside it
    assert [r.request_id for r in log.records()] == ["req-1", "req-2"]
