"""Cut only to a live picture: status shows each source's signal; switch and take refuse a dead or
mismatched ingest unless forced, and the audit log keeps what the check saw."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path, like golden_util)
from streamfabric.errors import SignalCheckError
from streamfabric.sandbox.server import signal

from .conftest import World

pytestmark = pytest.mark.integration


@pytest.fixture()
def dead(on_air_reset: World) -> Iterator[tuple[World, str]]:
    """sydney-stage's encoder stops sending; restored afterwards."""
    world = on_air_reset
    arn = world.switcher().state.ingests["sydney-stage"].flow_arn
    signal(world.endpoint, arn, connected=False)
    try:
        yield world, arn
    finally:
        signal(world.endpoint, arn, connected=True)


def test_status_shows_each_ingests_signal_with_one_metrics_call_per_region(
    on_air_reset: World, readable_metrics: None
) -> None:
    world = on_air_reset
    session = world.session()
    counter = helpers.CallCounter(session)
    sw = world.switcher(session)
    status = sw.status()
    regions = {i.region for i in status.ingests} | {world.model.hub.region}
    metric_calls = [c for c in counter.calls if c == ("cloudwatch", "GetMetricData")]
    assert len(metric_calls) == len(regions)
    for ingest in status.ingests:
        assert ingest.signal is not None and ingest.signal.has_signal, ingest
        assert ingest.signal.connected is True
        assert ingest.signal.bitrate_bps and ingest.signal.bitrate_bps > 1e6
        assert (ingest.signal.codec, ingest.signal.resolution, ingest.signal.frame_rate) == (
            "h264",
            "1920x1080",
            "50",
        )
        assert ingest.signal.not_recovered_packets == 0
    assert status.live.signal is not None and status.live.signal.has_signal  # the hub receives main-stage
    assert status.to_dict()["ingests"][0]["signal"]["bitrate_bps"] > 1e6


def test_a_dead_ingest_is_refused_naming_the_missing_signal(dead: tuple[World, str]) -> None:
    world, _ = dead
    session = world.session()
    counter = helpers.CallCounter(session)
    sw = world.switcher(session)
    status = sw.status()
    sydney = next(i for i in status.ingests if i.name == "sydney-stage")
    assert sydney.signal is not None and not sydney.signal.has_signal and sydney.signal.reason == "no_signal"
    counter.reset()
    with pytest.raises(SignalCheckError, match="no signal") as excinfo:
        sw.switch("sydney-stage", "live")
    assert excinfo.value.reason == "no_signal" and excinfo.value.seen["receiving"] is False
    assert counter.mutating == []  # the cached signal answered: nothing was called, nothing changed
    assert (
        world.hub_source("live")["Transport"]["SourceListenerAddress"]
        == sw.state.ingests["main-stage"].private_ip
    )
    record = sw.history()[-1]
    assert (record.outcome, record.to_ingest) == ("refused", "sydney-stage")
    assert record.evidence is not None and record.evidence["receiving"] is False
    forced = sw.switch("sydney-stage", "live", force=True)
    assert forced.changed and sw.history()[-1].message == "forced: no signal check"


def test_a_cold_switcher_reads_the_signal_once(on_air_reset: World) -> None:
    """No status poll before: one GetMetricData and one metadata read of the ingest and the target."""
    session = on_air_reset.session()
    counter = helpers.CallCounter(session)
    sw = on_air_reset.switcher(session, caller="test")
    sw.switch("nyc-studio", "live")
    calls = Counter(counter.calls)
    assert calls[("cloudwatch", "GetMetricData")] == 1
    assert calls[("mediaconnect", "DescribeFlowSourceMetadata")] == 2
    assert calls[("mediaconnect", "UpdateFlowSource")] == 1
    counter.reset()
    sw.switch("boston-remote", "live")  # fresh metrics of the target now known; the ingest's read
    assert Counter(counter.calls)[("cloudwatch", "GetMetricData")] == 1
    assert Counter(counter.calls)[("mediaconnect", "DescribeFlowSourceMetadata")] == 1


def test_another_encoding_than_the_target_carries_is_refused(on_air_reset: World) -> None:
    world = on_air_reset
    arn = world.switcher().state.ingests["boston-remote"].flow_arn
    signal(world.endpoint, arn, width=1280, height=720, codec="hevc")
    try:
        sw = world.switcher()
        sw.status()
        with pytest.raises(SignalCheckError, match="does not match") as excinfo:
            sw.switch("boston-remote", "live")
        error: Any = excinfo.value
        assert error.reason == "encoding_mismatch"
        assert error.seen["differences"] == {
            "codec": {"ingest": "hevc", "target": "h264"},
            "resolution": {"ingest": "1280x720", "target": "1920x1080"},
        }
        assert sw.history()[-1].evidence["differences"]["codec"]["ingest"] == "hevc"  # type: ignore[index]
        assert sw.switch("boston-remote", "live", force=True).changed
    finally:
        signal(world.endpoint, arn, width=1920, height=1080, codec="h264")


def test_take_refuses_a_dead_preview(dead: tuple[World, str]) -> None:
    world, _ = dead
    sw = world.switcher()
    sw.switch("sydney-stage", "preview", force=True)
    sw.status()
    with pytest.raises(SignalCheckError) as excinfo:
        sw.take()
    assert excinfo.value.reason == "no_signal"
    assert sw.status().live.ingest == "main-stage"
    assert sw.take(force=True).live == "sydney-stage"
