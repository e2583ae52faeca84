"""The emulator's MediaConnect answers, raw from the wire, against botocore's model — every operation the
extension serves — and its asynchronous UpdateFlowSource and flow Messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from streamfabric.sandbox.mediaconnect import asynchronous
from streamfabric.sandbox.mediaconnect.responses import _HANDLERS
from wire_shapes import WireRecorder, problems  # tests/ is on sys.path

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
MODEL = botocore.session.get_session().get_service_model("mediaconnect")


@pytest.fixture()
def wire(aws: str) -> Iterator[WireRecorder]:
    recorder = WireRecorder(boto3.session.Session())
    yield recorder
    asynchronous.reset()


@pytest.fixture()
def mc(aws: str, wire: WireRecorder) -> Any:
    return wire.session.client("mediaconnect", region_name=REGION, endpoint_url=aws)


def _listener_flow(mc: Any, name: str = "wire") -> dict[str, Any]:
    source = {"Name": "s", "Protocol": "srt-listener", "IngestPort": 5000, "WhitelistCidr": "10.0.0.0/8"}
    return dict(mc.create_flow(Name=name, AvailabilityZone=f"{REGION}a", Source=source)["Flow"])


def _running_flow(mc: Any, name: str = "wire") -> dict[str, Any]:
    flow = _listener_flow(mc, name)
    mc.start_flow(FlowArn=flow["FlowArn"])
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "ACTIVE"
    return flow


def _to_caller(flow: dict[str, Any], address: str, port: int = 7000) -> dict[str, Any]:
    return {
        "FlowArn": flow["FlowArn"],
        "SourceArn": flow["Source"]["SourceArn"],
        "Protocol": "srt-caller",
        "SourceListenerAddress": address,
        "SourceListenerPort": port,
    }


# -- the validator itself: it must see what botocore's parser would silently drop -------------------
def test_the_validator_reports_unknown_members_wrong_types_bad_enums_and_missing_required() -> None:
    shape = MODEL.operation_model("DescribeFlow").output_shape
    flow = {"availabilityZone": "a", "entitlements": [], "flowArn": "arn", "name": "n", "outputs": [],
            "source": {"name": "s", "sourceArn": "arn"}, "status": "ACTIVE"}  # fmt: skip
    assert problems(shape, {"flow": flow}) == []
    assert problems(shape, {"flow": {**flow, "flow_arn": "x"}}) == [
        f"$.flow.flow_arn: not a member of Flow (members: {sorted(_wire(shape.members['Flow']))})"
    ]
    assert problems(shape, {"flow": {**flow, "status": "RUNNING"}})[0].startswith("$.flow.status: 'RUNNING'")
    assert "expected integer" in problems(shape, {"flow": {**flow, "source": {
        "name": "s", "sourceArn": "arn", "ingestPort": "5000"}}})[0]  # fmt: skip
    assert problems(shape, {"flow": {k: v for k, v in flow.items() if k != "name"}}) == [
        "$.flow: required member name of Flow missing"
    ]
    # Messages is a sibling of Flow, never inside it
    assert problems(shape, {"flow": flow, "messages": {"errors": ["x"]}}) == []
    assert problems(shape, {"flow": {**flow, "messages": {"errors": ["x"]}}})[0].startswith(
        "$.flow.messages: not a member of Flow"
    )


def _wire(member: Any) -> list[str]:
    return [m.serialization.get("name", n) for n, m in member.members.items()]


# -- every operation the extension serves ----------------------------------------------------------
def test_every_operation_the_extension_serves_answers_in_botocores_shape(
    mc: Any, wire: WireRecorder, aws: str
) -> None:
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=aws)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    flow = _listener_flow(mc)
    arn = flow["FlowArn"]
    mc.describe_flow(FlowArn=arn)
    asynchronous.set_flow_errors(arn, ["Source: no input"])
    assert mc.describe_flow(FlowArn=arn)["Messages"] == {"Errors": ["Source: no input"]}
    mc.list_flows(MaxResults=10)
    mc.update_flow(FlowArn=arn, SourceFailoverConfig={"State": "ENABLED", "RecoveryWindow": 200})
    vpc_interface = {"Name": "v", "RoleArn": ROLE, "SecurityGroupIds": ["sg-1"], "SubnetId": subnet}
    mc.add_flow_vpc_interfaces(FlowArn=arn, VpcInterfaces=[vpc_interface])
    output = {"Name": "o", "Protocol": "srt-listener", "Port": 6000, "CidrAllowList": ["10.0.0.0/16"]}
    out = mc.add_flow_outputs(FlowArn=arn, Outputs=[output])["Outputs"][0]
    mc.update_flow_output(FlowArn=arn, OutputArn=out["OutputArn"], MinLatency=300)
    second = {"Name": "b", "Protocol": "srt-listener", "IngestPort": 5001, "WhitelistCidr": "10.0.0.0/8"}
    added = mc.add_flow_sources(FlowArn=arn, Sources=[second])["Sources"][0]
    mc.update_flow_source(FlowArn=arn, SourceArn=added["SourceArn"], MinLatency=400)
    mc.remove_flow_source(FlowArn=arn, SourceArn=added["SourceArn"])
    mc.remove_flow_output(FlowArn=arn, OutputArn=out["OutputArn"])
    mc.remove_flow_vpc_interface(FlowArn=arn, VpcInterfaceName="v")
    mc.grant_flow_entitlements(FlowArn=arn, Entitlements=[{"Name": "e", "Subscribers": ["111122223333"]}])
    mc.tag_resource(ResourceArn=arn, Tags={"a": "1"})
    mc.list_tags_for_resource(ResourceArn=arn)
    mc.untag_resource(ResourceArn=arn, TagKeys=["a"])
    mc.start_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    mc.stop_flow(FlowArn=arn)
    mc.describe_flow(FlowArn=arn)
    mc.delete_flow(FlowArn=arn)

    served = {mc.meta.method_to_api_mapping[handler.__name__] for handler in _HANDLERS}
    assert served - wire.operations() == set()
    assert wire.response_problems() == []
    assert wire.request_problems() == []


# -- UpdateFlowSource is asynchronous ---------------------------------------------------------------
def test_update_flow_source_on_a_running_flow_answers_202_and_reads_updating_then_active(mc: Any) -> None:
    flow = _running_flow(mc)
    response = mc.update_flow_source(**_to_caller(flow, "10.0.0.5"))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "UPDATING"
    after = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]
    assert after["Status"] == "ACTIVE"
    assert after["Source"]["Transport"]["SourceListenerAddress"] == "10.0.0.5"


def test_a_second_update_while_updating_is_refused_and_changes_nothing(mc: Any) -> None:
    flow = _running_flow(mc)
    mc.update_flow_source(**_to_caller(flow, "10.0.0.5"))
    with pytest.raises(ClientError) as info:
        mc.update_flow_source(**_to_caller(flow, "10.0.0.6"))
    assert info.value.response["Error"]["Code"] == "BadRequestException"
    assert "UPDATING" in info.value.response["Error"]["Message"]
    mc.describe_flow(FlowArn=flow["FlowArn"])  # the window ends
    assert (
        mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]["Transport"]["SourceListenerAddress"]
        == "10.0.0.5"
    )
    mc.update_flow_source(**_to_caller(flow, "10.0.0.6"))  # accepted once ACTIVE again


def test_the_window_is_configurable_with_stale_reads_first(mc: Any) -> None:
    asynchronous.configure(asynchronous.UpdateWindow(stale_reads=2, updating_reads=2))
    flow = _running_flow(mc)
    mc.update_flow_source(**_to_caller(flow, "10.0.0.9"))
    seen = []
    for _ in range(5):
        f = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]
        seen.append((f["Status"], f["Source"].get("Transport", {}).get("SourceListenerAddress")))
    assert seen == [("ACTIVE", None), ("ACTIVE", None), ("UPDATING", "10.0.0.9"), ("UPDATING", "10.0.0.9"),
                    ("ACTIVE", "10.0.0.9")]  # fmt: skip


def test_a_stopped_flow_takes_a_source_update_at_once(mc: Any) -> None:
    flow = _listener_flow(mc)
    mc.update_flow_source(**_to_caller(flow, "10.0.0.5"))
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "STANDBY"
    mc.update_flow_source(**_to_caller(flow, "10.0.0.6"))


def test_flow_messages_are_a_sibling_of_flow_and_absent_without_errors(mc: Any, wire: WireRecorder) -> None:
    flow = _running_flow(mc)
    assert "Messages" not in mc.describe_flow(FlowArn=flow["FlowArn"])
    asynchronous.set_flow_errors(flow["FlowArn"], ["Source disconnected"])
    response = mc.describe_flow(FlowArn=flow["FlowArn"])
    assert response["Messages"] == {"Errors": ["Source disconnected"]}
    assert "Messages" not in response["Flow"]
    raw = wire.exchanges[-1].response
    assert raw is not None and raw["messages"] == {"errors": ["Source disconnected"]}
    asynchronous.set_flow_errors(flow["FlowArn"], [])
    assert "Messages" not in mc.describe_flow(FlowArn=flow["FlowArn"])


def test_moto_reset_forgets_windows_and_errors(mc: Any, aws: str) -> None:
    from streamfabric.sandbox.server import reset

    asynchronous.configure(asynchronous.UpdateWindow(updating_reads=7))
    flow = _running_flow(mc)
    asynchronous.set_flow_errors(flow["FlowArn"], ["x"])
    reset(aws)
    assert asynchronous.flow_errors(flow["FlowArn"]) == ()
    assert asynchronous.UpdateWindow() == asynchronous._REGISTRY.window
