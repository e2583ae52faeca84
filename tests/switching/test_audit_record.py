"""An audit record as written and read back: every field, ``from``/``to`` for the ingests."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path

from streamfabric.switching.audit import AuditRecord, LocalAuditLog

RECORD = AuditRecord(
    time="2026-12-01T20:00:00.000000+00:00",
    request_id="r-1",
    caller="ops@example.com",
    action="take",
    target="live+preview",
    from_ingest="nyc-studio",
    to_ingest="tent-stage",
    outcome="switched",
    message="",
    elapsed_ms=61.5,
    evidence={"tent-stage": {"bitrate": 4_000_000, "streams": [{"codec": "h264"}]}},
)


def test_every_field_is_written_under_its_name_with_from_and_to_for_the_ingests() -> None:
    data = RECORD.to_dict()
    names = {f.name for f in fields(AuditRecord)} - {"from_ingest", "to_ingest"} | {"from", "to"}
    assert set(data) == names
    assert data["from"] == "nyc-studio" and data["to"] == "tent-stage"
    assert AuditRecord.from_dict(json.loads(json.dumps(data))) == RECORD


def test_a_local_log_appends_lines_it_reads_back(tmp_path: Path) -> None:
    log = LocalAuditLog(tmp_path / "audit.jsonl")
    other = replace(RECORD, request_id="r-2")
    log.append(RECORD)
    log.append(other)
    assert log.records() == [RECORD, other]
    assert (tmp_path / "audit.jsonl").read_bytes() == log.encode(RECORD) + log.encode(other)
