"""Which signal check refused, and why, precisely: a source that is connected but sends no bits is
refused as ``no_bitrate`` by the metrics check; one whose metadata has no video by the metadata
check (real-time, read first); a picture arriving now outweighs a delayed "disconnected"
datapoint. The refusal's ``reason`` and ``seen["check"]`` say which, the
audit log keeps them and nothing is switched.

The emulator sends a connected source's bits with its picture and withholds both from a dead one, so
these combinations are AWS's answers rewritten for one ingest (tests/switching/aws_answers.py)."""

from __future__ import annotations

import pytest

from encoders import encoder_on  # tests/ is on sys.path
from streamfabric.errors import SignalCheckError

from .aws_answers import metric_values, no_video, rewrite
from .conftest import World

pytestmark = pytest.mark.integration

INGEST = "nyc-studio"  # neither on Live nor on Preview after on_air_reset


def _refused(world: World, session: object, ingest: str = INGEST) -> SignalCheckError:
    sw = world.switcher(session)  # type: ignore[arg-type]
    before = world.hub_source("live")["Transport"]
    with pytest.raises(SignalCheckError) as excinfo:
        sw.switch(ingest, "live")
    assert world.hub_source("live")["Transport"] == before  # nothing was switched
    record = sw.history()[-1]
    assert (record.outcome, record.to_ingest) == ("refused", ingest)
    assert record.evidence == excinfo.value.seen
    return excinfo.value


def test_a_connected_source_with_zero_bitrate_is_refused_as_no_bitrate(
    on_air_reset: World, readable_metrics: None
) -> None:
    world = on_air_reset
    session = world.session()
    arn = world.switcher().state.ingests[INGEST].flow_arn
    encoder_on(world.endpoint, arn)  # a picture arrives: what is rewritten below is the only fault
    rewrite(session, "cloudwatch", "GetMetricData", metric_values(arn, "SourceBitRate", 0.0))
    error = _refused(world, session)
    assert error.reason == "no_bitrate"
    assert error.seen["check"] == "metrics"
    assert error.seen["connected"] is True and error.seen["recent_bitrate_bps"] == 0.0
    assert "a bitrate of 0" in str(error)
    status = world.switcher(session).status()
    signal = next(i.signal for i in status.ingests if i.name == INGEST)
    assert signal is not None and (signal.has_signal, signal.reason) == (False, "no_bitrate")
    assert signal.connected is True


def test_a_picture_arriving_now_outweighs_a_disconnected_datapoint(
    on_air_reset: World, readable_metrics: None
) -> None:
    """The metadata is real-time evidence, a datapoint is CloudWatch's delayed one: a source whose
    metadata shows a picture now is cut to even when the newest datapoint says disconnected (it
    reconnected since), and the audit record keeps what the metrics said."""
    world = on_air_reset
    session = world.session()
    arn = world.switcher().state.ingests[INGEST].flow_arn
    encoder_on(world.endpoint, arn)
    rewrite(session, "cloudwatch", "GetMetricData", metric_values(arn, "SourceConnected", 0.0))
    sw = world.switcher(session)  # type: ignore[arg-type]
    assert sw.switch(INGEST, "live").changed
    record = sw.history()[-1]
    assert (record.outcome, record.to_ingest) == ("switched", INGEST)


def test_a_source_without_video_in_its_metadata_is_refused_by_the_metadata_check(
    on_air_reset: World,
) -> None:
    world = on_air_reset
    session = world.session()
    arn = world.switcher().state.ingests[INGEST].flow_arn
    encoder_on(world.endpoint, arn)  # a picture arrives: what is rewritten below is the only fault
    rewrite(session, "mediaconnect", "DescribeFlowSourceMetadata", no_video(arn))
    error = _refused(world, session)
    assert error.reason == "no_signal"
    assert error.seen["check"] == "metadata"  # the metrics say connected, with bits
    assert error.seen["ingest_encoding"] is None  # checked first: the metrics were not needed
    assert "receives no video now" in str(error)
    # forced, the same cut is made (the check, not the flow, refused)
    assert world.switcher(session).switch(INGEST, "live", force=True).changed
