"""A hub flow's SRT caller on a VPC interface receives what the ingest flow it calls receives, and only
when the call can be made (src/streamfabric/sandbox/mediaconnect/signal.py): the ingest ACTIVE, its
hop output attached to its VPC interface, the caller at that interface's private IP and the hop
port, allowed by the output's CidrAllowList, the VPCs peered with routes both ways. Each break of
the path leaves the hub with nothing, as the old emulator (which reported a picture whenever an
address matched) did not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from encoders import encoder_on

HUB, SPOKE = "us-east-1", "eu-west-1"
HUB_CIDR, SPOKE_CIDR = "10.1.0.0/16", "10.2.0.0/16"
ROLE = "arn:aws:iam::123456789012:role/MediaConnectAccess"
HOP_PORT = 7000


@dataclass
class Path:
    endpoint: str
    ec2: dict[str, Any]
    mc: dict[str, Any]
    vpcs: dict[str, str]
    subnets: dict[str, str]
    tables: dict[str, str]
    pcx: str
    ingest: str
    hub: str

    def hub_media(self) -> bool:
        meta = self.mc[HUB].describe_flow_source_metadata(FlowArn=self.hub)
        return "TransportMediaInfo" in meta

    def ingest_output(self) -> dict[str, Any]:
        return dict(self.mc[SPOKE].describe_flow(FlowArn=self.ingest)["Flow"]["Outputs"][0])

    def point_hub(self, **changes: Any) -> None:
        flow = self.mc[HUB].describe_flow(FlowArn=self.hub)["Flow"]
        self.mc[HUB].stop_flow(FlowArn=self.hub)
        self.mc[HUB].describe_flow(FlowArn=self.hub)
        self.mc[HUB].update_flow_source(FlowArn=self.hub, SourceArn=flow["Source"]["SourceArn"], **changes)
        self.mc[HUB].start_flow(FlowArn=self.hub)
        self.mc[HUB].describe_flow(FlowArn=self.hub)


def _network(ec2: Any, cidr: str, region: str) -> tuple[str, str, str]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"),
                               AvailabilityZone=f"{region}a")["Subnet"]["SubnetId"]  # fmt: skip
    filters = [{"Name": "vpc-id", "Values": [vpc]}]
    table = ec2.describe_route_tables(Filters=filters)["RouteTables"][0]["RouteTableId"]
    return vpc, subnet, table


def _vpc_interface(name: str, subnet: str) -> dict[str, Any]:
    return {"Name": name, "RoleArn": ROLE, "SecurityGroupIds": ["sg-0123456789abcdef0"], "SubnetId": subnet}


@pytest.fixture()
def path(aws: str) -> Path:
    ec2 = {r: boto3.client("ec2", region_name=r, endpoint_url=aws) for r in (HUB, SPOKE)}
    mc = {r: boto3.client("mediaconnect", region_name=r, endpoint_url=aws) for r in (HUB, SPOKE)}
    hub_vpc, hub_subnet, hub_table = _network(ec2[HUB], HUB_CIDR, HUB)
    spoke_vpc, spoke_subnet, spoke_table = _network(ec2[SPOKE], SPOKE_CIDR, SPOKE)
    pcx = ec2[HUB].create_vpc_peering_connection(VpcId=hub_vpc, PeerVpcId=spoke_vpc, PeerRegion=SPOKE)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    ec2[SPOKE].accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2[HUB].create_route(RouteTableId=hub_table, DestinationCidrBlock=SPOKE_CIDR, VpcPeeringConnectionId=pcx)
    ec2[SPOKE].create_route(
        RouteTableId=spoke_table, DestinationCidrBlock=HUB_CIDR, VpcPeeringConnectionId=pcx
    )
    listener = {
        "Name": "encoder",
        "Protocol": "srt-listener",
        "IngestPort": 5000,
        "WhitelistCidr": "0.0.0.0/0",
    }
    hop = {"Name": "to-live", "Protocol": "srt-listener", "Port": HOP_PORT, "CidrAllowList": [HUB_CIDR],
           "VpcInterfaceAttachment": {"VpcInterfaceName": "main-stage-vpc"}}  # fmt: skip
    ingest = mc[SPOKE].create_flow(
        Name="festival-main-stage", Source=listener, Outputs=[hop],
        VpcInterfaces=[_vpc_interface("main-stage-vpc", spoke_subnet)],
    )["Flow"]["FlowArn"]  # fmt: skip
    mc[SPOKE].start_flow(FlowArn=ingest)
    mc[SPOKE].describe_flow(FlowArn=ingest)
    encoder_on(aws, ingest)
    address = mc[SPOKE].describe_flow(FlowArn=ingest)["Flow"]["Outputs"][0]["ListenerAddress"]
    hub = mc[HUB].create_flow(
        Name="festival-live", SourceMonitoringConfig={"ThumbnailState": "ENABLED"},
        Source={"Name": "standby", "Protocol": "srt-listener", "IngestPort": HOP_PORT,
                "WhitelistCidr": HUB_CIDR},
        VpcInterfaces=[_vpc_interface("live-vpc", hub_subnet)],
    )["Flow"]  # fmt: skip
    path = Path(aws, ec2, mc, {HUB: hub_vpc, SPOKE: spoke_vpc}, {HUB: hub_subnet, SPOKE: spoke_subnet},
                {HUB: hub_table, SPOKE: spoke_table}, pcx, ingest, hub["FlowArn"])  # fmt: skip
    mc[HUB].start_flow(FlowArn=path.hub)
    mc[HUB].describe_flow(FlowArn=path.hub)
    assert not path.hub_media()  # the temporary standby listener: nobody sends to it
    path.point_hub(Protocol="srt-caller", SourceListenerAddress=address, SourceListenerPort=HOP_PORT,
                   VpcInterfaceName="live-vpc")  # fmt: skip
    return path


def test_the_hub_receives_what_the_ingest_it_calls_receives(path: Path) -> None:
    assert path.hub_media()
    encoder_on(path.endpoint, path.ingest, codec="hevc")
    meta = path.mc[HUB].describe_flow_source_metadata(FlowArn=path.hub)
    assert meta["TransportMediaInfo"]["Programs"][0]["Streams"][0]["Codec"] == "hevc"


def _stop_ingest(path: Path) -> None:
    path.mc[SPOKE].stop_flow(FlowArn=path.ingest)
    path.mc[SPOKE].describe_flow(FlowArn=path.ingest)


def _detach_output(path: Path) -> None:  # a public listener output: a VPC caller cannot reach it
    output = path.ingest_output()
    _stop_ingest(path)
    path.mc[SPOKE].update_flow_output(FlowArn=path.ingest, OutputArn=output["OutputArn"],
                                      VpcInterfaceAttachment={"VpcInterfaceName": ""})  # fmt: skip
    path.mc[SPOKE].start_flow(FlowArn=path.ingest)
    path.mc[SPOKE].describe_flow(FlowArn=path.ingest)
    path.point_hub(SourceListenerAddress=path.ingest_output()["ListenerAddress"])


def _wrong_port(path: Path) -> None:
    path.point_hub(SourceListenerPort=HOP_PORT + 1)


def _not_allowed(path: Path) -> None:
    output = path.ingest_output()
    path.mc[SPOKE].update_flow_output(FlowArn=path.ingest, OutputArn=output["OutputArn"],
                                      CidrAllowList=["10.9.0.0/16"])  # fmt: skip


def _no_route_back(path: Path) -> None:
    path.ec2[SPOKE].delete_route(RouteTableId=path.tables[SPOKE], DestinationCidrBlock=HUB_CIDR)


def _not_peered(path: Path) -> None:
    path.ec2[HUB].delete_vpc_peering_connection(VpcPeeringConnectionId=path.pcx)


def _public_caller(path: Path) -> None:  # the caller off its VPC interface: the private IP is not reachable
    path.point_hub(VpcInterfaceName="")


def _encoder_off(path: Path) -> None:
    from encoders import encoder_off

    encoder_off(path.endpoint, path.ingest)


@pytest.mark.parametrize(
    "breaks",
    [_stop_ingest, _detach_output, _wrong_port, _not_allowed, _no_route_back, _not_peered, _public_caller,
     _encoder_off],
    ids=lambda f: f.__name__.strip("_"),
)  # fmt: skip
def test_each_break_of_the_path_leaves_the_hub_without_signal(
    path: Path, breaks: Callable[[Path], None]
) -> None:
    assert path.hub_media()
    breaks(path)
    assert not path.hub_media()
    thumbnail = path.mc[HUB].describe_flow_source_thumbnail(FlowArn=path.hub)["ThumbnailDetails"]
    assert "Thumbnail" not in thumbnail
