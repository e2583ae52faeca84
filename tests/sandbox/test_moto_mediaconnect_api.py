"""The MediaConnect API of the sandbox (moto + streamfabric's extension) behaves like AWS's."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from wire_shapes import WireRecorder  # tests/ is on sys.path

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:srt-pass"
DECRYPTION = {"Algorithm": "aes256", "KeyType": "srt-password", "RoleArn": ROLE, "SecretArn": SECRET}


@pytest.fixture()
def wire(aws: str) -> Iterator[WireRecorder]:
    """Every MediaConnect request and raw response of the test, checked against botocore's model."""
    recorder = WireRecorder(boto3.session.Session())
    yield recorder
    assert recorder.request_problems() == []
    assert recorder.response_problems() == []


@pytest.fixture()
def mc(aws: str, wire: WireRecorder) -> Any:
    return wire.session.client("mediaconnect", region_name=REGION, endpoint_url=aws)


@pytest.fixture()
def ec2(aws: str) -> Any:
    return boto3.client("ec2", region_name=REGION, endpoint_url=aws)


@pytest.fixture()
def subnet(ec2: Any) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone=f"{REGION}a")
    return str(subnet["Subnet"]["SubnetId"])


def _source(**extra: Any) -> dict[str, Any]:
    source = {
        "Name": "primary",
        "Protocol": "srt-listener",
        "IngestPort": 5000,
        "WhitelistCidr": "198.51.100.0/24",
        "MinLatency": 250,
        "Description": "encoder A",
        "Decryption": dict(DECRYPTION),
    }
    source.update(extra)
    return source


def _vpc_interface(subnet: str, name: str = "hop-vpc") -> dict[str, Any]:
    return {"Name": name, "RoleArn": ROLE, "SecurityGroupIds": ["sg-0123456789abcdef0"], "SubnetId": subnet}


def _flow(mc: Any, name: str = "demo-ingest", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("Source", _source())
    return dict(mc.create_flow(Name=name, AvailabilityZone=f"{REGION}a", **kwargs)["Flow"])


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def test_create_flow_succeeds_in_standby_with_public_ingest_ip(mc: Any) -> None:
    flow = _flow(mc)
    described = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]
    source = described["Source"]
    assert described["Status"] == "STANDBY"
    assert ipaddress.ip_address(source["IngestIp"]).is_global
    assert source["IngestIp"] == described["EgressIp"]
    assert source["Transport"] == {"Protocol": "srt-listener", "MinLatency": 250}
    assert source["Decryption"] == DECRYPTION
    assert source["IngestPort"] == 5000
    assert described["Sources"] == [source]
    assert described["Description"] == "encoder A"
    assert mc.list_flows()["Flows"][0]["Description"] == "encoder A"


def test_create_flows_succeeds_with_distinct_ingest_ips(mc: Any) -> None:
    ips = {_flow(mc, name=f"flow-{i}")["Source"]["IngestIp"] for i in range(5)}
    assert len(ips) == 5


def test_create_flow_without_source_fails(mc: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        mc.create_flow(Name="no-source")
    assert _error(excinfo) == "BadRequestException"


def test_describe_unknown_flow_fails(mc: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        mc.describe_flow(FlowArn="arn:aws:mediaconnect:us-east-1:123456789012:flow:1-abc:missing")
    assert _error(excinfo) == "NotFoundException"


def test_flow_name_with_dot_succeeds(mc: Any) -> None:
    flow = _flow(mc, name="festival.main-stage")
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Name"] == "festival.main-stage"


def test_update_flow_source_with_only_listener_fields_keeps_the_rest_succeeds(mc: Any) -> None:
    flow = _flow(mc)
    source_arn = flow["Source"]["SourceArn"]
    returned = mc.update_flow_source(
        FlowArn=flow["FlowArn"],
        SourceArn=source_arn,
        SourceListenerAddress="203.0.113.7",
        SourceListenerPort=7000,
    )["Source"]
    source = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    assert returned == source
    assert source["Transport"]["SourceListenerAddress"] == "203.0.113.7"
    assert source["Transport"]["SourceListenerPort"] == 7000
    assert source["Transport"]["Protocol"] == "srt-listener"
    assert source["Transport"]["MinLatency"] == 250
    assert source["Decryption"] == DECRYPTION
    assert source["WhitelistCidr"] == "198.51.100.0/24"
    assert source["Description"] == "encoder A"
    assert source["IngestPort"] == 5000


def test_update_flow_source_onto_vpc_interface_succeeds_with_private_ingest_ip(
    mc: Any, ec2: Any, subnet: str
) -> None:
    flow = _flow(mc)
    added = mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    eni_id = added["VpcInterfaces"][0]["NetworkInterfaceIds"][0]
    eni_ip = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0][
        "PrivateIpAddress"
    ]
    mc.update_flow_source(
        FlowArn=flow["FlowArn"],
        SourceArn=flow["Source"]["SourceArn"],
        Protocol="srt-caller",
        SourceListenerAddress="10.99.0.10",
        SourceListenerPort=9000,
        VpcInterfaceName="hop-vpc",
    )
    source = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Source"]
    assert source["VpcInterfaceName"] == "hop-vpc"
    assert source["IngestIp"] == eni_ip
    assert source["Transport"]["Protocol"] == "srt-caller"
    assert source["Transport"]["SourceListenerAddress"] == "10.99.0.10"
    assert source["Decryption"] == DECRYPTION


def test_update_flow_source_onto_unknown_vpc_interface_fails(mc: Any) -> None:
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.update_flow_source(
            FlowArn=flow["FlowArn"], SourceArn=flow["Source"]["SourceArn"], VpcInterfaceName="nope"
        )
    assert _error(excinfo) == "BadRequestException"


def test_add_flow_vpc_interfaces_succeeds_with_enis_in_the_subnet(mc: Any, ec2: Any, subnet: str) -> None:
    flow = _flow(mc)
    added = mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    assert added["FlowArn"] == flow["FlowArn"]
    interface = added["VpcInterfaces"][0]
    assert interface["SubnetId"] == subnet
    assert interface["NetworkInterfaceType"] == "ena"
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=interface["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ]
    assert [eni["SubnetId"] for eni in enis] == [subnet]
    assert ipaddress.ip_address(enis[0]["PrivateIpAddress"]) in ipaddress.ip_network("10.20.1.0/24")
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["VpcInterfaces"] == [interface]


def test_add_flow_vpc_interfaces_twice_succeeds_appending(mc: Any, subnet: str) -> None:
    flow = _flow(mc)
    mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet, "a")])
    mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet, "b")])
    names = [v["Name"] for v in mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["VpcInterfaces"]]
    assert names == ["a", "b"]


def test_add_flow_vpc_interfaces_with_unknown_subnet_fails(mc: Any) -> None:
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.add_flow_vpc_interfaces(
            FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface("subnet-0000000000")]
        )
    assert _error(excinfo) == "BadRequestException"


def test_add_flow_vpc_interfaces_in_another_availability_zone_fails(mc: Any, ec2: Any) -> None:
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.2.0/24", AvailabilityZone=f"{REGION}b")
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.add_flow_vpc_interfaces(
            FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(other["Subnet"]["SubnetId"])]
        )
    assert _error(excinfo) == "BadRequestException"


def test_remove_flow_vpc_interface_used_by_source_fails(mc: Any, subnet: str) -> None:
    flow = _flow(mc)
    mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    mc.update_flow_source(
        FlowArn=flow["FlowArn"], SourceArn=flow["Source"]["SourceArn"], VpcInterfaceName="hop-vpc"
    )
    with pytest.raises(ClientError) as excinfo:
        mc.remove_flow_vpc_interface(FlowArn=flow["FlowArn"], VpcInterfaceName="hop-vpc")
    assert _error(excinfo) == "BadRequestException"
    assert "primary" in excinfo.value.response["Error"]["Message"]
    assert len(mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["VpcInterfaces"]) == 1


def test_remove_flow_vpc_interface_used_by_output_fails(mc: Any, subnet: str) -> None:
    flow = _flow(mc)
    mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    mc.add_flow_outputs(
        FlowArn=flow["FlowArn"],
        Outputs=[
            {
                "Name": "to-live",
                "Protocol": "srt-listener",
                "Port": 6000,
                "CidrAllowList": ["10.0.0.0/8"],
                "VpcInterfaceAttachment": {"VpcInterfaceName": "hop-vpc"},
            },
        ],
    )
    with pytest.raises(ClientError) as excinfo:
        mc.remove_flow_vpc_interface(FlowArn=flow["FlowArn"], VpcInterfaceName="hop-vpc")
    assert _error(excinfo) == "BadRequestException"
    assert "to-live" in excinfo.value.response["Error"]["Message"]


def test_remove_unused_flow_vpc_interface_succeeds_and_deletes_its_enis(
    mc: Any, ec2: Any, subnet: str
) -> None:
    flow = _flow(mc)
    added = mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    eni_ids = added["VpcInterfaces"][0]["NetworkInterfaceIds"]
    removed = mc.remove_flow_vpc_interface(FlowArn=flow["FlowArn"], VpcInterfaceName="hop-vpc")
    assert removed["VpcInterfaceName"] == "hop-vpc"
    assert removed["NonDeletedNetworkInterfaceIds"] == []
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["VpcInterfaces"] == []
    remaining = {eni["NetworkInterfaceId"] for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    assert not remaining & set(eni_ids)


def test_remove_flow_vpc_interface_succeeds_reporting_an_attached_eni_as_not_deleted(
    mc: Any, ec2: Any, subnet: str
) -> None:
    flow = _flow(mc)
    added = mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    eni_id = added["VpcInterfaces"][0]["NetworkInterfaceIds"][0]
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"
    ][0]
    ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=instance["InstanceId"], DeviceIndex=1)
    removed = mc.remove_flow_vpc_interface(FlowArn=flow["FlowArn"], VpcInterfaceName="hop-vpc")
    assert removed["NonDeletedNetworkInterfaceIds"] == [eni_id]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"]


def test_add_flow_outputs_succeeds_appending_with_arns(mc: Any) -> None:
    flow = _flow(mc)
    first = mc.add_flow_outputs(
        FlowArn=flow["FlowArn"], Outputs=[{"Name": "a", "Protocol": "srt-listener", "Port": 6000}]
    )["Outputs"][0]
    mc.add_flow_outputs(
        FlowArn=flow["FlowArn"],
        Outputs=[{"Name": "b", "Protocol": "srt-caller", "Destination": "192.0.2.10", "Port": 7000}],
    )
    outputs = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Outputs"]
    assert [o["Name"] for o in outputs] == ["a", "b"]
    assert outputs[0]["OutputArn"] == first["OutputArn"] and ":output:" in first["OutputArn"]
    assert outputs[0]["ListenerAddress"] == flow["EgressIp"]
    assert "ListenerAddress" not in outputs[1]
    assert outputs[1]["Transport"]["Protocol"] == "srt-caller"
    assert {o["OutputStatus"] for o in outputs} == {"ENABLED"}


def test_add_flow_outputs_with_duplicate_name_fails(mc: Any) -> None:
    flow = _flow(mc)
    output = {"Name": "a", "Protocol": "srt-listener", "Port": 6000}
    mc.add_flow_outputs(FlowArn=flow["FlowArn"], Outputs=[output])
    with pytest.raises(ClientError) as excinfo:
        mc.add_flow_outputs(FlowArn=flow["FlowArn"], Outputs=[output])
    assert _error(excinfo) == "BadRequestException"


def test_update_flow_output_partially_succeeds(mc: Any, ec2: Any, subnet: str) -> None:
    flow = _flow(mc)
    mc.add_flow_vpc_interfaces(FlowArn=flow["FlowArn"], VpcInterfaces=[_vpc_interface(subnet)])
    encryption = {"Algorithm": "aes128", "KeyType": "srt-password", "RoleArn": ROLE, "SecretArn": SECRET}
    output = mc.add_flow_outputs(
        FlowArn=flow["FlowArn"],
        Outputs=[
            {
                "Name": "to-live",
                "Protocol": "srt-listener",
                "Port": 6000,
                "MinLatency": 300,
                "CidrAllowList": ["10.0.0.0/8"],
                "Encryption": encryption,
                "Description": "hop",
            }
        ],
    )["Outputs"][0]
    updated = mc.update_flow_output(FlowArn=flow["FlowArn"], OutputArn=output["OutputArn"], Port=6100)[
        "Output"
    ]
    assert updated["Port"] == 6100
    assert updated["Transport"] == {
        "Protocol": "srt-listener",
        "MinLatency": 300,
        "CidrAllowList": ["10.0.0.0/8"],
    }
    assert updated["Encryption"] == encryption
    assert updated["Description"] == "hop"

    mc.update_flow_output(
        FlowArn=flow["FlowArn"],
        OutputArn=output["OutputArn"],
        VpcInterfaceAttachment={"VpcInterfaceName": "hop-vpc"},
        OutputStatus="DISABLED",
        Encryption={"SecretArn": SECRET + "-2"},
    )
    described = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]
    eni_id = described["VpcInterfaces"][0]["NetworkInterfaceIds"][0]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    final = described["Outputs"][0]
    assert final["VpcInterfaceAttachment"] == {"VpcInterfaceName": "hop-vpc"}
    assert final["OutputStatus"] == "DISABLED"
    assert final["ListenerAddress"] == eni["PrivateIpAddress"]
    assert final["Encryption"] == {**encryption, "SecretArn": SECRET + "-2"}
    assert final["Port"] == 6100


def test_update_flow_output_attaching_unknown_vpc_interface_fails(mc: Any) -> None:
    flow = _flow(mc)
    output = mc.add_flow_outputs(
        FlowArn=flow["FlowArn"], Outputs=[{"Name": "a", "Protocol": "srt-listener", "Port": 6000}]
    )["Outputs"][0]
    with pytest.raises(ClientError) as excinfo:
        mc.update_flow_output(
            FlowArn=flow["FlowArn"],
            OutputArn=output["OutputArn"],
            VpcInterfaceAttachment={"VpcInterfaceName": "x"},
        )
    assert _error(excinfo) == "BadRequestException"


def test_remove_flow_output_succeeds(mc: Any) -> None:
    flow = _flow(mc)
    output = mc.add_flow_outputs(
        FlowArn=flow["FlowArn"], Outputs=[{"Name": "a", "Protocol": "srt-listener", "Port": 6000}]
    )["Outputs"][0]
    removed = mc.remove_flow_output(FlowArn=flow["FlowArn"], OutputArn=output["OutputArn"])
    assert removed["OutputArn"] == output["OutputArn"]
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Outputs"] == []


def test_remove_unknown_flow_output_fails(mc: Any) -> None:
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.remove_flow_output(
            FlowArn=flow["FlowArn"], OutputArn=flow["FlowArn"].replace(":flow:", ":output:")
        )
    assert _error(excinfo) == "NotFoundException"


def test_start_and_stop_flow_succeed_through_transient_states_and_waiters(mc: Any) -> None:
    flow = _flow(mc)
    assert mc.start_flow(FlowArn=flow["FlowArn"])["Status"] == "STARTING"
    mc.get_waiter("flow_active").wait(FlowArn=flow["FlowArn"], WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "ACTIVE"
    assert mc.stop_flow(FlowArn=flow["FlowArn"])["Status"] == "STOPPING"
    mc.get_waiter("flow_standby").wait(FlowArn=flow["FlowArn"], WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    assert mc.list_flows()["Flows"][0]["Status"] == "STANDBY"


def test_delete_running_flow_fails(mc: Any) -> None:
    flow = _flow(mc)
    mc.start_flow(FlowArn=flow["FlowArn"])
    with pytest.raises(ClientError) as excinfo:
        mc.delete_flow(FlowArn=flow["FlowArn"])
    assert _error(excinfo) == "BadRequestException"
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Status"] == "ACTIVE"


def test_delete_stopped_flow_succeeds_and_deletes_its_enis(mc: Any, ec2: Any, subnet: str) -> None:
    flow = _flow(mc, VpcInterfaces=[_vpc_interface(subnet)])
    assert flow["VpcInterfaces"][0]["NetworkInterfaceIds"]
    assert mc.delete_flow(FlowArn=flow["FlowArn"])["Status"] == "DELETING"
    # DELETING for two reads (the emulator's default), then gone: botocore's waiter's third look
    mc.get_waiter("flow_deleted").wait(FlowArn=flow["FlowArn"], WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    assert mc.list_flows()["Flows"] == []
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []


def test_create_flow_with_vpc_interface_source_succeeds(mc: Any, ec2: Any, subnet: str) -> None:
    flow = mc.create_flow(
        Name="vpc-sourced",
        Source={
            "Name": "in",
            "Protocol": "srt-caller",
            "SourceListenerAddress": "10.20.1.50",
            "SourceListenerPort": 9000,
            "VpcInterfaceName": "hop-vpc",
        },
        VpcInterfaces=[_vpc_interface(subnet)],
    )["Flow"]
    eni_id = flow["VpcInterfaces"][0]["NetworkInterfaceIds"][0]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert flow["AvailabilityZone"] == f"{REGION}a"
    assert flow["Source"]["IngestIp"] == eni["PrivateIpAddress"]
    assert flow["Source"]["VpcInterfaceName"] == "hop-vpc"


def test_list_flows_paginates_succeeds(mc: Any) -> None:
    for i in range(3):
        _flow(mc, name=f"flow-{i}")
    pages = list(mc.get_paginator("list_flows").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["Flows"]) for page in pages] == [2, 1]
    listed = [flow for page in pages for flow in page["Flows"]]
    assert [flow["Name"] for flow in listed] == ["flow-0", "flow-1", "flow-2"]
    assert {flow["SourceType"] for flow in listed} == {"OWNED"}


def test_tagging_succeeds(mc: Any) -> None:
    flow = _flow(mc)
    assert mc.list_tags_for_resource(ResourceArn=flow["FlowArn"])["Tags"] == {}
    mc.tag_resource(ResourceArn=flow["FlowArn"], Tags={"team": "video", "env": "test"})
    mc.untag_resource(ResourceArn=flow["FlowArn"], TagKeys=["env"])
    assert mc.list_tags_for_resource(ResourceArn=flow["FlowArn"])["Tags"] == {"team": "video"}


def test_tagging_unknown_resource_fails(mc: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        mc.tag_resource(
            ResourceArn="arn:aws:mediaconnect:us-east-1:123456789012:flow:1-x:gone", Tags={"a": "b"}
        )
    assert _error(excinfo) == "NotFoundException"


def test_add_second_source_without_failover_fails(mc: Any) -> None:
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.add_flow_sources(FlowArn=flow["FlowArn"], Sources=[_source(Name="backup", IngestPort=5001)])
    assert _error(excinfo) == "BadRequestException"


def test_add_and_remove_second_source_with_failover_succeeds(mc: Any) -> None:
    flow = _flow(mc, SourceFailoverConfig={"State": "ENABLED", "FailoverMode": "FAILOVER"})
    added = mc.add_flow_sources(FlowArn=flow["FlowArn"], Sources=[_source(Name="backup", IngestPort=5001)])
    backup_arn = added["Sources"][0]["SourceArn"]
    assert [s["Name"] for s in mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Sources"]] == [
        "primary",
        "backup",
    ]
    mc.remove_flow_source(FlowArn=flow["FlowArn"], SourceArn=backup_arn)
    assert [s["Name"] for s in mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Sources"]] == ["primary"]


def test_remove_only_source_fails(mc: Any) -> None:
    flow = _flow(mc)
    with pytest.raises(ClientError) as excinfo:
        mc.remove_flow_source(FlowArn=flow["FlowArn"], SourceArn=flow["Source"]["SourceArn"])
    assert _error(excinfo) == "BadRequestException"


def test_update_flow_failover_config_succeeds(mc: Any) -> None:
    flow = _flow(mc)
    updated = mc.update_flow(
        FlowArn=flow["FlowArn"], SourceFailoverConfig={"State": "ENABLED", "RecoveryWindow": 500}
    )
    assert updated["Flow"]["SourceFailoverConfig"] == {"State": "ENABLED", "RecoveryWindow": 500}


def test_install_twice_succeeds_and_keeps_the_extension(mc: Any) -> None:
    from moto.cloudformation.parsing import get_model_map

    from streamfabric.sandbox import patching
    from streamfabric.sandbox.cloudformation.resources import mediaconnect

    patching.install()
    patching.install()
    assert get_model_map()["AWS::MediaConnect::Flow"] is mediaconnect.MediaConnectFlow
    flow = _flow(mc)
    output = mc.add_flow_outputs(
        FlowArn=flow["FlowArn"], Outputs=[{"Name": "a", "Protocol": "srt-listener", "Port": 6000}]
    )["Outputs"][0]
    mc.remove_flow_output(FlowArn=flow["FlowArn"], OutputArn=output["OutputArn"])
    assert mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]["Outputs"] == []


def test_vpc_interfaces_in_one_subnet_get_distinct_addresses_succeeds(mc: Any) -> None:
    """AWS never gives two interfaces one address; moto alone picks at random and may."""
    import boto3

    ec2 = boto3.client("ec2", region_name=mc.meta.region_name, endpoint_url=mc.meta.endpoint_url)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/28",
                               AvailabilityZone=f"{mc.meta.region_name}a")["Subnet"]["SubnetId"]  # fmt: skip
    addresses = []
    for n in range(8):  # a /28 has 11 usable addresses (AWS reserves 5)
        flow = mc.create_flow(
            Name=f"eni-{n}", AvailabilityZone=f"{mc.meta.region_name}a",
            Source={"Name": "s", "Protocol": "srt-listener", "IngestPort": 5000,
                    "WhitelistCidr": "10.0.0.0/8"},
        )["Flow"]  # fmt: skip
        added = mc.add_flow_vpc_interfaces(
            FlowArn=flow["FlowArn"],
            VpcInterfaces=[{"Name": "v", "RoleArn": "arn:aws:iam::123456789012:role/r",
                            "SecurityGroupIds": [], "SubnetId": subnet}],
        )["VpcInterfaces"][0]  # fmt: skip
        (eni,) = added["NetworkInterfaceIds"]
        addresses.append(
            ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0][
                "PrivateIpAddress"
            ]
        )
    assert len(set(addresses)) == 8
    assert all(a not in ("10.42.1.0", "10.42.1.1", "10.42.1.2", "10.42.1.3", "10.42.1.15") for a in addresses)
