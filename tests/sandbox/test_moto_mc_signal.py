"""The sandbox's source monitoring: metadata, thumbnails and AWS/MediaConnect metrics follow what
encoders send (nothing, until one does), late as CloudWatch is."""

from __future__ import annotations

import base64
import io
import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "eu-west-1"


@pytest.fixture()
def clients(aws: str) -> dict[str, Any]:
    raw: dict[str, Any] = {}

    def capture(http_response: Any = None, operation_name: str = "", **_: Any) -> None:
        raw[operation_name] = json.loads(http_response.content or b"{}")

    mc = boto3.client("mediaconnect", region_name=REGION, endpoint_url=aws)
    mc.meta.events.register("after-call.mediaconnect.*", lambda http_response, model, **kw: capture(
        http_response=http_response, operation_name=model.name))  # fmt: skip
    cw = boto3.client("cloudwatch", region_name=REGION, endpoint_url=aws)
    return {"mc": mc, "cw": cw, "raw": raw, "url": aws}


def _listener_flow(mc: Any, name: str, thumbnails: bool = True) -> str:
    kwargs: dict[str, Any] = {}
    if thumbnails:
        kwargs["SourceMonitoringConfig"] = {"ThumbnailState": "ENABLED"}
    flow = mc.create_flow(
        Name=name,
        Source={
            "Name": "encoder",
            "Protocol": "srt-listener",
            "IngestPort": 5000,
            "WhitelistCidr": "0.0.0.0/0",
        },
        **kwargs,
    )["Flow"]
    arn = str(flow["FlowArn"])
    mc.start_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)  # completes STARTING -> ACTIVE
    return arn


def _signal(url: str, **body: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/moto-api/streamfabric/signal", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def _members(model_shape: Any) -> set[str]:
    return {m.serialization.get("name", n) for n, m in model_shape.members.items()}


def _assert_wire_keys(mc: Any, operation: str, payload: Any, shape: Any = None) -> None:
    """Every key the emulator sent is a member of botocore's output shape (recursively)."""
    shape = shape or mc.meta.service_model.operation_model(operation).output_shape
    if shape.type_name == "structure":
        assert isinstance(payload, dict)
        wire = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        assert set(payload) <= set(wire), (operation, set(payload) - set(wire))
        for key, value in payload.items():
            _assert_wire_keys(mc, operation, value, wire[key])
    elif shape.type_name == "list":
        for item in payload:
            _assert_wire_keys(mc, operation, item, shape.member)


def test_a_listener_nobody_sends_to_reports_no_media_until_an_encoder_does(clients: dict[str, Any]) -> None:
    mc, raw = clients["mc"], clients["raw"]
    arn = _listener_flow(mc, "t-main-stage")
    meta = mc.describe_flow_source_metadata(FlowArn=arn)  # a running flow, and nobody sends
    assert "TransportMediaInfo" not in meta and meta["Messages"][0]["Code"] == "NO_SOURCE_DATA"
    _signal(clients["url"], flowArn=arn, connected=True)  # the encoder starts
    meta = mc.describe_flow_source_metadata(FlowArn=arn)
    _assert_wire_keys(mc, "DescribeFlowSourceMetadata", raw["DescribeFlowSourceMetadata"])
    video = meta["TransportMediaInfo"]["Programs"][0]["Streams"][0]
    assert (video["StreamType"], video["Codec"], video["FrameResolution"]) == (
        "video", "h264", {"FrameWidth": 1920, "FrameHeight": 1080},
    )  # fmt: skip
    _signal(clients["url"], flowArn=arn, width=1280, height=720, codec="hevc")
    video = mc.describe_flow_source_metadata(FlowArn=arn)["TransportMediaInfo"]["Programs"][0]["Streams"][0]
    assert (video["Codec"], video["FrameResolution"]["FrameWidth"]) == ("hevc", 1280)
    _signal(clients["url"], flowArn=arn, connected=False)
    meta = mc.describe_flow_source_metadata(FlowArn=arn)
    assert "TransportMediaInfo" not in meta
    assert meta["Messages"][0]["Code"] == "NO_SOURCE_DATA"


def test_a_stopped_flow_receives_nothing(clients: dict[str, Any]) -> None:
    mc = clients["mc"]
    arn = _listener_flow(mc, "t-stopped")
    _signal(clients["url"], flowArn=arn, connected=True)
    mc.stop_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    meta = mc.describe_flow_source_metadata(FlowArn=arn)
    assert "TransportMediaInfo" not in meta and meta["Messages"][0]["Code"] == "FLOW_NOT_ACTIVE"


def test_thumbnail_is_a_480_by_270_jpeg_of_the_source_when_enabled(clients: dict[str, Any]) -> None:
    from PIL import Image

    mc, raw = clients["mc"], clients["raw"]
    arn = _listener_flow(mc, "t-tent-stage")
    details = mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]
    assert "Thumbnail" not in details and details["ThumbnailMessages"][0]["Code"] == "NO_SOURCE_DATA"
    _signal(clients["url"], flowArn=arn, connected=True, width=1280, height=720)
    details = mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]
    _assert_wire_keys(mc, "DescribeFlowSourceThumbnail", raw["DescribeFlowSourceThumbnail"])
    image = base64.b64decode(details["Thumbnail"])
    assert image[:3] == b"\xff\xd8\xff"  # JPEG SOI marker
    picture = Image.open(io.BytesIO(image))
    assert picture.format == "JPEG" and picture.size == (480, 270)  # the User Guide's size, any source
    assert abs(details["Timestamp"] - datetime.now(UTC)) < timedelta(minutes=1)
    _signal(clients["url"], flowArn=arn, connected=False)
    details = mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]
    assert "Thumbnail" not in details and details["ThumbnailMessages"][0]["Code"] == "NO_SOURCE_DATA"


def test_no_thumbnail_unless_the_flow_enables_thumbnails(clients: dict[str, Any]) -> None:
    mc = clients["mc"]
    arn = _listener_flow(mc, "t-plain", thumbnails=False)
    _signal(clients["url"], flowArn=arn, connected=True)
    details = mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]
    assert "Thumbnail" not in details and details["ThumbnailMessages"][0]["Code"] == "THUMBNAIL_DISABLED"
    mc.update_flow(FlowArn=arn, SourceMonitoringConfig={"ThumbnailState": "ENABLED"})
    assert mc.describe_flow(FlowArn=arn)["Flow"]["SourceMonitoringConfig"] == {"ThumbnailState": "ENABLED"}
    assert "Thumbnail" in mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]


def test_unknown_flow_is_not_found(clients: dict[str, Any]) -> None:
    arn = f"arn:aws:mediaconnect:{REGION}:123456789012:flow:0000:nope"
    with pytest.raises(ClientError) as excinfo:
        clients["mc"].describe_flow_source_thumbnail(FlowArn=arn)
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"


def _metric_values(cw: Any, arns: list[str], metric: str, stat: str, span: int = 300) -> list[list[float]]:
    return [[v for _, v in series] for series in _metric_series(cw, arns, metric, stat, span)]


def _metric_series(
    cw: Any, arns: list[str], metric: str, stat: str, span: int = 300, period: int = 10
) -> list[list[tuple[datetime, float]]]:
    """Each flow's (timestamp, value) datapoints over the last ``span`` seconds, newest first."""
    now = datetime.now(UTC)
    response = cw.get_metric_data(
        StartTime=now - timedelta(seconds=span), EndTime=now + timedelta(seconds=10),
        ScanBy="TimestampDescending",
        MetricDataQueries=[
            {"Id": f"q{i}", "MetricStat": {"Metric": {"Namespace": "AWS/MediaConnect", "MetricName": metric,
             "Dimensions": [{"Name": "FlowARN", "Value": arn}]}, "Period": period, "Stat": stat}}
            for i, arn in enumerate(arns)
        ],
    )  # fmt: skip
    by_id = {
        r["Id"]: list(zip(r["Timestamps"], r["Values"], strict=True)) for r in response["MetricDataResults"]
    }
    return [by_id[f"q{i}"] for i in range(len(arns))]


def _ran_since(arn: str, seconds_ago: float, encoder: bool = True) -> float:
    """The flow ran, its encoder sending, from ``seconds_ago`` on: the past the emulator would have
    recorded had the test waited (its history and encoder timelines, written directly)."""
    from streamfabric.sandbox.mediaconnect import encoders, history

    since = time.time() - seconds_ago
    history.record(arn, True, at=since)
    if encoder:
        encoders.set_signal(arn, now=since, connected=True)
    return since


def _started(mc: Any, name: str, seconds_ago: float, protocol: str = "srt-listener") -> str:
    source: dict[str, Any] = {"Name": "encoder", "Protocol": protocol, "WhitelistCidr": "0.0.0.0/0"}
    source["IngestPort"] = 5000
    arn = str(mc.create_flow(Name=name, Source=source)["Flow"]["FlowArn"])
    _ran_since(arn, seconds_ago)
    mc.start_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    return arn


def test_metrics_of_many_flows_in_one_get_metric_data(clients: dict[str, Any]) -> None:
    from streamfabric.sandbox.mediaconnect import encoders

    mc, cw = clients["mc"], clients["cw"]
    first, second = _started(mc, "t-a", 240), _started(mc, "t-b", 240)
    encoders.set_signal(second, now=time.time() - 150, connected=False)  # its encoder stopped then
    connected = _metric_values(cw, [first, second], "SourceConnected", "Minimum")
    assert connected[0] and set(connected[0]) == {1.0}
    assert connected[1][0] == 0.0 and 1.0 in connected[1]  # newest period first
    bitrate = _metric_values(cw, [first, second], "SourceBitRate", "Average")
    assert bitrate[0] and min(bitrate[0]) > 1_000_000
    disconnections = _metric_values(cw, [second], "SourceDisconnections", "Sum")[0]
    assert sum(disconnections) == 1.0


def test_datapoints_are_readable_only_after_the_delivery_delay(clients: dict[str, Any]) -> None:
    """The newest readable datapoint is older than the delay (60 s unless configured), with its true
    timestamp: a flow started 30 s ago has none readable yet."""
    from streamfabric.sandbox.server import set_strictness

    mc, cw = clients["mc"], clients["cw"]
    old, new = _started(mc, "t-old", 240), _started(mc, "t-new", 30)
    before = datetime.now(UTC)
    series = _metric_series(cw, [old, new], "SourceBitRate", "Average", period=1)
    assert series[1] == []  # ran 30 s: nothing is readable yet
    assert series[0] and before - series[0][0][0] > timedelta(seconds=60)
    assert before - series[0][0][0] < timedelta(seconds=70)  # as new as the delay allows
    set_strictness(clients["url"], metricDelay=10)
    series = _metric_series(cw, [old, new], "SourceBitRate", "Average", period=1)
    assert series[1] and timedelta(seconds=10) < datetime.now(UTC) - series[1][0][0] < timedelta(seconds=20)


def test_source_connected_is_posted_only_for_srt_and_zixi_sources(clients: dict[str, Any]) -> None:
    mc, cw = clients["mc"], clients["cw"]
    srt, rtp = _started(mc, "t-srt", 200), _started(mc, "t-rtp", 200, protocol="rtp")
    zixi = _started(mc, "t-zixi", 200, protocol="zixi-push")
    connected = _metric_values(cw, [srt, rtp, zixi], "SourceConnected", "Minimum")
    assert connected[0] and connected[2] and connected[1] == []
    assert _metric_values(cw, [rtp], "SourceBitRate", "Average")[0]  # the other metrics are there


def test_a_caller_source_receives_what_the_listener_it_reaches_sends(
    clients: dict[str, Any], aws: str
) -> None:
    mc = clients["mc"]
    ingest = mc.create_flow(
        Name="t-ingest",
        Source={"Name": "encoder", "Protocol": "srt-listener", "IngestPort": 5000,
                "WhitelistCidr": "0.0.0.0/0"},
        Outputs=[{"Name": "to-live", "Protocol": "srt-listener", "Port": 7000,
                  "CidrAllowList": ["0.0.0.0/0"]}],
    )["Flow"]  # fmt: skip
    mc.start_flow(FlowArn=ingest["FlowArn"])
    _signal(aws, flowArn=ingest["FlowArn"], connected=True)
    address = mc.describe_flow(FlowArn=ingest["FlowArn"])["Flow"]["Outputs"][0]["ListenerAddress"]
    hub = mc.create_flow(
        Name="t-live", SourceMonitoringConfig={"ThumbnailState": "ENABLED"},
        Source={"Name": "hop", "Protocol": "srt-caller", "SourceListenerAddress": address,
                "SourceListenerPort": 7000},
    )["Flow"]  # fmt: skip
    mc.start_flow(FlowArn=hub["FlowArn"])
    mc.describe_flow(FlowArn=hub["FlowArn"])
    assert "TransportMediaInfo" in mc.describe_flow_source_metadata(FlowArn=hub["FlowArn"])
    _signal(aws, flowArn=ingest["FlowArn"], connected=False)
    assert "TransportMediaInfo" not in mc.describe_flow_source_metadata(FlowArn=hub["FlowArn"])


def test_control_endpoint_refuses_unknown_flows_and_bad_bodies(clients: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        _signal(
            clients["url"], flowArn=f"arn:aws:mediaconnect:{REGION}:123456789012:flow:0:none", connected=False
        )
    assert excinfo.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        _signal(clients["url"], connected=False)
    assert excinfo.value.code == 400


def test_a_stack_creates_updates_and_deletes_a_cloudwatch_alarm(clients: dict[str, Any]) -> None:
    import time

    cfn = boto3.client("cloudformation", region_name=REGION, endpoint_url=clients["url"])
    cw = clients["cw"]

    flow = f"arn:aws:mediaconnect:{REGION}:123456789012:flow:1:f"

    def template(threshold: int) -> str:
        return json.dumps({"Resources": {"Quiet": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmName": "t-no-signal", "Namespace": "AWS/MediaConnect", "MetricName": "SourceConnected",
            "Dimensions": [{"Name": "FlowARN", "Value": flow}],
            "Statistic": "Minimum", "Period": 60, "EvaluationPeriods": 1, "Threshold": threshold,
            "ComparisonOperator": "LessThanThreshold", "TreatMissingData": "breaching"}}},
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Quiet", "Arn"]}}}})  # fmt: skip

    def wait(status: str) -> dict[str, Any]:
        for _ in range(100):
            stack = cfn.describe_stacks(StackName="alarms")["Stacks"][0]
            if stack["StackStatus"] == status:
                return dict(stack)
            time.sleep(0.05)
        raise AssertionError(stack["StackStatus"])

    cfn.create_stack(StackName="alarms", TemplateBody=template(1))
    stack = wait("CREATE_COMPLETE")
    (alarm,) = cw.describe_alarms(AlarmNames=["t-no-signal"])["MetricAlarms"]
    assert (alarm["MetricName"], alarm["Threshold"], alarm["Dimensions"][0]["Name"]) == (
        "SourceConnected",
        1,
        "FlowARN",
    )
    assert stack["Outputs"][0]["OutputValue"] == alarm["AlarmArn"]
    cfn.update_stack(StackName="alarms", TemplateBody=template(2))
    wait("UPDATE_COMPLETE")
    assert cw.describe_alarms(AlarmNames=["t-no-signal"])["MetricAlarms"][0]["Threshold"] == 2
    cfn.delete_stack(StackName="alarms")
    for _ in range(100):
        if not cw.describe_alarms(AlarmNames=["t-no-signal"])["MetricAlarms"]:
            break
        time.sleep(0.05)
    assert cw.describe_alarms(AlarmNames=["t-no-signal"])["MetricAlarms"] == []
