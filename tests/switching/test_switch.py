"""switch / take / status / history against a deployed festival.json in moto."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path, like golden_util)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.errors import ConflictError, IngestNotActiveError, SwitchError, UnknownIngestError
from streamfabric.switching import Switcher

from .conftest import World

pytestmark = pytest.mark.integration


def ip_of(world: World, ingest: str) -> str:
    return world.switcher().state.ingests[ingest].private_ip


def warm(sw: Switcher) -> None:
    """What a long-lived process has done before the show: one status poll, its caller identity."""
    sw.status()
    sw.caller()


def test_switch_is_one_mutating_call_and_no_describe(on_air_reset: World) -> None:
    world = on_air_reset
    session = world.session()
    counter = helpers.CallCounter(session)
    sw = world.switcher(session)
    warm(sw)
    counter.reset()

    result = sw.switch("sydney-stage", "live")

    assert counter.calls == [("mediaconnect", "UpdateFlowSource")]
    assert (result.previous, result.ingest, result.changed) == ("main-stage", "sydney-stage", True)
    assert result.request_id and result.elapsed_ms > 0
    source: Any = world.hub_source("live")
    assert source["Transport"]["SourceListenerAddress"] == ip_of(world, "sydney-stage")
    assert source["Transport"]["SourceListenerPort"] == 7000
    # the partial update kept everything the post-steps set
    assert source["Transport"]["Protocol"] == "srt-caller"
    assert source["VpcInterfaceName"] == "live-vpc"
    assert source["Decryption"]["KeyType"] == "srt-password"


def test_preview_uses_the_preview_port(on_air_reset: World) -> None:
    sw = on_air_reset.switcher()
    sw.switch("nyc-studio", "preview")
    source: Any = on_air_reset.hub_source("preview")
    assert source["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "nyc-studio")
    assert source["Transport"]["SourceListenerPort"] == 7001


def test_switching_to_what_is_on_air_makes_no_call(on_air_reset: World) -> None:
    session = on_air_reset.session()
    counter = helpers.CallCounter(session)
    sw = on_air_reset.switcher(session)
    warm(sw)
    counter.reset()
    result = sw.switch("main-stage", "live")
    assert not result.changed
    assert counter.calls == []
    assert sw.history()[-1].outcome == "unchanged"


def test_unknown_ingest_names_the_valid_ones_and_calls_nothing(on_air_reset: World) -> None:
    session = on_air_reset.session()
    counter = helpers.CallCounter(session)
    sw = on_air_reset.switcher(session)
    sw.state  # noqa: B018  (load the runtime state first)
    counter.reset()
    with pytest.raises(UnknownIngestError) as info:
        sw.switch("glastonbury", "live")
    assert "glastonbury" in str(info.value) and "sydney-stage" in str(info.value)
    assert counter.calls == []


def test_expected_mismatch_is_a_conflict_naming_who_switched(on_air_reset: World) -> None:
    first = on_air_reset.switcher(caller="arn:aws:iam::123456789012:user/alice")
    second = on_air_reset.switcher(caller="arn:aws:iam::123456789012:user/bob")
    warm(second)  # bob's view: main-stage on live
    first.switch("nyc-studio", "live", expected="main-stage")
    with pytest.raises(ConflictError) as info:
        second.switch("sydney-stage", "live", expected="main-stage")
    assert info.value.on_air == "nyc-studio"
    assert info.value.last_switch is not None
    assert info.value.last_switch["caller"] == "arn:aws:iam::123456789012:user/alice"
    source: Any = on_air_reset.hub_source("live")
    assert source["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "nyc-studio")
    assert [r.outcome for r in first.history()] == ["switched", "conflict"]


def test_an_ingest_that_is_not_active_is_refused_unless_forced(on_air_reset: World) -> None:
    world = on_air_reset
    session = world.session()
    sw = world.switcher(session)
    ingest = sw.state.ingests["sao-paulo-stage"]
    client = session.client("mediaconnect", region_name=ingest.region)
    client.stop_flow(FlowArn=ingest.flow_arn)
    try:
        counter = helpers.CallCounter(session)
        sw2 = world.switcher(session)
        warm(sw2)
        counter.reset()
        with pytest.raises(IngestNotActiveError, match="STANDBY"):
            sw2.switch("sao-paulo-stage", "live")
        assert [c for c in counter.mutating if c[0] == "mediaconnect"] == []
        source: Any = world.hub_source("live")
        assert source["Transport"]["SourceListenerAddress"] == ip_of(world, "main-stage")
        assert sw2.switch("sao-paulo-stage", "live", force=True).changed
    finally:
        client.start_flow(FlowArn=ingest.flow_arn)


def test_take_swaps_live_and_preview(on_air_reset: World) -> None:
    session = on_air_reset.session()
    counter = helpers.CallCounter(session)
    sw = on_air_reset.switcher(session)
    warm(sw)
    counter.reset()
    result = sw.take()
    assert (result.live, result.preview) == ("tent-stage", "main-stage")
    assert sorted(counter.calls) == [("mediaconnect", "UpdateFlowSource")] * 2
    live: Any = on_air_reset.hub_source("live")
    preview: Any = on_air_reset.hub_source("preview")
    assert live["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "tent-stage")
    assert preview["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "main-stage")
    assert preview["Transport"]["SourceListenerPort"] == 7001
    (record,) = sw.history()
    assert (record.action, record.from_ingest, record.to_ingest, record.outcome) == (
        "take", "main-stage", "tent-stage", "switched"
    )  # fmt: skip


class FailingGateway(AwsGateway):
    """Fails update_flow_source for one hub flow (by FlowArn)."""

    def __init__(self, fail_arn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fail_arn = fail_arn

    def call(self, service: str, region: str | None, operation: str, **params: Any) -> dict[str, Any]:
        if operation == "update_flow_source" and params.get("FlowArn") == self.fail_arn:
            from streamfabric.errors import AwsError

            raise AwsError("mediaconnect.update_flow_source: ServiceUnavailable", code="ServiceUnavailable")
        return super().call(service, region, operation, **params)


def test_a_take_that_half_fails_puts_the_other_half_back(on_air_reset: World) -> None:
    state = on_air_reset.switcher().state
    gateway = FailingGateway(state.preview.flow_arn, session=on_air_reset.session(), waiter_delay=0)
    sw = Switcher(on_air_reset.model, gateway=gateway)
    with pytest.raises(SwitchError, match="live was put back on 'main-stage'"):
        sw.take()
    live: Any = on_air_reset.hub_source("live")
    preview: Any = on_air_reset.hub_source("preview")
    assert live["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "main-stage")
    assert preview["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "tent-stage")
    assert sw.history()[-1].outcome == "failed"


def test_a_failed_switch_leaves_the_source_as_it_was(on_air_reset: World) -> None:
    state = on_air_reset.switcher().state
    gateway = FailingGateway(state.live.flow_arn, session=on_air_reset.session(), waiter_delay=0)
    sw = Switcher(on_air_reset.model, gateway=gateway)
    with pytest.raises(SwitchError, match="keeps its previous source"):
        sw.switch("nyc-studio", "live", force=True)
    live: Any = on_air_reset.hub_source("live")
    assert live["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "main-stage")
    assert sw.history()[-1].outcome == "failed"


def test_status_reads_aws_not_memory(on_air_reset: World) -> None:
    world = on_air_reset
    sw = world.switcher()
    assert sw.status().live.ingest == "main-stage"
    # Someone re-points Live behind this process's back.
    state = sw.state
    world.session().client("mediaconnect", region_name=state.hub_region).update_flow_source(
        FlowArn=state.live.flow_arn, SourceArn=state.live.source_arn,
        SourceListenerAddress=state.ingests["boston-remote"].private_ip, SourceListenerPort=7000,
    )  # fmt: skip
    status = sw.status()
    assert status.live.ingest == "boston-remote"
    assert status.preview.ingest == "tent-stage"
    assert {i.name for i in status.ingests} == set(world.model.ingest_names)
    assert all(i.state == "ACTIVE" and i.healthy for i in status.ingests)
    assert [i.name for i in status.ingests if i.on_live] == ["boston-remote"]
    json.dumps(status.to_dict())


def test_history_records_every_switch_in_order(on_air_reset: World) -> None:
    sw = on_air_reset.switcher(caller="operator-1")
    sw.switch("nyc-studio", "preview")
    sw.switch("nyc-studio", "preview")
    sw.take()
    records = sw.history()
    assert [(r.action, r.target, r.from_ingest, r.to_ingest, r.outcome) for r in records] == [
        ("switch", "preview", "tent-stage", "nyc-studio", "switched"),
        ("switch", "preview", "nyc-studio", "nyc-studio", "unchanged"),
        ("take", "live+preview", "main-stage", "nyc-studio", "switched"),
    ]
    assert all(r.caller == "operator-1" and r.time.endswith("+00:00") for r in records)
    assert sw.history(limit=1) == records[-1:]


def test_concurrent_switches_in_one_process_are_all_recorded_in_order(on_air_reset: World) -> None:
    sw = on_air_reset.switcher(caller="panel")
    names = ["nyc-studio", "boston-remote", "sydney-stage", "sao-paulo-stage", "main-stage"]
    threads = [threading.Thread(target=sw.switch, args=(names[i % 5], "live")) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = sw.history()
    assert len(records) == 20
    last = [r for r in records if r.outcome == "switched"][-1]
    source: Any = on_air_reset.hub_source("live")
    assert source["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, last.to_ingest)


def test_take_with_expected_refuses_when_preview_changed(on_air_reset: World) -> None:
    panel = on_air_reset.switcher(caller="panel")
    warm(panel)  # the panel saw main-stage / tent-stage
    on_air_reset.switcher(caller="alice").switch("boston-remote", "preview")
    with pytest.raises(ConflictError) as info:
        panel.take(expected_live="main-stage", expected_preview="tent-stage")
    assert (info.value.target, info.value.on_air) == ("preview", "boston-remote")
    assert info.value.last_switch is not None and info.value.last_switch["caller"] == "alice"
    live: Any = on_air_reset.hub_source("live")
    assert live["Transport"]["SourceListenerAddress"] == ip_of(on_air_reset, "main-stage")


def test_status_is_cached_for_its_ttl_and_a_switch_invalidates_it(on_air_reset: World) -> None:
    now = [0.0]
    session = on_air_reset.session()
    counter = helpers.CallCounter(session)
    sw = on_air_reset.switcher(session, status_ttl=1.0, clock=lambda: now[0])
    first = sw.status()
    reads = len(counter.calls)
    assert sw.status() is first and len(counter.calls) == reads  # within the ttl: no call
    now[0] = 1.5
    assert sw.status() is not first and len(counter.calls) > reads  # expired: read again
    again = sw.status()
    sw.switch("nyc-studio", "live")
    assert sw.status() is not again and sw.status().live.ingest == "nyc-studio"
