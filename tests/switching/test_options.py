"""What a Switcher is built from: its options and dependencies, as objects or as keywords; and the
audit record of an attempt (no AWS call: nothing here is switched)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.switching import Switcher
from streamfabric.switching.audit import LocalAuditLog
from streamfabric.switching.freshness import AuditWatch
from streamfabric.switching.options import SwitcherDependencies, SwitcherOptions
from streamfabric.switching.recording import Attempt, Recorder
from streamfabric.topology.loading import load_topology

FESTIVAL = Path(__file__).resolve().parents[2] / "examples" / "festival.json"


@pytest.fixture()
def gateway() -> AwsGateway:
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1")
    return AwsGateway(session)


def test_keywords_go_to_the_options_or_the_dependencies(gateway: AwsGateway, tmp_path: Path) -> None:
    audit = LocalAuditLog(tmp_path / "audit.jsonl")
    sw = Switcher(
        load_topology(str(FESTIVAL)), gateway=gateway, audit=audit, status_ttl=2.0, settle_attempts=3
    )
    assert sw.options == SwitcherOptions(status_ttl=2.0, settle_attempts=3)
    assert sw.gateway is gateway and sw.audit is audit


def test_a_keyword_overrides_the_options_and_dependencies_given(gateway: AwsGateway, tmp_path: Path) -> None:
    options = SwitcherOptions(health_ttl=1.0, status_ttl=9.0)
    dependencies = SwitcherDependencies(
        gateway=gateway, audit=LocalAuditLog(tmp_path / "a.jsonl"), caller="x"
    )
    sw = Switcher(load_topology(str(FESTIVAL)), options=options, dependencies=dependencies, status_ttl=0.5)
    assert sw.options == SwitcherOptions(health_ttl=1.0, status_ttl=0.5)
    assert sw.caller() == "x" and sw.gateway is gateway


def test_an_unknown_keyword_is_refused(gateway: AwsGateway) -> None:
    with pytest.raises(TypeError, match="unexpected keyword arguments: heath_ttl"):
        Switcher(load_topology(str(FESTIVAL)), gateway=gateway, heath_ttl=1.0)  # type: ignore[call-arg]


def test_a_running_switcher_takes_a_new_status_ttl_and_settle_window(
    gateway: AwsGateway, tmp_path: Path
) -> None:
    sw = Switcher(load_topology(str(FESTIVAL)), gateway=gateway, audit=LocalAuditLog(tmp_path / "a.jsonl"))
    before = sw.options
    sw.status_ttl, sw.settle_window = 1.0, 0.0
    assert (sw.status_ttl, sw.settle_window) == (1.0, 0.0)
    assert sw.options == SwitcherOptions(status_ttl=1.0, settle_window=0.0)
    assert before == SwitcherOptions()  # frozen: replaced, not changed


def test_a_record_names_the_attempt_and_its_caller(gateway: AwsGateway, tmp_path: Path) -> None:
    audit = LocalAuditLog(tmp_path / "audit.jsonl")
    recorder = Recorder(audit, AuditWatch(audit, gateway), caller=lambda: "the switcher's caller")
    attempt = Attempt("switch", "live", "nyc-studio", "tent-stage")
    first = recorder.record(attempt, "refused", "no signal", {"tent-stage": {"connected": False}})
    second = recorder.record(Attempt("take", "live+preview", "a", "b", caller="panel"), "switched")
    assert (first.caller, first.request_id, first.outcome) == (
        "the switcher's caller",
        attempt.request_id,
        "refused",
    )
    assert (first.from_ingest, first.to_ingest, first.evidence) == (
        "nyc-studio",
        "tent-stage",
        {"tent-stage": {"connected": False}},
    )
    assert first.elapsed_ms >= 0 and second.caller == "panel"
    assert [r.request_id for r in audit.records()] == [first.request_id, second.request_id]
    assert recorder.last_switch("preview") == second.to_dict()  # a take switches both
    assert recorder.last_switch("live") == second.to_dict()
