"""The audit log's integrity against what can be put under its prefix directly (in the moto
server's S3, and in the local JSON-lines file): a malformed record is skipped with a warning, never
a 503 for all of history, and no bucket or key reaches an API answer; a record written with a
far-future key sorts where S3 stored it, and cannot pin itself as the latest."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.api.local import LocalServer
from streamfabric.aws.gateway import AwsGateway
from streamfabric.switching.audit import AuditRecord, LocalAuditLog, S3AuditLog

from .conftest import World
from .test_api import request

pytestmark = pytest.mark.integration

BUCKET = "festival-audit-integrity"


def record(time_: str, to: str, caller: str = "carol") -> AuditRecord:
    return AuditRecord(time_, f"id-{to}-{time_[-6:]}", caller, "switch", "live", "main-stage", to, "switched")


@pytest.fixture()
def s3_log(world: World) -> S3AuditLog:
    s3 = helpers.session().client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
    return S3AuditLog(AwsGateway(helpers.session(), waiter_delay=0), f"s3://{BUCKET}/log/")


def test_a_malformed_s3_record_is_skipped_with_a_warning(
    s3_log: S3AuditLog, caplog: pytest.LogCaptureFixture
) -> None:
    s3 = helpers.session().client("s3")
    s3_log.append(record("2026-12-07T10:00:00.000001+00:00", "tent-stage"))
    s3.put_object(Bucket=BUCKET, Key="log/20261207T100001-broken.json", Body=b"{not json")
    s3.put_object(Bucket=BUCKET, Key="log/20261207T100002-list.json", Body=b"[1, 2]")
    s3.put_object(Bucket=BUCKET, Key="log/20261207T100003-partial.json", Body=b'{"time": "x"}')
    with caplog.at_level(logging.WARNING, logger="streamfabric.audit"):
        records = s3_log.records()
    assert [r.to_ingest for r in records] == ["tent-stage"]
    skipped = [json.loads(r.getMessage()) for r in caplog.records if "audit_record_skipped" in r.getMessage()]
    assert len(skipped) == 3 and all(s["where"].startswith(f"s3://{BUCKET}/log/") for s in skipped)


def test_a_forged_far_future_key_does_not_pin_itself_as_the_latest(s3_log: S3AuditLog) -> None:
    s3 = helpers.session().client("s3")
    forged = record("2099-01-01T00:00:00.000000+00:00", "sao-paulo-stage", caller="mallory")
    s3.put_object(Bucket=BUCKET, Key=s3_log.key(forged), Body=json.dumps(forged.to_dict()).encode())
    time.sleep(1.1)  # S3's LastModified has a resolution of one second
    genuine = record("2026-12-07T10:00:00.000001+00:00", "tent-stage")
    s3_log.append(genuine)
    assert [r.to_ingest for r in s3_log.records()] == ["sao-paulo-stage", "tent-stage"]
    assert s3_log.records(limit=1) == [genuine]  # the latest is the one S3 stored last


def test_a_malformed_local_line_is_skipped(tmp_path: Path) -> None:
    log = LocalAuditLog(tmp_path / "audit.jsonl")
    log.append(record("2026-12-07T10:00:00.000001+00:00", "tent-stage"))
    with (tmp_path / "audit.jsonl").open("a") as handle:
        handle.write("{broken\n[]\n")
    log.append(record("2026-12-07T10:00:01.000001+00:00", "sydney-stage"))
    assert [r.to_ingest for r in log.records()] == ["tent-stage", "sydney-stage"]


def test_history_through_the_api_survives_a_malformed_record(on_air_reset: World) -> None:
    sw = on_air_reset.switcher()
    sw.switch("sydney-stage", "preview", force=True)
    with Path(sw.audit.uri).open("a") as handle:
        handle.write('{"caller": "mallory"}\n')
    with LocalServer(sw, caller="carol") as url:
        code, history = request(f"{url}/history")
    assert code == 200, history
    assert [h["to"] for h in history] == ["sydney-stage"]
    assert "audit.jsonl" not in json.dumps(history)
