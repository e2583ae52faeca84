"""Flow maintenance in the emulator (src/streamfabric/sandbox/mediaconnect/maintenance.py): the restart
MediaConnect makes in a flow's window interrupts it and what it feeds, and the window cannot be
changed from 4 hours before its start to its end. Through boto3 and the emulator's own HTTP API
(``/moto-api/streamfabric/maintenance``, ``/moto-api/streamfabric/strictness``)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from streamfabric.sandbox.server import maintenance_restart, set_strictness

REGION = "us-east-1"
WINDOW = {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}


@pytest.fixture()
def mc(aws: str) -> Any:
    return boto3.client("mediaconnect", region_name=REGION, endpoint_url=aws)


def _running(mc: Any, name: str, **kwargs: Any) -> dict[str, Any]:
    source = {"Name": "s", "Protocol": "srt-listener", "IngestPort": 5000, "WhitelistCidr": "0.0.0.0/0"}
    flow = mc.create_flow(Name=name, Source=source, **kwargs)["Flow"]
    mc.start_flow(FlowArn=flow["FlowArn"])
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "ACTIVE"
    return dict(flow)


def test_the_restart_goes_through_standby_and_starting_and_interrupts_what_the_flow_feeds(
    mc: Any, aws: str, encoders: Any
) -> None:
    ingest = _running(mc, "ingest", Outputs=[{"Name": "to-live", "Protocol": "srt-listener", "Port": 7000,
                                             "CidrAllowList": ["0.0.0.0/0"]}])  # fmt: skip
    encoders.on(ingest["FlowArn"])
    address = mc.describe_flow(FlowArn=ingest["FlowArn"])["Flow"]["Outputs"][0]["ListenerAddress"]
    caller = {
        "Name": "hop",
        "Protocol": "srt-caller",
        "SourceListenerPort": 7000,
        "SourceListenerAddress": address,
    }
    hub = mc.create_flow(Name="live", Source=caller)["Flow"]
    mc.start_flow(FlowArn=hub["FlowArn"])
    mc.describe_flow(FlowArn=hub["FlowArn"])
    assert "TransportMediaInfo" in mc.describe_flow_source_metadata(FlowArn=hub["FlowArn"])

    maintenance_restart(aws, ingest["FlowArn"])
    meta = mc.describe_flow_source_metadata(FlowArn=ingest["FlowArn"])
    assert "TransportMediaInfo" not in meta and meta["Messages"][0]["Code"] == "FLOW_NOT_ACTIVE"
    assert "TransportMediaInfo" not in mc.describe_flow_source_metadata(FlowArn=hub["FlowArn"])
    with pytest.raises(ClientError) as info:
        mc.start_flow(FlowArn=ingest["FlowArn"])
    assert info.value.response["Error"]["Code"] == "BadRequestException"
    seen = [mc.describe_flow(FlowArn=ingest["FlowArn"])["Flow"]["Status"] for _ in range(3)]
    assert seen == ["STANDBY", "STARTING", "ACTIVE"]
    assert "TransportMediaInfo" in mc.describe_flow_source_metadata(FlowArn=hub["FlowArn"])


def test_the_restart_counts_a_disconnection_of_the_sources_it_interrupts(
    mc: Any, aws: str, encoders: Any
) -> None:
    """SourceDisconnections as GetMetricData will answer once the datapoints are readable (the
    emulator's provider asked for the moment two minutes on: nobody waits the delivery delay)."""
    from streamfabric.sandbox.mediaconnect import metrics

    flow = _running(mc, "restarted")
    encoders.on(flow["FlowArn"])
    maintenance_restart(aws, flow["FlowArn"])
    for _ in range(3):
        mc.describe_flow(FlowArn=flow["FlowArn"])
    data = metrics.flow_metrics("123456789012", REGION, now=time.time() + 120)
    mine = [d for d in data if d.dimensions[0].value == flow["FlowArn"]]
    drops = [float(d.value) for d in mine if d.name == "SourceDisconnections"]
    connected = [float(d.value) for d in mine if d.name == "SourceConnected"]
    assert sum(drops) == 1.0 and 0.0 in connected and connected[-1] == 1.0


def test_a_flow_that_is_not_running_has_no_restart(mc: Any, aws: str) -> None:
    import urllib.error

    source = {"Name": "s", "Protocol": "srt-listener", "IngestPort": 5000, "WhitelistCidr": "0.0.0.0/0"}
    flow = mc.create_flow(Name="standing-by", Source=source)["Flow"]
    with pytest.raises(urllib.error.HTTPError) as info:
        maintenance_restart(aws, flow["FlowArn"])
    assert info.value.code == 409


@pytest.mark.parametrize(
    ("now", "refused"),
    [
        ("2026-01-06T01:30:00+00:00", True),  # Tuesday, 2.5 hours before the window
        ("2026-01-06T05:00:00+00:00", True),  # during the two-hour window
        ("2026-01-05T23:59:00+00:00", False),  # Monday, more than 4 hours before
        ("2026-01-06T06:00:00+00:00", False),  # the window is over
    ],
)
def test_the_window_cannot_change_from_4_hours_before_its_start_to_its_end(
    mc: Any, aws: str, now: str, refused: bool
) -> None:
    set_strictness(aws, clock={"wall": now})
    flow = _running(mc, "windowed", Maintenance=WINDOW)
    mc.update_flow(FlowArn=flow["FlowArn"], Maintenance=WINDOW)  # no change: never refused
    change = {"MaintenanceDay": "Sunday", "MaintenanceStartHour": "23:00"}
    if refused:
        with pytest.raises(ClientError) as info:
            mc.update_flow(FlowArn=flow["FlowArn"], Maintenance=change)
        assert info.value.response["Error"]["Code"] == "BadRequestException"
        assert "4 hours" in info.value.response["Error"]["Message"]
        assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Maintenance"] == WINDOW
    else:
        mc.update_flow(FlowArn=flow["FlowArn"], Maintenance=change)
        assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Maintenance"] == change
