"""CloudFormation stacks with AWS::MediaConnect::* resources in the sandbox (moto + extension)."""

from __future__ import annotations

import copy
import ipaddress
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import WaiterError

from streamfabric.sandbox.server import set_strictness

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:srt-pass"
DECRYPTION = {"Algorithm": "aes256", "KeyType": "srt-password", "RoleArn": ROLE, "SecretArn": SECRET}


@pytest.fixture()
def clients(aws: str) -> dict[str, Any]:
    return {
        name: boto3.client(name, region_name=REGION, endpoint_url=aws)
        for name in ("cloudformation", "mediaconnect", "ec2")
    }


@pytest.fixture()
def cfn(clients: dict[str, Any]) -> Any:
    return clients["cloudformation"]


@pytest.fixture()
def mc(clients: dict[str, Any]) -> Any:
    return clients["mediaconnect"]


@pytest.fixture()
def ec2(clients: dict[str, Any]) -> Any:
    return clients["ec2"]


@pytest.fixture()
def subnet(ec2: Any) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{REGION}a")
    return str(subnet["Subnet"]["SubnetId"])


def _flow_resource(name: str = "demo-live", **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "Name": name,
        "AvailabilityZone": f"{REGION}a",
        "Source": {
            "Name": "standby",
            "Protocol": "srt-listener",
            "IngestPort": 5000,
            "WhitelistCidr": "10.40.0.0/16",
            "MinLatency": {"Ref": "Latency"},
            "Decryption": dict(DECRYPTION),
        },
    }
    properties.update(extra)
    return {"Type": "AWS::MediaConnect::Flow", "Properties": properties}


def _template() -> dict[str, Any]:
    """A hub flow as the project renders it: flow, VPC interface, an output on the interface."""
    return {
        "Parameters": {"SubnetId": {"Type": "String"}, "Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {
            "LiveFlow": _flow_resource(Tags=[{"Key": "streamfabric:topology", "Value": "demo"}]),
            "LiveVpc": {
                "Type": "AWS::MediaConnect::FlowVpcInterface",
                "Properties": {
                    "FlowArn": {"Ref": "LiveFlow"},
                    "Name": "live-vpc",
                    "RoleArn": ROLE,
                    "SecurityGroupIds": ["sg-0123456789abcdef0"],
                    "SubnetId": {"Ref": "SubnetId"},
                },
            },
            "ToProgram": {
                "Type": "AWS::MediaConnect::FlowOutput",
                "DependsOn": "LiveVpc",
                "Properties": {
                    "FlowArn": {"Ref": "LiveFlow"},
                    "Name": "to-program",
                    "Protocol": "srt-listener",
                    "Port": 6000,
                    "MinLatency": 300,
                    "CidrAllowList": ["10.0.0.0/8"],
                    "VpcInterfaceAttachment": {"VpcInterfaceName": "live-vpc"},
                    "Encryption": {
                        "Algorithm": "aes128",
                        "KeyType": "srt-password",
                        "RoleArn": ROLE,
                        "SecretArn": SECRET,
                    },
                },
            },
        },
        "Outputs": {
            key: {"Value": value}
            for key, value in {
                "FlowArn": {"Fn::GetAtt": ["LiveFlow", "FlowArn"]},
                "FlowRef": {"Ref": "LiveFlow"},
                "FlowAz": {"Fn::GetAtt": ["LiveFlow", "FlowAvailabilityZone"]},
                "SourceArn": {"Fn::GetAtt": ["LiveFlow", "Source.SourceArn"]},
                "IngestIp": {"Fn::GetAtt": ["LiveFlow", "Source.IngestIp"]},
                "IngestPort": {"Fn::GetAtt": ["LiveFlow", "Source.SourceIngestPort"]},
                "EgressIp": {"Fn::GetAtt": ["LiveFlow", "EgressIp"]},
                "OutputArn": {"Fn::GetAtt": ["ToProgram", "OutputArn"]},
                "OutputRef": {"Ref": "ToProgram"},
                "VpcFlowArn": {"Fn::GetAtt": ["LiveVpc", "FlowArn"]},
                "VpcRef": {"Ref": "LiveVpc"},
                "Eni": {"Fn::Select": [0, {"Fn::GetAtt": ["LiveVpc", "NetworkInterfaceIds"]}]},
            }.items()
        },
    }


def _parameters(subnet: str, latency: int | None = None) -> list[dict[str, str]]:
    parameters = [{"ParameterKey": "SubnetId", "ParameterValue": subnet}]
    if latency is not None:
        parameters.append({"ParameterKey": "Latency", "ParameterValue": str(latency)})
    return parameters


def _create(cfn: Any, template: dict[str, Any], name: str = "demo-flows-us-east-1", **kwargs: Any) -> None:
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), **kwargs)


def _stack(cfn: Any, name: str = "demo-flows-us-east-1") -> dict[str, Any]:
    return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])


def _outputs(cfn: Any, name: str = "demo-flows-us-east-1") -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in _stack(cfn, name).get("Outputs", [])}


def _wait(cfn: Any, waiter: str, name: str = "demo-flows-us-east-1") -> None:
    cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def _only_flow(mc: Any) -> dict[str, Any]:
    flows = mc.list_flows()["Flows"]
    assert len(flows) == 1
    return dict(mc.describe_flow(FlowArn=flows[0]["FlowArn"])["Flow"])


def test_stack_create_succeeds_with_flow_vpc_interface_and_output(
    cfn: Any, mc: Any, ec2: Any, subnet: str
) -> None:
    _create(cfn, _template(), Parameters=_parameters(subnet), Tags=[{"Key": "owner", "Value": "ops"}])
    _wait(cfn, "stack_create_complete")
    flow = _only_flow(mc)
    assert flow["Name"] == "demo-live"
    assert flow["Status"] == "STANDBY"
    assert flow["AvailabilityZone"] == f"{REGION}a"
    source = flow["Source"]
    assert source["Name"] == "standby"
    assert source["Transport"] == {"Protocol": "srt-listener", "MinLatency": 200}
    assert source["Decryption"] == DECRYPTION
    assert source["WhitelistCidr"] == "10.40.0.0/16"
    assert ipaddress.ip_address(source["IngestIp"]).is_global
    [vpc] = flow["VpcInterfaces"]
    assert (vpc["Name"], vpc["SubnetId"], vpc["RoleArn"]) == ("live-vpc", subnet, ROLE)
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=vpc["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ][0]
    [output] = flow["Outputs"]
    assert output["Name"] == "to-program"
    assert output["Port"] == 6000
    assert output["VpcInterfaceAttachment"] == {"VpcInterfaceName": "live-vpc"}
    assert output["ListenerAddress"] == eni["PrivateIpAddress"]
    assert output["Transport"] == {
        "Protocol": "srt-listener",
        "MinLatency": 300,
        "CidrAllowList": ["10.0.0.0/8"],
    }
    tags = mc.list_tags_for_resource(ResourceArn=flow["FlowArn"])["Tags"]
    assert tags["streamfabric:topology"] == "demo"
    assert tags["owner"] == "ops"
    assert tags["aws:cloudformation:stack-name"] == "demo-flows-us-east-1"
    assert tags["aws:cloudformation:logical-id"] == "LiveFlow"
    output_tags = mc.list_tags_for_resource(ResourceArn=output["OutputArn"])["Tags"]
    assert output_tags["aws:cloudformation:logical-id"] == "ToProgram"


def test_stack_outputs_succeed_with_getatt_and_ref_values(cfn: Any, mc: Any, subnet: str) -> None:
    _create(cfn, _template(), Parameters=_parameters(subnet))
    outputs = _outputs(cfn)
    flow = _only_flow(mc)
    assert (
        outputs["FlowArn"]
        == outputs["FlowRef"]
        == outputs["VpcRef"]
        == outputs["VpcFlowArn"]
        == flow["FlowArn"]
    )
    assert outputs["FlowAz"] == flow["AvailabilityZone"]
    assert outputs["SourceArn"] == flow["Source"]["SourceArn"]
    assert outputs["IngestIp"] == flow["Source"]["IngestIp"]
    assert outputs["IngestPort"] == "5000"
    assert outputs["EgressIp"] == flow["EgressIp"]
    assert outputs["OutputArn"] == outputs["OutputRef"] == flow["Outputs"][0]["OutputArn"]
    assert outputs["Eni"] == flow["VpcInterfaces"][0]["NetworkInterfaceIds"][0]
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName="demo-flows-us-east-1")["StackResources"]
    }
    assert resources == {
        "LiveFlow": flow["FlowArn"],
        "LiveVpc": flow["FlowArn"],
        "ToProgram": outputs["OutputArn"],
    }


def test_stack_getatt_of_unknown_attribute_fails(cfn: Any) -> None:
    template = {
        "Resources": {"Flow": _flow_resource()},
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Outputs": {"Nope": {"Value": {"Fn::GetAtt": ["Flow", "Nope"]}}},
    }
    with pytest.raises(cfn.exceptions.ClientError):
        _create(cfn, template)


def test_stack_update_succeeds_in_place(cfn: Any, mc: Any, subnet: str) -> None:
    template = _template()
    _create(cfn, template, Parameters=_parameters(subnet))
    before = _only_flow(mc)
    template["Resources"]["LiveFlow"]["Properties"]["Source"]["WhitelistCidr"] = "10.41.0.0/16"
    template["Resources"]["ToProgram"]["Properties"]["Port"] = 6100
    cfn.update_stack(
        StackName="demo-flows-us-east-1",
        TemplateBody=json.dumps(template),
        Parameters=_parameters(subnet, 800),
    )
    _wait(cfn, "stack_update_complete")
    after = _only_flow(mc)
    assert after["FlowArn"] == before["FlowArn"]
    assert after["Source"]["SourceArn"] == before["Source"]["SourceArn"]
    assert after["Source"]["WhitelistCidr"] == "10.41.0.0/16"
    assert after["Source"]["Transport"]["MinLatency"] == 800
    assert after["Source"]["Decryption"] == DECRYPTION
    assert after["Outputs"][0]["OutputArn"] == before["Outputs"][0]["OutputArn"]
    assert after["Outputs"][0]["Port"] == 6100
    assert after["Outputs"][0]["VpcInterfaceAttachment"] == {"VpcInterfaceName": "live-vpc"}


def test_stack_update_renaming_the_flow_succeeds_by_replacement(cfn: Any, mc: Any) -> None:
    template = {
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {"F": _flow_resource()},
    }
    _create(cfn, template)
    old_arn = _only_flow(mc)["FlowArn"]
    template["Resources"]["F"] = _flow_resource(name="demo-live-2")
    cfn.update_stack(StackName="demo-flows-us-east-1", TemplateBody=json.dumps(template))
    new = _only_flow(mc)
    assert new["Name"] == "demo-live-2"
    assert new["FlowArn"] != old_arn
    assert _stack(cfn)["StackStatus"] == "UPDATE_COMPLETE"


def test_stack_update_moving_the_vpc_interface_succeeds_with_new_enis(
    cfn: Any, mc: Any, ec2: Any, subnet: str
) -> None:
    template = _template()
    del template["Resources"]["ToProgram"]
    template["Outputs"] = {}
    _create(cfn, template, Parameters=_parameters(subnet))
    old_enis = _only_flow(mc)["VpcInterfaces"][0]["NetworkInterfaceIds"]
    vpc_id = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.2.0/24", AvailabilityZone=f"{REGION}a")
    other_id = other["Subnet"]["SubnetId"]
    cfn.update_stack(
        StackName="demo-flows-us-east-1", TemplateBody=json.dumps(template), Parameters=_parameters(other_id)
    )
    [vpc] = _only_flow(mc)["VpcInterfaces"]
    assert vpc["SubnetId"] == other_id
    enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert {eni["NetworkInterfaceId"] for eni in enis} == set(vpc["NetworkInterfaceIds"])
    assert not set(old_enis) & set(vpc["NetworkInterfaceIds"])


def test_stack_update_with_failing_resource_fails_and_rolls_back(cfn: Any, mc: Any, subnet: str) -> None:
    template = _template()
    _create(cfn, template, Parameters=_parameters(subnet))
    broken = copy.deepcopy(template)
    broken["Resources"]["ToProgram"]["Properties"]["VpcInterfaceAttachment"] = {
        "VpcInterfaceName": "missing-vpc"
    }
    broken["Resources"]["ToProgram"]["Properties"]["Port"] = 6200
    cfn.update_stack(
        StackName="demo-flows-us-east-1", TemplateBody=json.dumps(broken), Parameters=_parameters(subnet)
    )
    with pytest.raises(WaiterError):
        _wait(cfn, "stack_update_complete")
    assert _stack(cfn)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    output = _only_flow(mc)["Outputs"][0]
    assert output["Port"] == 6000
    assert output["VpcInterfaceAttachment"] == {"VpcInterfaceName": "live-vpc"}


def test_stack_delete_succeeds_and_removes_flow_and_enis(cfn: Any, mc: Any, ec2: Any, subnet: str) -> None:
    _create(cfn, _template(), Parameters=_parameters(subnet))
    stack_id = _stack(cfn)["StackId"]
    assert ec2.describe_network_interfaces()["NetworkInterfaces"]
    cfn.delete_stack(StackName="demo-flows-us-east-1")
    _wait(cfn, "stack_delete_complete", stack_id)
    assert mc.list_flows()["Flows"] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert [s["StackName"] for s in cfn.describe_stacks()["Stacks"]] == []
    # Looking at the deleted stack must not bring its resources back (moto's map is lazy).
    assert _stack(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    cfn.describe_stack_resources(StackName=stack_id)
    assert mc.list_flows()["Flows"] == []


def test_stack_delete_of_running_flow_fails_until_stopped(cfn: Any, mc: Any, subnet: str) -> None:
    _create(cfn, _template(), Parameters=_parameters(subnet))
    outputs = _outputs(cfn)
    flow_arn = _only_flow(mc)["FlowArn"]
    mc.start_flow(FlowArn=flow_arn)
    cfn.delete_stack(StackName="demo-flows-us-east-1")
    with pytest.raises(WaiterError):
        _wait(cfn, "stack_delete_complete")
    assert _stack(cfn)["StackStatus"] == "DELETE_FAILED"
    assert _outputs(cfn) == outputs
    events = cfn.describe_stack_events(StackName="demo-flows-us-east-1")["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    # the VPC interface cannot leave a running flow (RemoveFlowVpcInterface needs STANDBY), so the
    # flow, which waits for it, is never asked to go
    assert any("LiveVpc" in reason and "STANDBY" in reason for reason in reasons), reasons
    remaining = cfn.describe_stack_resources(StackName="demo-flows-us-east-1")["StackResources"]
    assert sorted(r["LogicalResourceId"] for r in remaining) == ["LiveFlow", "LiveVpc"]
    flow = _only_flow(mc)
    assert (flow["Status"], flow["Outputs"], len(flow["VpcInterfaces"])) == ("ACTIVE", [], 1)
    mc.stop_flow(FlowArn=flow_arn)
    cfn.delete_stack(StackName="demo-flows-us-east-1")
    assert mc.list_flows()["Flows"] == []
    assert cfn.describe_stacks()["Stacks"] == []


def test_stack_delete_while_source_uses_the_vpc_interface_fails(cfn: Any, mc: Any, subnet: str) -> None:
    _create(cfn, _template(), Parameters=_parameters(subnet))
    flow = _only_flow(mc)
    mc.update_flow_source(
        FlowArn=flow["FlowArn"],
        SourceArn=flow["Source"]["SourceArn"],
        Protocol="srt-caller",
        SourceListenerAddress="10.50.0.10",
        SourceListenerPort=7000,
        VpcInterfaceName="live-vpc",
    )
    cfn.delete_stack(StackName="demo-flows-us-east-1")
    assert _stack(cfn)["StackStatus"] == "DELETE_FAILED"
    events = cfn.describe_stack_events(StackName="demo-flows-us-east-1")["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    assert any("LiveVpc" in reason for reason in reasons)
    assert _only_flow(mc)["VpcInterfaces"][0]["Name"] == "live-vpc"


def test_stack_with_second_source_but_no_failover_fails_and_rolls_back(cfn: Any, mc: Any) -> None:
    template = {
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {
            "Flow": _flow_resource(),
            "Backup": {
                "Type": "AWS::MediaConnect::FlowSource",
                "Properties": {
                    "FlowArn": {"Ref": "Flow"},
                    "Name": "backup",
                    "Description": "second encoder",
                    "Protocol": "srt-listener",
                    "IngestPort": 5001,
                    "WhitelistCidr": "10.40.0.0/16",
                },
            },
        },
    }
    _create(cfn, template)
    with pytest.raises(WaiterError):
        _wait(cfn, "stack_create_complete")
    assert _stack(cfn)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert mc.list_flows()["Flows"] == []


def test_stack_with_second_source_and_failover_succeeds(cfn: Any, mc: Any) -> None:
    template = {
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {
            "Flow": _flow_resource(SourceFailoverConfig={"State": "ENABLED", "FailoverMode": "FAILOVER"}),
            "Backup": {
                "Type": "AWS::MediaConnect::FlowSource",
                "Properties": {
                    "FlowArn": {"Ref": "Flow"},
                    "Name": "backup",
                    "Description": "second encoder",
                    "Protocol": "srt-listener",
                    "IngestPort": "5001",
                    "WhitelistCidr": "10.40.0.0/16",
                },
            },
        },
        "Outputs": {
            "BackupArn": {"Value": {"Fn::GetAtt": ["Backup", "SourceArn"]}},
            "BackupRef": {"Value": {"Ref": "Backup"}},
            "BackupIp": {"Value": {"Fn::GetAtt": ["Backup", "IngestIp"]}},
            "BackupPort": {"Value": {"Fn::GetAtt": ["Backup", "SourceIngestPort"]}},
        },
    }
    _create(cfn, template)
    _wait(cfn, "stack_create_complete")
    flow = _only_flow(mc)
    backup = flow["Sources"][1]
    outputs = _outputs(cfn)
    assert flow["SourceFailoverConfig"] == {"State": "ENABLED", "FailoverMode": "FAILOVER"}
    assert backup["Name"] == "backup" and backup["IngestPort"] == 5001
    assert outputs["BackupArn"] == outputs["BackupRef"] == backup["SourceArn"]
    assert outputs["BackupIp"] == backup["IngestIp"]
    assert outputs["BackupPort"] == "5001"


def test_stack_without_the_extension_types_is_not_silently_empty(cfn: Any, mc: Any) -> None:
    """The original moto behaviour this extension fixes: the stack succeeded with no flow."""
    template = {
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {"F": _flow_resource()},
    }
    _create(cfn, template)
    assert _stack(cfn)["StackStatus"] == "CREATE_COMPLETE"
    assert [f["Name"] for f in mc.list_flows()["Flows"]] == ["demo-live"]


def test_yaml_template_with_short_form_getatt_succeeds(cfn: Any, mc: Any) -> None:
    template = """
Resources:
  Flow:
    Type: AWS::MediaConnect::Flow
    Properties:
      Name: yaml-flow
      Source:
        Name: in
        Protocol: srt-listener
        IngestPort: 5000
        WhitelistCidr: 0.0.0.0/0
Outputs:
  IngestIp:
    Value: !GetAtt Flow.Source.IngestIp
  SourceArn:
    Value: !GetAtt [Flow, Source.SourceArn]
  FlowArn:
    Value: !Ref Flow
"""
    cfn.create_stack(StackName="yaml-stack", TemplateBody=template)
    flow = _only_flow(mc)
    outputs = _outputs(cfn, "yaml-stack")
    assert outputs == {
        "IngestIp": flow["Source"]["IngestIp"],
        "SourceArn": flow["Source"]["SourceArn"],
        "FlowArn": flow["FlowArn"],
    }


def _failover_template(protocol: str = "srt-listener") -> dict[str, Any]:
    return {
        "Parameters": {"Latency": {"Type": "Number", "Default": "200"}},
        "Resources": {
            "Flow": _flow_resource(
                SourceFailoverConfig={"State": "ENABLED"},
                Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
            ),
            "Backup": {
                "Type": "AWS::MediaConnect::FlowSource",
                "Properties": {
                    "FlowArn": {"Ref": "Flow"},
                    "Name": "backup",
                    "Description": "second encoder",
                    "Protocol": protocol,
                    "IngestPort": 5001,
                    "WhitelistCidr": "10.40.0.0/16",
                },
            },
        },
    }


def test_stack_update_replacing_a_fixed_name_source_fails_and_rolls_back(cfn: Any, mc: Any) -> None:
    _create(cfn, _failover_template())
    before = _only_flow(mc)["Sources"][1]
    cfn.update_stack(StackName="demo-flows-us-east-1", TemplateBody=json.dumps(_failover_template("rtp")))
    assert _stack(cfn)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert _only_flow(mc)["Sources"][1] == before


def test_stack_update_of_tags_succeeds(cfn: Any, mc: Any) -> None:
    template = _failover_template()
    _create(cfn, template)
    template["Resources"]["Flow"]["Properties"]["Tags"] = [{"Key": "a", "Value": "9"}]
    cfn.update_stack(StackName="demo-flows-us-east-1", TemplateBody=json.dumps(template))
    tags = mc.list_tags_for_resource(ResourceArn=_only_flow(mc)["FlowArn"])["Tags"]
    assert tags["a"] == "9"
    assert "b" not in tags
    assert tags["aws:cloudformation:logical-id"] == "Flow"


def test_stack_with_a_maintenance_window_succeeds_and_updates_in_place(
    cfn: Any, mc: Any, subnet: str, aws: str
) -> None:
    """AWS::MediaConnect::Flow Maintenance (MaintenanceDay, MaintenanceStartHour "HH:00") reaches the
    flow, and a change updates it in place ("Update requires: No interruption"), on a Thursday noon
    (the emulator's calendar pinned far from Tuesday 04:00, whose window locks changes from 4 hours
    before it to its end)."""
    set_strictness(aws, clock={"wall": "2026-01-08T12:00:00+00:00"})
    template = _template()
    flow = template["Resources"]["LiveFlow"]["Properties"]
    flow["Maintenance"] = {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}
    _create(cfn, template, Parameters=_parameters(subnet))
    _wait(cfn, "stack_create_complete")
    before = _only_flow(mc)
    assert before["Maintenance"] == {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}
    flow["Maintenance"] = {"MaintenanceDay": "Sunday", "MaintenanceStartHour": "23:00"}
    cfn.update_stack(
        StackName="demo-flows-us-east-1", TemplateBody=json.dumps(template), Parameters=_parameters(subnet)
    )
    _wait(cfn, "stack_update_complete")
    after = _only_flow(mc)
    assert after["FlowArn"] == before["FlowArn"]
    assert after["Maintenance"] == {"MaintenanceDay": "Sunday", "MaintenanceStartHour": "23:00"}


def test_stack_update_of_the_maintenance_window_near_its_start_fails_and_rolls_back(
    cfn: Any, mc: Any, subnet: str, aws: str
) -> None:
    """MediaConnect User Guide, Setting flow maintenance windows: no change "within 4 hours of the
    scheduled maintenance start time": CloudFormation's UpdateFlow is refused like anyone's."""
    set_strictness(aws, clock={"wall": "2026-01-06T01:30:00+00:00"})  # Tuesday, 2.5 h before 04:00
    template = _template()
    flow = template["Resources"]["LiveFlow"]["Properties"]
    flow["Maintenance"] = {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}
    _create(cfn, template, Parameters=_parameters(subnet))
    _wait(cfn, "stack_create_complete")
    flow["Maintenance"] = {"MaintenanceDay": "Sunday", "MaintenanceStartHour": "23:00"}
    cfn.update_stack(
        StackName="demo-flows-us-east-1", TemplateBody=json.dumps(template), Parameters=_parameters(subnet)
    )
    with pytest.raises(WaiterError):
        _wait(cfn, "stack_update_complete")
    assert _stack(cfn)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert _only_flow(mc)["Maintenance"] == {"MaintenanceDay": "Tuesday", "MaintenanceStartHour": "04:00"}


@pytest.mark.parametrize(
    "window",
    [
        {"MaintenanceDay": "Someday", "MaintenanceStartHour": "04:00"},
        {"MaintenanceDay": "Monday", "MaintenanceStartHour": "04:30"},
        {"MaintenanceDay": "Monday", "MaintenanceStartHour": "24:00"},
    ],
)
def test_stack_with_a_bad_maintenance_window_fails(cfn: Any, mc: Any, subnet: str, window: Any) -> None:
    template = _template()
    template["Resources"]["LiveFlow"]["Properties"]["Maintenance"] = window
    _create(cfn, template, Parameters=_parameters(subnet))
    with pytest.raises(WaiterError):
        _wait(cfn, "stack_create_complete")
    assert mc.list_flows()["Flows"] == []
