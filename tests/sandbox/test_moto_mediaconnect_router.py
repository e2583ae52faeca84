"""The MediaConnect Router API of the sandbox, through plain boto3, every exchange checked against
botocore's model (tests/wire_shapes.py)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from encoders import encoder_on  # tests/ is on sys.path
from wire_shapes import WireRecorder  # tests/ is on sys.path

HUB, INGEST = "us-east-1", "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:srt-pass"
MBPS = 1_000_000


@pytest.fixture()
def wire(aws: str) -> Iterator[WireRecorder]:
    recorder = WireRecorder(boto3.session.Session())
    yield recorder
    assert recorder.request_problems() == []
    assert recorder.response_problems() == []


@pytest.fixture()
def mc(aws: str, wire: WireRecorder) -> Any:
    return wire.session.client("mediaconnect", region_name=HUB, endpoint_url=aws)


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


def _interface(mc: Any, region: str = INGEST, name: str = "ingest-public") -> str:
    created = mc.create_router_network_interface(
        Name=name, RegionName=region,
        Configuration={"Public": {"AllowRules": [{"Cidr": "198.51.100.0/24"}]}},
    )["RouterNetworkInterface"]  # fmt: skip
    assert created["State"] == "CREATING"
    assert mc.get_router_network_interface(Arn=created["Arn"])["RouterNetworkInterface"]["State"] == "ACTIVE"
    return str(created["Arn"])


def _srt_input(mc: Any, interface: str, port: int = 5000, **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Name": f"camera-{port}", "RegionName": INGEST, "Tier": "INPUT_20", "MaximumBitrate": 15 * MBPS,
        "RoutingScope": "GLOBAL",
        "Configuration": {"Standard": {
            "NetworkInterfaceArn": interface, "Protocol": "SRT_LISTENER",
            "ProtocolConfiguration": {"SrtListener": {
                "Port": port, "MinimumLatencyMilliseconds": 250,
                "DecryptionConfiguration": {"EncryptionKey": {"SecretArn": SECRET, "RoleArn": ROLE}},
            }},
        }},
    }  # fmt: skip
    request.update(extra)
    return dict(mc.create_router_input(**request)["RouterInput"])


def _standard_output(mc: Any, interface: str, name: str = "monitor", **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Name": name, "RegionName": INGEST, "Tier": "OUTPUT_20", "MaximumBitrate": 20 * MBPS,
        "RoutingScope": "GLOBAL",
        "Configuration": {"Standard": {"NetworkInterfaceArn": interface, "ProtocolConfiguration": {
            "SrtCaller": {"DestinationAddress": "203.0.113.10", "DestinationPort": 7000,
                          "MinimumLatencyMilliseconds": 250}}}},
    }  # fmt: skip
    request.update(extra)
    return dict(mc.create_router_output(**request)["RouterOutput"])


def _hub_flow(mc: Any, name: str = "live") -> dict[str, Any]:
    hub = boto3.client("mediaconnect", region_name=HUB, endpoint_url=mc.meta.endpoint_url)
    flow = hub.create_flow(Name=name, Source={"Name": f"{name}-router", "RouterIntegrationState": "ENABLED"})[
        "Flow"
    ]
    return dict(flow)


def _flow_output(mc: Any, flow: dict[str, Any], name: str = "live-feed", **extra: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "Name": name, "RegionName": HUB, "Tier": "OUTPUT_20", "MaximumBitrate": 20 * MBPS,
        "RoutingScope": "GLOBAL",
        "Configuration": {"MediaConnectFlow": {
            "FlowArn": flow["FlowArn"], "FlowSourceArn": flow["Source"]["SourceArn"],
            "DestinationTransitEncryption": {"EncryptionKeyType": "AUTOMATIC",
                                             "EncryptionKeyConfiguration": {"Automatic": {}}},
        }},
    }  # fmt: skip
    request.update(extra)
    return dict(mc.create_router_output(**request)["RouterOutput"])


def _settled(mc: Any, arn: str) -> dict[str, Any]:
    return dict(mc.get_router_input(Arn=arn)["RouterInput"])


def test_a_network_interface_is_creating_then_active_listed_and_deleted(mc: Any) -> None:
    arn = _interface(mc)
    assert arn.startswith(f"arn:aws:mediaconnect:{INGEST}:123456789012:routerNetworkInterface:")
    listed = mc.list_router_network_interfaces()["RouterNetworkInterfaces"]
    assert [(i["Arn"], i["NetworkInterfaceType"], i["RegionName"]) for i in listed] == [
        (arn, "PUBLIC", INGEST)
    ]
    assert (
        mc.list_router_network_interfaces(Filters=[{"RegionNames": [HUB]}])["RouterNetworkInterfaces"] == []
    )
    assert mc.delete_router_network_interface(Arn=arn)["State"] == "DELETING"
    with pytest.raises(ClientError) as err:
        mc.get_router_network_interface(Arn=arn)
    assert _code(err) == "NotFoundException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_router_input_is_created_in_its_region_and_started_and_stopped(mc: Any) -> None:
    interface = _interface(mc)
    created = _srt_input(mc, interface)
    assert created["State"] == "CREATING"
    assert (created["InputType"], created["RegionName"], created["AvailabilityZone"]) == (
        "STANDARD",
        INGEST,
        f"{INGEST}a",
    )
    assert created["IpAddress"] and created["RoutedOutputs"] == 0
    assert created["MaintenanceType"] == "DEFAULT"
    assert created["TransitEncryption"]["EncryptionKeyType"] == "AUTOMATIC"
    arn = created["Arn"]
    assert _settled(mc, arn)["State"] == "STANDBY"
    ingest = boto3.client("mediaconnect", region_name=INGEST, endpoint_url=mc.meta.endpoint_url)
    assert ingest.get_router_input(Arn=arn)["RouterInput"]["Name"] == "camera-5000"  # any endpoint reads it
    started = mc.start_router_input(Arn=arn)
    assert started["State"] == "STARTING" and started["MaintenanceScheduleType"] == "WINDOW"
    assert _settled(mc, arn)["State"] == "ACTIVE"
    with pytest.raises(ClientError) as err:
        mc.start_router_input(Arn=arn)
    assert _code(err) == "ConflictException"
    with pytest.raises(ClientError) as err:
        mc.delete_router_input(Arn=arn)
    assert _code(err) == "ConflictException"
    assert mc.stop_router_input(Arn=arn)["State"] == "STOPPING"
    assert _settled(mc, arn)["State"] == "STANDBY"
    listed = mc.list_router_inputs(Filters=[{"InputTypes": ["STANDARD"]}, {"RegionNames": [INGEST]}])
    assert [i["Arn"] for i in listed["RouterInputs"]] == [arn]
    assert listed["RouterInputs"][0]["NetworkInterfaceArn"] == interface
    assert (
        mc.get_router_network_interface(Arn=interface)["RouterNetworkInterface"]["AssociatedInputCount"] == 1
    )
    with pytest.raises(ClientError) as err:
        mc.delete_router_network_interface(Arn=interface)
    assert _code(err) == "ConflictException"
    assert mc.delete_router_input(Arn=arn)["State"] == "DELETING"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"Tier": "INPUT_20", "MaximumBitrate": 21 * MBPS}, "exceeds the INPUT_20 tier"),
        ({"MaximumBitrate": 0}, "maximumBitrate"),
        ({"RegionName": "xx-nowhere-1"}, "not a Region"),
        ({"AvailabilityZone": "us-east-1a"}, "not an Availability Zone"),
        ({"MaintenanceConfiguration": {"PreferredDayTime": {"Day": "MONDAY", "Time": "25:00"}}}, "HH:MM"),
    ],
)
def test_bad_router_inputs_are_refused(mc: Any, change: dict[str, Any], fragment: str) -> None:
    interface = _interface(mc)
    with pytest.raises(ClientError) as err:
        _srt_input(mc, interface, **change)
    assert _code(err) == "BadRequestException"
    assert fragment in err.value.response["Error"]["Message"]


def test_a_configuration_with_two_members_is_refused(aws: str) -> None:
    from botocore.config import Config

    raw = boto3.client("mediaconnect", region_name=HUB, endpoint_url=aws,
                       config=Config(parameter_validation=False))  # fmt: skip
    interface = _interface(raw)
    with pytest.raises(ClientError) as err:
        _srt_input(raw, interface, Configuration={
            "Standard": {"NetworkInterfaceArn": interface, "ProtocolConfiguration": {"Rtp": {"Port": 6000}}},
            "MediaConnectFlow": {"FlowArn": "arn:aws:mediaconnect:eu-west-1:123456789012:flow:1:f"},
        })  # fmt: skip
    assert _code(err) == "BadRequestException" and "union" in str(err.value)


def test_an_input_needs_an_active_interface_of_its_region_and_a_free_port(mc: Any) -> None:
    hub_interface = _interface(mc, region=HUB, name="hub-public")
    with pytest.raises(ClientError) as err:
        _srt_input(mc, hub_interface)
    assert _code(err) == "BadRequestException" and "is in us-east-1" in str(err.value)
    interface = _interface(mc)
    _srt_input(mc, interface, port=5000)
    with pytest.raises(ClientError) as err:
        _srt_input(mc, interface, port=5000)
    assert _code(err) == "ConflictException"
    fresh = mc.create_router_network_interface(
        Name="fresh", RegionName=INGEST, Configuration={"Public": {"AllowRules": []}}
    )["RouterNetworkInterface"]["Arn"]
    with pytest.raises(ClientError) as err:
        mc.create_router_input(
            Name="early", RegionName=INGEST, Tier="INPUT_20", MaximumBitrate=MBPS, RoutingScope="GLOBAL",
            Configuration={"Standard": {"NetworkInterfaceArn": fresh, "ProtocolConfiguration": {
                "Rtp": {"Port": 6000}}}},
        )  # fmt: skip
    assert _code(err) == "ConflictException" and "CREATING" in str(err.value)


def test_quotas_are_per_region(mc: Any) -> None:
    interfaces = [_interface(mc, name=f"ni-{n}") for n in range(10)]
    with pytest.raises(ClientError) as err:
        _interface(mc, name="one-too-many")
    assert _code(err) == "RouterNetworkInterfaceServiceQuotaExceededException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 420
    _interface(mc, region=HUB, name="hub")  # another Region has its own quota
    for n in range(20):
        _srt_input(mc, interfaces[0], port=4000 + n)
    with pytest.raises(ClientError) as err:
        _srt_input(mc, interfaces[1], port=5000)
    assert _code(err) == "RouterInputServiceQuotaExceededException"
    for n in range(20):
        _standard_output(mc, interfaces[2], name=f"out-{n}")
    with pytest.raises(ClientError) as err:
        _standard_output(mc, interfaces[2], name="out-21")
    assert _code(err) == "RouterOutputServiceQuotaExceededException"
    page = mc.list_router_inputs(MaxResults=15)
    rest = mc.list_router_inputs(MaxResults=15, NextToken=page["NextToken"])
    assert len(page["RouterInputs"]) == 15 and len(rest["RouterInputs"]) == 5 and "NextToken" not in rest


def test_a_take_is_routing_then_routed_and_checks_scope_and_bitrate(mc: Any) -> None:
    interface = _interface(mc)
    router_input = _srt_input(mc, interface)
    output = _standard_output(mc, interface)
    _settled(mc, router_input["Arn"])
    mc.get_router_output(Arn=output["Arn"])
    taken = mc.take_router_input(RouterOutputArn=output["Arn"], RouterInputArn=router_input["Arn"])
    assert (taken["RoutedState"], taken["RouterInputName"], taken["RouterOutputName"]) == (
        "ROUTING",
        "camera-5000",
        "monitor",
    )
    assert taken["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as err:
        mc.take_router_input(RouterOutputArn=output["Arn"], RouterInputArn=router_input["Arn"])
    assert _code(err) == "ConflictException"
    routed = mc.get_router_output(Arn=output["Arn"])["RouterOutput"]
    assert (routed["RoutedState"], routed["RoutedInputArn"]) == ("ROUTED", router_input["Arn"])
    assert _settled(mc, router_input["Arn"])["RoutedOutputs"] == 1
    assert [
        o["Arn"]
        for o in mc.list_router_outputs(Filters=[{"RoutedInputArns": [router_input["Arn"]]}])["RouterOutputs"]
    ] == [output["Arn"]]
    with pytest.raises(ClientError) as err:
        mc.delete_router_input(Arn=router_input["Arn"])
    assert _code(err) == "ConflictException" and "routed" in str(err.value)
    assert mc.take_router_input(RouterOutputArn=output["Arn"])["RoutedState"] == "ROUTING"
    unrouted = mc.get_router_output(Arn=output["Arn"])["RouterOutput"]
    assert unrouted["RoutedState"] == "UNROUTED" and "RoutedInputArn" not in unrouted

    regional = _standard_output(mc, _interface(mc, region=HUB, name="hub"), name="regional",
                                RegionName=HUB, RoutingScope="REGIONAL")  # fmt: skip
    mc.get_router_output(Arn=regional["Arn"])
    with pytest.raises(ClientError) as err:
        mc.take_router_input(RouterOutputArn=regional["Arn"], RouterInputArn=router_input["Arn"])
    assert _code(err) == "BadRequestException" and "REGIONAL" in str(err.value)
    narrow = _standard_output(mc, interface, name="narrow", MaximumBitrate=10 * MBPS)
    mc.get_router_output(Arn=narrow["Arn"])
    with pytest.raises(ClientError) as err:
        mc.take_router_input(RouterOutputArn=narrow["Arn"], RouterInputArn=router_input["Arn"])
    assert _code(err) == "BadRequestException" and "maximum bitrate" in str(err.value)
    with pytest.raises(ClientError) as err:
        mc.take_router_input(RouterOutputArn=output["Arn"], RouterInputArn=router_input["Arn"][:-1] + "0")
    assert _code(err) == "NotFoundException"


def test_a_flow_output_routed_connects_the_flows_source(mc: Any) -> None:
    flow = _hub_flow(mc)
    output = _flow_output(mc, flow)
    assert (output["OutputType"], output["AvailabilityZone"]) == (
        "MEDIACONNECT_FLOW",
        flow["AvailabilityZone"],
    )
    router_input = _srt_input(mc, _interface(mc))
    _settled(mc, router_input["Arn"])
    mc.get_router_output(Arn=output["Arn"])
    mc.take_router_input(RouterOutputArn=output["Arn"], RouterInputArn=router_input["Arn"])
    source = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    assert "ConnectedRouterOutputArn" not in source  # still ROUTING: no media yet
    mc.get_router_output(Arn=output["Arn"])
    source = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    assert (source["RouterIntegrationState"], source["ConnectedRouterOutputArn"]) == (
        "ENABLED",
        output["Arn"],
    )
    mc.take_router_input(RouterOutputArn=output["Arn"])
    mc.get_router_output(Arn=output["Arn"])
    assert "ConnectedRouterOutputArn" not in mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    with pytest.raises(ClientError) as err:
        _flow_output(mc, flow, name="second")
    assert _code(err) == "ConflictException"


def test_a_flow_output_needs_a_router_integrated_source_in_its_region(mc: Any) -> None:
    hub = boto3.client("mediaconnect", region_name=HUB, endpoint_url=mc.meta.endpoint_url)
    plain = hub.create_flow(
        Name="plain",
        Source={
            "Name": "srt",
            "Protocol": "srt-listener",
            "IngestPort": 5000,
            "WhitelistCidr": "10.0.0.0/16",
        },
    )["Flow"]
    with pytest.raises(ClientError) as err:
        _flow_output(mc, plain)
    assert _code(err) == "BadRequestException" and "router integration" in str(err.value)
    with pytest.raises(ClientError) as err:
        _flow_output(mc, _hub_flow(mc), RegionName=INGEST)
    assert _code(err) == "BadRequestException" and "is in us-east-1" in str(err.value)


def test_source_metadata_and_thumbnail_report_what_an_active_input_receives(mc: Any, aws: str) -> None:
    arn = _srt_input(mc, _interface(mc))["Arn"]
    encoder_on(aws, arn)  # an encoder sends to the input: nothing arrives without one
    metadata = mc.get_router_input_source_metadata(Arn=arn)["SourceMetadataDetails"]
    assert metadata["SourceMetadataMessages"][0]["Code"] == "INPUT_NOT_ACTIVE"
    assert "RouterInputMetadata" not in metadata
    mc.start_router_input(Arn=arn)
    _settled(mc, arn)
    metadata = mc.get_router_input_source_metadata(Arn=arn)["SourceMetadataDetails"]
    streams = metadata["RouterInputMetadata"]["TransportStreamMediaInfo"]["Programs"][0]["Streams"]
    assert streams[0]["FrameResolution"] == {"FrameHeight": 1080, "FrameWidth": 1920}
    thumbnail = mc.get_router_input_thumbnail(Arn=arn)["ThumbnailDetails"]
    assert thumbnail["ThumbnailMessages"] == [] and thumbnail["Thumbnail"][:2] == b"\xff\xd8"  # a JPEG
    assert base64.b64encode(thumbnail["Thumbnail"])


def test_reset_forgets_router_resources_and_the_throttling_hook_refuses(mc: Any, aws: str) -> None:
    from streamfabric.sandbox.mediaconnect.router import handlers
    from streamfabric.sandbox.server import reset

    _interface(mc)
    reset(aws)
    assert mc.list_router_network_interfaces()["RouterNetworkInterfaces"] == []

    def throttle(account_id: str, region: str, operation: str) -> None:
        from moto.core.exceptions import JsonRESTError

        error = JsonRESTError("TooManyRequestsException", f"{operation}: slow down")
        error.code = 429
        raise error

    from botocore.config import Config

    once = boto3.client("mediaconnect", region_name=HUB, endpoint_url=aws,
                        config=Config(retries={"total_max_attempts": 1}))  # fmt: skip
    handlers.ADMISSION.append(throttle)
    try:
        with pytest.raises(ClientError) as err:
            once.list_router_inputs()
    finally:
        handlers.ADMISSION.remove(throttle)
    assert _code(err) == "TooManyRequestsException"


def test_every_router_handler_is_a_botocore_operation_with_a_url() -> None:
    import re

    import botocore.session
    from moto.core.utils import camelcase_to_underscores

    from streamfabric.sandbox.mediaconnect.router import handlers

    model = botocore.session.get_session().get_service_model("mediaconnect")
    names = {camelcase_to_underscores(op): op for op in model.operation_names}
    for handler, _why in handlers.HANDLERS:
        operation = model.operation_model(names[handler.__name__])
        uri = "https://mediaconnect.us-east-1.amazonaws.com" + re.sub(
            r"\{[^}]+\}",
            "arn%3Aaws%3Amediaconnect%3Aus-east-1%3A1%3ArouterInput%3Aabc",
            operation.http["requestUri"],
        )
        patterns = [
            p.replace("{0}", "https?://mediaconnect\\.(.+)\\.amazonaws.com") for p in handlers.URL_PATHS
        ]
        assert any(re.match(p, uri) for p in patterns), operation.name


def test_a_router_integrated_flow_receives_what_its_routed_input_receives(mc: Any, aws: str) -> None:
    flow = _hub_flow(mc)
    output = _flow_output(mc, flow)
    router_input = _srt_input(mc, _interface(mc))
    encoder_on(aws, router_input["Arn"])
    _settled(mc, router_input["Arn"])
    mc.get_router_output(Arn=output["Arn"])
    mc.start_flow(FlowArn=flow["FlowArn"])
    mc.describe_flow(FlowArn=flow["FlowArn"])
    mc.take_router_input(RouterOutputArn=output["Arn"], RouterInputArn=router_input["Arn"])
    mc.get_router_output(Arn=output["Arn"])

    def programs() -> Any:
        return mc.describe_flow_source_metadata(FlowArn=flow["FlowArn"]).get("TransportMediaInfo")

    assert programs() is None  # routed, but neither the input nor the output is ACTIVE
    for start, get in (
        (mc.start_router_input, mc.get_router_input),
        (mc.start_router_output, mc.get_router_output),
    ):
        arn = router_input["Arn"] if start == mc.start_router_input else output["Arn"]
        start(Arn=arn)
        get(Arn=arn)
    assert programs()["Programs"][0]["Streams"][0]["Codec"] == "h264"
    mc.take_router_input(RouterOutputArn=output["Arn"])
    mc.get_router_output(Arn=output["Arn"])
    assert programs() is None
