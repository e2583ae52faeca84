"""botocore Stubber tests: the exact requests the executor makes for each instruction."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment.execute.display import DisplayOnlyExecutor
from streamfabric.deployment.execute.executor import Executor
from streamfabric.deployment.execute.stacks import StackFailed
from streamfabric.deployment.plan.instructions import (
    AddVpcInterface,
    AttachOutput,
    DeployStack,
    DetachOutput,
    Phase,
    Plan,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StartFlow,
    StopFlow,
)
from streamfabric.deployment.progress import PlainReporter

from . import helpers

REGION = "eu-west-1"
FLOW = "arn:aws:mediaconnect:eu-west-1:123456789012:flow:1-abc:festival-live"
SOURCE = "arn:aws:mediaconnect:eu-west-1:123456789012:source:1-abc:standby"
OUTPUT = "arn:aws:mediaconnect:eu-west-1:123456789012:output:1-abc:to-live"
ROLE = "arn:aws:iam::123456789012:role/festival-mediaconnect"
HOP = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:festival/internal-hop-AbCdEf"


def flow(status: str, **source: Any) -> dict[str, Any]:
    return {
        "Flow": {
            "AvailabilityZone": "eu-west-1a",
            "Entitlements": [],
            "FlowArn": FLOW,
            "Name": "festival-live",
            "Outputs": [],
            "Source": {"Name": "standby", "SourceArn": SOURCE, **source},
            "Status": status,
        }
    }


@pytest.fixture()
def gateway() -> AwsGateway:
    return AwsGateway(
        boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION),
        waiter_delay=0,
    )


@pytest.fixture()
def mediaconnect(gateway: AwsGateway) -> Iterator[Stubber]:
    with Stubber(gateway.client("mediaconnect", REGION)) as stub:
        yield stub
        stub.assert_no_pending_responses()


def run(gateway: AwsGateway, *steps: Any) -> None:
    Executor(gateway, max_workers=1).run_phase(Phase("test", steps))


def test_add_vpc_interface(gateway: AwsGateway, mediaconnect: Stubber) -> None:
    mediaconnect.add_response(
        "add_flow_vpc_interfaces",
        {"FlowArn": FLOW},
        {
            "FlowArn": FLOW,
            "VpcInterfaces": [
                {
                    "Name": "live-vpc",
                    "RoleArn": ROLE,
                    "SecurityGroupIds": ["sg-0123"],
                    "SubnetId": "subnet-0123",
                }
            ],
        },
    )
    mediaconnect.add_response("describe_flow", flow("UPDATING"), {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("STANDBY"), {"FlowArn": FLOW})
    run(
        gateway,
        AddVpcInterface(
            region=REGION,
            flow="festival-live",
            flow_arn=FLOW,
            name="live-vpc",
            subnet_id="subnet-0123",
            security_group_id="sg-0123",
            role_arn=ROLE,
        ),
    )


def test_attach_and_detach_output(gateway: AwsGateway, mediaconnect: Stubber) -> None:
    for name in ("main-stage-vpc", ""):
        mediaconnect.add_response(
            "update_flow_output",
            {"FlowArn": FLOW},
            {"FlowArn": FLOW, "OutputArn": OUTPUT, "VpcInterfaceAttachment": {"VpcInterfaceName": name}},
        )
        mediaconnect.add_response("describe_flow", flow("ACTIVE"), {"FlowArn": FLOW})
    run(
        gateway,
        AttachOutput(
            region=REGION,
            flow="festival-main-stage",
            flow_arn=FLOW,
            output="to-live",
            output_arn=OUTPUT,
            vpc_interface="main-stage-vpc",
        ),
        DetachOutput(
            region=REGION,
            flow="festival-main-stage",
            flow_arn=FLOW,
            output="to-live",
            output_arn=OUTPUT,
            after=("festival-main-stage:attach-output:to-live",),
        ),
    )


def test_caller_source_and_back_to_standby(gateway: AwsGateway, mediaconnect: Stubber) -> None:
    mediaconnect.add_response(
        "update_flow_source",
        {"FlowArn": FLOW},
        {
            "FlowArn": FLOW,
            "SourceArn": SOURCE,
            "Protocol": "srt-caller",
            "SourceListenerAddress": "10.0.1.23",
            "SourceListenerPort": 7000,
            "VpcInterfaceName": "live-vpc",
            "MinLatency": 500,
            "Decryption": {"KeyType": "srt-password", "RoleArn": ROLE, "SecretArn": HOP},
        },
    )
    caller = {"Transport": {"Protocol": "srt-caller", "SourceListenerAddress": "10.0.1.23",
                            "SourceListenerPort": 7000}, "VpcInterfaceName": "live-vpc"}  # fmt: skip
    listener = {"Transport": {"Protocol": "srt-listener"}, "IngestPort": 7000, "WhitelistCidr": "10.0.0.0/16"}
    # UpdateFlowSource answers 202: a read may still show the previous source, and is not "settled"
    mediaconnect.add_response("describe_flow", flow("STANDBY", **listener), {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("STANDBY", **caller), {"FlowArn": FLOW})
    mediaconnect.add_response(
        "update_flow_source",
        {"FlowArn": FLOW},
        {
            "FlowArn": FLOW,
            "SourceArn": SOURCE,
            "Protocol": "srt-listener",
            "IngestPort": 7000,
            "WhitelistCidr": "10.0.0.0/16",
            "VpcInterfaceName": "",
        },
    )
    mediaconnect.add_response("describe_flow", flow("STANDBY", **caller), {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("STANDBY", **listener), {"FlowArn": FLOW})
    run(
        gateway,
        SetCallerSource(
            region=REGION,
            flow="festival-live",
            flow_arn=FLOW,
            source_arn=SOURCE,
            vpc_interface="live-vpc",
            ingest="main-stage",
            address="10.0.1.23",
            port=7000,
            min_latency_ms=500,
            secret_arn=HOP,
            role_arn=ROLE,
        ),
        RestoreStandbySource(
            region=REGION,
            flow="festival-live",
            flow_arn=FLOW,
            source_arn=SOURCE,
            port=7000,
            whitelist_cidr="10.0.0.0/16",
            after=("festival-live:caller-source",),
        ),
    )


def test_start_and_stop_wait_for_the_flow(gateway: AwsGateway, mediaconnect: Stubber) -> None:
    mediaconnect.add_response("start_flow", {"FlowArn": FLOW, "Status": "STARTING"}, {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("STARTING"), {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("ACTIVE"), {"FlowArn": FLOW})
    mediaconnect.add_response("stop_flow", {"FlowArn": FLOW, "Status": "STOPPING"}, {"FlowArn": FLOW})
    mediaconnect.add_response("describe_flow", flow("STANDBY"), {"FlowArn": FLOW})
    run(
        gateway,
        StartFlow(region=REGION, flow="festival-live", flow_arn=FLOW),
        StopFlow(region=REGION, flow="festival-live", flow_arn=FLOW, after=("festival-live:start",)),
    )


def test_remove_vpc_interface_deletes_what_mediaconnect_left(
    gateway: AwsGateway, mediaconnect: Stubber
) -> None:
    mediaconnect.add_response(
        "remove_flow_vpc_interface",
        {
            "FlowArn": FLOW,
            "VpcInterfaceName": "live-vpc",
            "NonDeletedNetworkInterfaceIds": ["eni-0aaa", "eni-0bbb"],
        },
        {"FlowArn": FLOW, "VpcInterfaceName": "live-vpc"},
    )
    mediaconnect.add_response("describe_flow", flow("STANDBY"), {"FlowArn": FLOW})
    with Stubber(gateway.client("ec2", REGION)) as ec2:
        ec2.add_response("delete_network_interface", {}, {"NetworkInterfaceId": "eni-0aaa"})
        ec2.add_client_error(
            "delete_network_interface",
            "InvalidNetworkInterfaceID.NotFound",
            expected_params={"NetworkInterfaceId": "eni-0bbb"},
        )
        run(gateway, RemoveVpcInterface(region=REGION, flow="festival-live", flow_arn=FLOW, name="live-vpc"))
        ec2.assert_no_pending_responses()


def test_a_failed_call_stops_the_phase(gateway: AwsGateway, mediaconnect: Stubber) -> None:
    mediaconnect.add_client_error("start_flow", "BadRequestException", "Flow is being updated", 400)
    out = io.StringIO()
    executor = Executor(gateway, PlainReporter(out), max_workers=1)
    with pytest.raises(Exception, match="Flow is being updated"):
        executor.run_phase(
            Phase(
                "test",
                (
                    StartFlow(region=REGION, flow="festival-live", flow_arn=FLOW),
                    StopFlow(
                        region=REGION, flow="festival-live", flow_arn=FLOW, after=("festival-live:start",)
                    ),
                ),
            )
        )
    assert "festival-live: stop" not in out.getvalue()  # nothing after the failure started
    assert (
        "festival-live: start: FAILED: mediaconnect.start_flow: BadRequestException: Flow is being updated"
        in (out.getvalue())
    )


STACK = DeployStack(
    stack="festival-flows-eu-west-1",
    region=REGION,
    kind="flows",
    change_set_type="UPDATE",
    template="cloudformation/flows-eu-west-1.yaml",
    template_body="Resources: {}\n",
    parameters=(("RoleArn", ROLE),),
    tags=(("streamfabric:topology", "festival"),),
    capabilities=("CAPABILITY_IAM",),
    reason="template changed",
)


def change_set_request() -> dict[str, Any]:
    return {
        "StackName": STACK.stack,
        "ChangeSetName": ANY,
        "ChangeSetType": "UPDATE",
        "TemplateBody": "Resources: {}\n",
        "Parameters": [{"ParameterKey": "RoleArn", "ParameterValue": ROLE}],
        "Capabilities": ["CAPABILITY_IAM"],
        "Tags": [{"Key": "streamfabric:topology", "Value": "festival"}],
        "Description": "streamfabric: template changed",
    }


def test_a_change_set_without_changes_is_deleted_not_executed(gateway: AwsGateway) -> None:
    with Stubber(gateway.client("cloudformation", REGION)) as cfn:
        cfn.add_response("create_change_set", {"Id": "cs-1"}, change_set_request())
        names = {"StackName": STACK.stack, "ChangeSetName": ANY}
        cfn.add_response(
            "describe_change_set",
            {"Status": "FAILED", "StatusReason": "The submitted information didn't contain changes."},
            names,
        )
        cfn.add_response(
            "describe_change_set",
            {"Status": "FAILED", "StatusReason": "The submitted information didn't contain changes."},
            names,
        )
        cfn.add_response("delete_change_set", {}, names)
        run(gateway, STACK)
        cfn.assert_no_pending_responses()


def test_a_failed_stack_reports_its_events(gateway: AwsGateway) -> None:
    from datetime import datetime

    created = datetime(2026, 1, 1, tzinfo=UTC)
    with Stubber(gateway.client("cloudformation", REGION)) as cfn:
        names = {"StackName": STACK.stack, "ChangeSetName": ANY}
        cfn.add_response("create_change_set", {"Id": "cs-1"}, change_set_request())
        cfn.add_response("describe_change_set", {"Status": "CREATE_COMPLETE"}, names)
        cfn.add_response(
            "describe_change_set",
            {"Status": "CREATE_COMPLETE", "CreationTime": created, "Changes": [{"Type": "Resource"}]},
            names,
        )
        cfn.add_response("execute_change_set", {}, names)
        cfn.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": STACK.stack,
                        "CreationTime": created,
                        "StackStatus": "UPDATE_ROLLBACK_COMPLETE",
                    }
                ]
            },
            {"StackName": STACK.stack},
        )
        cfn.add_response(
            "describe_stack_events",
            {
                "StackEvents": [
                    {
                        "StackId": "s",
                        "EventId": "2",
                        "StackName": STACK.stack,
                        "Timestamp": created,
                        "LogicalResourceId": STACK.stack,
                        "ResourceType": "AWS::CloudFormation::Stack",
                        "ResourceStatus": "UPDATE_ROLLBACK_COMPLETE",
                    },
                    {
                        "StackId": "s",
                        "EventId": "1",
                        "StackName": STACK.stack,
                        "Timestamp": created,
                        "LogicalResourceId": "LiveFlow",
                        "ResourceType": "AWS::MediaConnect::Flow",
                        "ResourceStatus": "UPDATE_FAILED",
                        "ResourceStatusReason": "Flow is being updated",
                    },
                ]
            },
            {"StackName": STACK.stack},
        )
        out = io.StringIO()
        with pytest.raises(StackFailed) as failed:
            Executor(gateway, PlainReporter(out)).run_phase(Phase("stacks", (STACK,)))
    assert [str(e) for e in failed.value.events] == [
        "LiveFlow (AWS::MediaConnect::Flow) UPDATE_FAILED: Flow is being updated"
    ]
    assert "LiveFlow (AWS::MediaConnect::Flow) UPDATE_FAILED: Flow is being updated" in str(failed.value)
    assert "    LiveFlow (AWS::MediaConnect::Flow) UPDATE_FAILED: Flow is being updated" in out.getvalue()


def test_display_only_executor_calls_nothing() -> None:
    out = io.StringIO()
    plan = Plan((Phase("post-steps", (StartFlow(region=REGION, flow="festival-live", flow_arn=FLOW),)),))
    assert DisplayOnlyExecutor(PlainReporter(out)).execute(plan) == ()
    assert out.getvalue() == "plan (dry run, nothing will change):\n  post-steps:\n    festival-live: start\n"


def test_helpers_counter_counts_only_mutations() -> None:
    sess = helpers.session()
    counter = helpers.CallCounter(sess)
    client = sess.client("mediaconnect", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_response("describe_flow", flow("ACTIVE"), {"FlowArn": FLOW})
        stub.add_response("start_flow", {"FlowArn": FLOW, "Status": "STARTING"}, {"FlowArn": FLOW})
        client.describe_flow(FlowArn=FLOW)
        client.start_flow(FlowArn=FLOW)
    assert counter.mutating == [("mediaconnect", "StartFlow")]
