"""No cut without its record: an audit store that fails (S3's SlowDown) around switches and takes
against the festival in the moto server. The intent record is written before UpdateFlowSource
(when it cannot be, nothing switches); the outcome after, retried; when it still cannot be written
the cut is on air and the answer is a success with a warning and a structured log line, never an
error that invites a retry."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streamfabric.api.local import LocalServer
from streamfabric.errors import AwsError, SwitchError
from streamfabric.switching import recording
from streamfabric.switching.audit import AuditRecord, LocalAuditLog
from streamfabric.switching.recording import AuditWriteError

from .conftest import World
from .test_api import request

pytestmark = pytest.mark.integration


class FailingAudit(LocalAuditLog):
    """A local audit log whose appends fail with SlowDown while ``fails(record)`` says so."""

    def __init__(self, path: Path, fails: Callable[[AuditRecord], bool]) -> None:
        super().__init__(path)
        self.fails = fails
        self.tries: list[str] = []

    def append(self, record: AuditRecord) -> None:
        self.tries.append(record.outcome)
        if self.fails(record):
            raise AwsError("s3 PutObject: SlowDown (Please reduce your request rate.)", code="SlowDown")
        super().append(record)


@pytest.fixture(autouse=True)
def no_retry_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(recording, "RETRY_DELAYS", (0.0, 0.0, 0.0))
    yield


def live_address(world: World) -> object:
    return world.hub_source("live")["Transport"]["SourceListenerAddress"]  # type: ignore[index]


def ip_of(world: World, ingest: str) -> str:
    return world.switcher().state.ingests[ingest].private_ip


def test_no_intent_record_no_cut(on_air_reset: World, tmp_path: Path) -> None:
    audit = FailingAudit(tmp_path / "audit.jsonl", lambda r: True)
    sw = on_air_reset.switcher(audit=audit)
    before = live_address(on_air_reset)
    with pytest.raises(AuditWriteError, match="nothing was switched"):
        sw.switch("sydney-stage", "live", force=True)
    assert live_address(on_air_reset) == before  # UpdateFlowSource was never called
    assert audit.tries == ["intent"] * 4  # tried, then retried after each delay
    with pytest.raises(AuditWriteError):
        sw.take(force=True)
    assert live_address(on_air_reset) == before


def test_a_cut_on_air_whose_outcome_cannot_be_written_answers_success_with_a_warning(
    on_air_reset: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    audit = FailingAudit(tmp_path / "audit.jsonl", lambda r: r.outcome != "intent")
    sw = on_air_reset.switcher(audit=audit, caller="arn:aws:iam::123456789012:user/carol")
    with caplog.at_level(logging.ERROR, logger="streamfabric.audit"):
        result = sw.switch("sydney-stage", "live", force=True)
    assert result.changed and result.warning and "do not retry" in result.warning
    assert "s3" not in result.warning.lower()  # no store detail for panel users: it is in the log
    assert live_address(on_air_reset) == ip_of(on_air_reset, "sydney-stage")
    # The intent record is there, unsettled: who cut what, and when.
    [intent] = audit.records()
    assert (intent.outcome, intent.to_ingest, intent.caller) == (
        "intent", "sydney-stage", "arn:aws:iam::123456789012:user/carol",
    )  # fmt: skip
    assert intent.request_id in result.warning
    assert [r.outcome for r in sw.history()] == ["intent"]
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "streamfabric.audit"]
    assert line["event"] == "audit_write_failed" and line["outcome"] == "switched"
    assert line["to"] == "sydney-stage" and "SlowDown" in line["error"]
    assert result.to_dict()["warning"] == result.warning

    take = sw.take(force=True)
    assert take.changed and take.warning
    assert live_address(on_air_reset) == ip_of(on_air_reset, "tent-stage")


def test_a_failed_write_is_retried_and_nothing_is_lost(on_air_reset: World, tmp_path: Path) -> None:
    failures = {"left": 2}

    def flaky(record: AuditRecord) -> bool:
        failures["left"] -= 1
        return failures["left"] >= 0

    audit = FailingAudit(tmp_path / "audit.jsonl", flaky)
    sw = on_air_reset.switcher(audit=audit)
    result = sw.switch("sydney-stage", "live", force=True)
    assert result.changed and result.warning is None and "warning" not in result.to_dict()
    assert [r.outcome for r in audit.records()] == ["intent", "switched"]
    assert [r.outcome for r in sw.history()] == ["switched"]  # the settled intent is not shown
    failures["left"] = 3
    take = sw.take(force=True)
    assert take.warning is None
    assert [r.outcome for r in audit.records()] == ["intent", "switched", "intent", "switched"]


def test_the_api_answers_200_with_the_warning(on_air_reset: World, tmp_path: Path) -> None:
    audit = FailingAudit(tmp_path / "audit.jsonl", lambda r: r.outcome == "switched")
    with LocalServer(on_air_reset.switcher(audit=audit), caller="carol") as url:
        code, body = request(f"{url}/switch", "POST", {"ingest": "sydney-stage", "force": True})
        assert code == 200 and body["changed"] and "do not retry" in body["warning"], body
        code, again = request(f"{url}/take", "POST", {})
        assert code == 200 and again["warning"]
    failing = FailingAudit(tmp_path / "other.jsonl", lambda r: True)
    with LocalServer(on_air_reset.switcher(audit=failing), caller="carol") as url:
        before = live_address(on_air_reset)
        code, problem = request(f"{url}/switch", "POST", {"ingest": "main-stage", "force": True})
        assert code == 502 and "nothing was switched" in problem["message"], problem
        assert live_address(on_air_reset) == before
    assert issubclass(AuditWriteError, SwitchError)
