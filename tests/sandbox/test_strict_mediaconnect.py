"""MediaConnect in the emulator as strict as AWS documents it, through plain boto3 against the moto
server: API request limits (429), ListFlows' pages of 10, RemoveFlowVpcInterface only in standby,
the quotas (420 / 400), DELETING before a deleted flow is gone. No test sleeps: the emulator's clock
is frozen and moved (``/moto-api/streamfabric/strictness``)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from streamfabric.sandbox.server import set_strictness

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _client(aws: str, region: str = REGION) -> Any:
    return boto3.client("mediaconnect", region_name=region, endpoint_url=aws, config=NO_RETRIES)


@pytest.fixture()
def mc(aws: str) -> Any:
    return _client(aws)


@pytest.fixture()
def frozen(aws: str) -> Any:
    """Moves the emulator's frozen monotonic clock on by the seconds given."""
    set_strictness(aws, clock={"freeze": True})
    return lambda seconds: set_strictness(aws, clock={"advance": seconds})


def _source(port: int = 5000) -> dict[str, Any]:
    return {"Name": "s", "Protocol": "srt-listener", "IngestPort": port, "WhitelistCidr": "10.0.0.0/8"}


def _flow(mc: Any, name: str = "f", **kwargs: Any) -> str:
    return str(mc.create_flow(Name=name, Source=_source(), **kwargs)["Flow"]["FlowArn"])


def _error(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = info.value.response
    return str(response["Error"]["Code"]), int(response["ResponseMetadata"]["HTTPStatusCode"])


def _throttled(call: Any, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError as err:
        if err.response["Error"]["Code"] == "TooManyRequestsException":
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            return True
        raise
    return False


# -- Limits for API requests ------------------------------------------------------------------------
def test_describe_calls_share_30_a_second_then_answer_429(mc: Any, frozen: Any) -> None:
    arn = _flow(mc)
    outcomes = [_throttled(mc.describe_flow, FlowArn=arn) for _ in range(30)]
    assert outcomes == [False] * 30
    assert _throttled(mc.describe_flow, FlowArn=arn)
    assert _throttled(mc.describe_flow_source_metadata, FlowArn=arn)  # one bucket for the three
    assert _throttled(mc.describe_flow_source_thumbnail, FlowArn=arn)
    assert not _throttled(mc.list_flows)  # the other APIs have a bucket of their own
    frozen(0.1)  # 3 tokens back
    assert [_throttled(mc.describe_flow, FlowArn=arn) for _ in range(4)] == [False, False, False, True]


def test_other_calls_burst_to_30_and_refill_at_5_a_second(mc: Any, frozen: Any, aws: str) -> None:
    assert [_throttled(mc.list_flows) for _ in range(30)] == [False] * 30
    with pytest.raises(ClientError) as info:
        mc.list_flows()
    assert _error(info) == ("TooManyRequestsException", 429)
    assert "request rate" in info.value.response["Error"]["Message"]
    assert not _throttled(_client(aws, "us-east-1").list_flows)  # per Region
    frozen(1.0)
    assert [_throttled(mc.list_flows) for _ in range(6)] == [False] * 5 + [True]
    set_strictness(aws, throttle={"rateScale": 10})  # refills ten times faster than real time
    frozen(0.1)
    assert [_throttled(mc.list_flows) for _ in range(6)] == [False] * 5 + [True]


def test_botocore_retries_a_throttled_call(
    mc: Any, aws: str, frozen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 429 is botocore's throttling error: a client with retries gets its answer once tokens are back.
    botocore's back-off does not sleep here: its pause moves the emulator's frozen clock instead."""
    import botocore.endpoint

    pauses: list[float] = []
    monkeypatch.setattr(
        botocore.endpoint.time, "sleep", lambda seconds: pauses.append(seconds) or frozen(1.0)
    )
    patient = boto3.client("mediaconnect", region_name=REGION, endpoint_url=aws,
                           config=Config(retries={"mode": "standard", "total_max_attempts": 3}))  # fmt: skip
    for _ in range(30):
        mc.list_flows()
    assert patient.list_flows()["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(pauses) == 1


# -- ListFlows ----------------------------------------------------------------------------------------
def test_list_flows_pages_hold_at_most_ten_flows(mc: Any) -> None:
    arns = {_flow(mc, f"f{i}") for i in range(12)}
    first = mc.list_flows()
    assert len(first["Flows"]) == 10 and first["NextToken"]
    wide = mc.list_flows(MaxResults=1000)  # MaxResults above 10: still at most 10 a page
    assert len(wide["Flows"]) == 10 and wide["NextToken"]
    second = mc.list_flows(NextToken=first["NextToken"])
    assert len(second["Flows"]) == 2 and "NextToken" not in second
    assert len(mc.list_flows(MaxResults=3)["Flows"]) == 3
    listed = [f["FlowArn"] for page in mc.get_paginator("list_flows").paginate() for f in page["Flows"]]
    assert set(listed) == arns and len(listed) == 12


# -- RemoveFlowVpcInterface ---------------------------------------------------------------------------
def test_a_vpc_interface_leaves_a_flow_only_in_standby(mc: Any, aws: str) -> None:
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=aws)
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24", AvailabilityZone=f"{REGION}a")
    interface = {"Name": "spare", "RoleArn": ROLE, "SecurityGroupIds": ["sg-1"],
                 "SubnetId": subnet["Subnet"]["SubnetId"]}  # fmt: skip
    arn = _flow(mc, VpcInterfaces=[interface])
    mc.start_flow(FlowArn=arn)
    assert mc.describe_flow(FlowArn=arn)["Flow"]["Status"] == "ACTIVE"
    with pytest.raises(ClientError) as info:
        mc.remove_flow_vpc_interface(FlowArn=arn, VpcInterfaceName="spare")  # used by nothing, but running
    assert (
        _error(info) == ("BadRequestException", 400) and "STANDBY" in info.value.response["Error"]["Message"]
    )
    mc.stop_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    assert mc.remove_flow_vpc_interface(FlowArn=arn, VpcInterfaceName="spare")["VpcInterfaceName"] == "spare"


# -- quotas ---------------------------------------------------------------------------------------------
def test_twenty_flows_a_region_and_a_deleting_flow_still_counts(mc: Any, aws: str, frozen: Any) -> None:
    arns = [_flow(mc, f"f{i}") for i in range(20)]
    with pytest.raises(ClientError) as info:
        _flow(mc, "one-too-many")
    assert _error(info) == ("CreateFlow420Exception", 420)
    assert _flow(_client(aws, "us-east-1"), "elsewhere")  # per Region
    mc.delete_flow(FlowArn=arns[0])
    with pytest.raises(ClientError):
        _flow(mc, "while-deleting")
    for _ in range(2):  # two reads show it DELETING, the third finds it gone
        assert mc.describe_flow(FlowArn=arns[0])["Flow"]["Status"] == "DELETING"
    with pytest.raises(ClientError):
        mc.describe_flow(FlowArn=arns[0])
    assert _flow(mc, "after")


def test_fifty_outputs_a_flow(mc: Any) -> None:
    def output(i: int) -> dict[str, Any]:
        return {
            "Name": f"o{i}",
            "Protocol": "srt-listener",
            "Port": 6000 + i,
            "CidrAllowList": ["10.0.0.0/8"],
        }

    with pytest.raises(ClientError) as info:
        _flow(mc, "too-wide", Outputs=[output(i) for i in range(51)])
    assert _error(info) == ("CreateFlow420Exception", 420)
    arn = _flow(mc, Outputs=[output(i) for i in range(50)])
    with pytest.raises(ClientError) as info:
        mc.add_flow_outputs(FlowArn=arn, Outputs=[output(50)])
    assert _error(info) == ("AddFlowOutputs420Exception", 420)


def test_two_sources_and_two_ena_interfaces_a_flow(mc: Any, aws: str) -> None:
    arn = _flow(mc, SourceFailoverConfig={"State": "ENABLED"})
    mc.add_flow_sources(FlowArn=arn, Sources=[{**_source(5001), "Name": "b"}])
    with pytest.raises(ClientError) as info:
        mc.add_flow_sources(FlowArn=arn, Sources=[{**_source(5002), "Name": "c"}])
    assert _error(info) == ("BadRequestException", 400)
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=aws)
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24", AvailabilityZone=f"{REGION}a")
    subnet_id = subnet["Subnet"]["SubnetId"]
    interfaces = [{"Name": f"v{i}", "RoleArn": ROLE, "SecurityGroupIds": ["sg-1"], "SubnetId": subnet_id}
                  for i in range(3)]  # fmt: skip
    mc.add_flow_vpc_interfaces(FlowArn=arn, VpcInterfaces=interfaces[:2])
    with pytest.raises(ClientError) as info:
        mc.add_flow_vpc_interfaces(FlowArn=arn, VpcInterfaces=interfaces[2:])
    assert _error(info) == ("BadRequestException", 400)


def test_no_thumbnail_for_a_flow_with_more_than_ten_outputs(mc: Any, encoders: Any) -> None:
    allow = ["10.0.0.0/8"]
    outputs = [{"Name": f"o{i}", "Protocol": "srt-listener", "Port": 6000 + i, "CidrAllowList": allow}
               for i in range(11)]  # fmt: skip
    arn = _flow(mc, Outputs=outputs, SourceMonitoringConfig={"ThumbnailState": "ENABLED"})
    mc.start_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    encoders.on(arn)
    details = mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]
    assert "Thumbnail" not in details and details["ThumbnailMessages"][0]["Code"] == "THUMBNAIL_DISABLED"
    mc.remove_flow_output(
        FlowArn=arn, OutputArn=mc.describe_flow(FlowArn=arn)["Flow"]["Outputs"][0]["OutputArn"]
    )
    assert "Thumbnail" in mc.describe_flow_source_thumbnail(FlowArn=arn)["ThumbnailDetails"]


# -- DeleteFlow ---------------------------------------------------------------------------------------
def test_a_deleted_flow_shows_deleting_for_two_reads_then_is_gone(mc: Any) -> None:
    arn = _flow(mc)
    assert mc.delete_flow(FlowArn=arn)["Status"] == "DELETING"
    with pytest.raises(ClientError) as info:
        mc.start_flow(FlowArn=arn)  # nothing else is done to a DELETING flow
    assert _error(info) == ("BadRequestException", 400)
    assert [f["Status"] for f in mc.list_flows()["Flows"]] == ["DELETING"]
    assert mc.describe_flow(FlowArn=arn)["Flow"]["Status"] == "DELETING"
    with pytest.raises(ClientError) as info:
        mc.describe_flow(FlowArn=arn)
    assert _error(info) == ("NotFoundException", 404)
    assert mc.list_flows()["Flows"] == []


def test_deleting_lasts_the_configured_time_too(mc: Any, aws: str, frozen: Any) -> None:
    set_strictness(aws, deleting={"reads": 0, "seconds": 30})
    arn = _flow(mc)
    mc.delete_flow(FlowArn=arn)
    for _ in range(5):
        assert mc.describe_flow(FlowArn=arn)["Flow"]["Status"] == "DELETING"
    frozen(30)
    with pytest.raises(ClientError) as info:
        mc.describe_flow(FlowArn=arn)
    assert _error(info) == ("NotFoundException", 404)
