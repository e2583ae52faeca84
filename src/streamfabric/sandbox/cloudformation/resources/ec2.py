"""CloudFormation models for the EC2 resources of a peered network, as AWS behaves.

moto 5.2's own models for these types fall short of a network that spans regions and of a stack
that is deleted: its VPCPeeringConnection looks the peer VPC up in the stack's region whatever
``PeerRegion`` says (``InvalidVpcID.NotFound``), stays ``pending-acceptance`` and drops ``Tags``;
its SubnetRouteTableAssociation records nothing on the route table; and none of VPCPeeringConnection,
Route, RouteTable and SubnetRouteTableAssociation can be updated or deleted (a deleted stack leaves
them behind, and the VPC they hold with them: ``DependencyViolation``). These models replace them.
A change of a create-only property of the type's schema replaces the resource (the new one first:
:mod:`...cloudformation.updates`); the models apply the other changes in place:

* VPCPeeringConnection: the peer VPC is looked up in ``PeerOwnerId``'s backend of ``PeerRegion``
  and the connection made by moto's ``create_vpc_peering_connection``, the path of the
  ``CreateVpcPeeringConnection`` API, which also shows a cross-region connection in the peer
  region. In one account CloudFormation's request "is accepted without a peering role" (resource
  documentation), as it is across accounts with ``PeerRoleArn``: the connection is ``active`` at
  once. Overlapping VPC CIDRs fail, as the connection would, and so does a second connection
  between two VPCs already peered (Amazon VPC Peering Guide, "VPC peering limitations": "You cannot
  have more than one VPC peering connection between two VPCs at the same time"; moto allows it), a
  replacement that keeps both VPCs included. Ref / ``Fn::GetAtt Id``: the ``pcx-`` id. Tags are
  updated in place. Deleting it leaves it ``deleted``, visible from both sides, like AWS.
* Route: every destination and target moto's ``create_route`` knows (moto's model ignores IPv6,
  prefix-list, carrier-gateway and endpoint routes); a new target is applied with
  ``replace_route`` (ReplaceRoute), or, for the targets moto's ``replace_route`` lacks (carrier
  gateway, VPC endpoint), by deleting and creating the route again (the harsher reading: a moment
  without the route). A peering connection of another region is found because moto registers
  cross-region connections in both regions.
* RouteTable: with its tags; Ref / ``Fn::GetAtt RouteTableId``: the ``rtb-`` id.
* SubnetRouteTableAssociation: a real ``associate_route_table`` (visible in
  ``describe_route_tables``); Ref / ``Fn::GetAtt Id``: the ``rtbassoc-`` id. A subnet has one
  route table association (Amazon VPC User Guide, "Configure route tables": "a subnet can only be
  associated with one route table at a time"): a new association of an associated subnet fails with
  EC2's ``Resource.AlreadyAssociated`` (moto returns the existing association instead), which is
  what a replacement that keeps the subnet meets. AWS documents nothing on whether CloudFormation
  then uses ReplaceRouteTableAssociation: the emulator takes the harsher reading (it fails).

Every one of them deletes what it made. Service errors become
:class:`..failures.ResourceFailed` (the stack rolls back).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException
from moto.ec2.models import ec2_backends

from ..failures import ResourceFailed
from .base import MediaConnectResource, tag_map


@contextlib.contextmanager
def service_failing_as(logical_id: str) -> Iterator[None]:
    try:
        yield
    except ServiceException as err:
        raise ResourceFailed(logical_id, f"{err.code}: {err.message}") from err


class Ec2Resource(MediaConnectResource):
    """The shared hooks for an EC2 resource (no Name property; errors as stack failures)."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @property
    def backend(self) -> Any:
        return ec2_backends[self.account_id][self.region_name]

    def retag(self, resource_id: str, properties: dict[str, Any]) -> None:
        """Apply a change of the Tags property (CloudFormation's own tags stay)."""
        old_tags, new_tags = tag_map(self.properties.get("Tags")), tag_map(properties.get("Tags"))
        gone = {key: value for key, value in old_tags.items() if key not in new_tags}
        if gone:
            self.backend.delete_tags([resource_id], gone)
        if new_tags:
            self.backend.create_tags([resource_id], new_tags)


class Ec2VpcPeeringConnection(Ec2Resource, CloudFormationModel):
    """AWS::EC2::VPCPeeringConnection."""

    ATTRIBUTES = ("Id",)
    pcx_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::VPCPeeringConnection"

    @property
    def physical_resource_id(self) -> str:
        return self.pcx_id

    def create(self) -> None:
        properties = self.properties
        peer_owner = str(properties.get("PeerOwnerId") or self.account_id)
        peer_region = str(properties.get("PeerRegion") or self.region_name)
        if peer_region not in ec2_backends[peer_owner].regions:
            raise ResourceFailed(self.logical_resource_id, f"PeerRegion {peer_region!r} is not a region")
        with service_failing_as(self.logical_resource_id):
            vpc = self.backend.get_vpc(str(properties["VpcId"]))
            peer_vpc = ec2_backends[peer_owner][peer_region].get_vpc(str(properties["PeerVpcId"]))
        overlap = ipaddress.ip_network(vpc.cidr_block).overlaps(ipaddress.ip_network(peer_vpc.cidr_block))
        if overlap:
            raise ResourceFailed(
                self.logical_resource_id,
                f"VPC peering connection failed: {vpc.id} ({vpc.cidr_block}) and {peer_vpc.id} "
                f"({peer_vpc.cidr_block}) have overlapping CIDR blocks",
            )
        pair = {(vpc.owner_id, vpc.id), (peer_vpc.owner_id, peer_vpc.id)}
        for other in self.backend.describe_vpc_peering_connections():
            same = {(other.vpc.owner_id, other.vpc.id), (other.peer_vpc.owner_id, other.peer_vpc.id)}
            if same == pair and other.status["Code"] in _LIVE_PEERINGS:
                raise ResourceFailed(
                    self.logical_resource_id,
                    f"VpcPeeringConnectionAlreadyExists: A VPC peering connection ({other.id}) between "
                    f"{vpc.id} and {peer_vpc.id} already exists",
                )
        pcx = self.backend.create_vpc_peering_connection(vpc, peer_vpc, self.creation_tags(properties))
        self.pcx_id = str(pcx.id)
        if peer_owner == self.account_id or properties.get("PeerRoleArn"):  # AcceptVpcPeeringConnection
            ec2_backends[peer_owner][peer_region].accept_vpc_peering_connection(pcx.id)

    def update_in_place(self, properties: dict[str, Any]) -> Ec2VpcPeeringConnection:
        self.retag(self.pcx_id, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        with contextlib.suppress(ServiceException):
            pcx = self.backend.get_vpc_peering_connection(self.pcx_id)
            if pcx.status["Code"] != "deleted":
                self.backend.delete_vpc_peering_connection(self.pcx_id)

    def read_attributes(self) -> dict[str, Any]:
        return {"Id": self.pcx_id}


# Route property -> create_route / replace_route argument
_DESTINATIONS = {
    "DestinationCidrBlock": "destination_cidr_block",
    "DestinationIpv6CidrBlock": "destination_ipv6_cidr_block",
    "DestinationPrefixListId": "destination_prefix_list_id",
}
_TARGETS = {
    "GatewayId": "gateway_id",
    "InstanceId": "instance_id",
    "NatGatewayId": "nat_gateway_id",
    "EgressOnlyInternetGatewayId": "egress_only_igw_id",
    "TransitGatewayId": "transit_gateway_id",
    "NetworkInterfaceId": "interface_id",
    "VpcPeeringConnectionId": "vpc_peering_connection_id",
    "CarrierGatewayId": "carrier_gateway_id",
    "VpcEndpointId": "vpc_endpoint_id",
}
# Destinations other than the positional DestinationCidrBlock
_OTHER_DESTINATIONS = {k: v for k, v in _DESTINATIONS.items() if k != "DestinationCidrBlock"}
# Targets moto's replace_route does not take: a change of one of these deletes and re-creates the route.
_NOT_REPLACEABLE = ("CarrierGatewayId", "VpcEndpointId")
_REPLACEABLE = {k: v for k, v in _TARGETS.items() if k not in _NOT_REPLACEABLE}
_LIVE_PEERINGS = ("initiating-request", "pending-acceptance", "provisioning", "active")


class Ec2Route(Ec2Resource, CloudFormationModel):
    """AWS::EC2::Route."""

    route_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::Route"

    @property
    def physical_resource_id(self) -> str:
        return self.route_id

    @staticmethod
    def arguments(properties: dict[str, Any], members: dict[str, str]) -> dict[str, Any]:
        return {argument: properties[name] for name, argument in members.items() if properties.get(name)}

    def create(self) -> None:
        properties = self.properties
        with service_failing_as(self.logical_resource_id):
            route = self.backend.create_route(
                route_table_id=str(properties["RouteTableId"]),
                destination_cidr_block=properties.get("DestinationCidrBlock"),
                **self.arguments(properties, _OTHER_DESTINATIONS),
                **self.arguments(properties, _TARGETS),
            )
        self.route_id = str(route.id)

    def update_in_place(self, properties: dict[str, Any]) -> Ec2Route:
        if any(self.properties.get(key) != properties.get(key) for key in _NOT_REPLACEABLE):
            self.remove()
            self.properties = properties
            self.create()
            return self
        if any(self.properties.get(key) != properties.get(key) for key in _REPLACEABLE):
            with service_failing_as(self.logical_resource_id):
                self.backend.replace_route(
                    route_table_id=str(properties["RouteTableId"]),
                    destination_cidr_block=properties.get("DestinationCidrBlock"),
                    **self.arguments(properties, _OTHER_DESTINATIONS),
                    **self.arguments(properties, _REPLACEABLE),
                )
        self.properties = properties
        return self

    def remove(self) -> None:
        properties = self.properties
        with contextlib.suppress(ServiceException):
            self.backend.delete_route(
                str(properties["RouteTableId"]),
                properties.get("DestinationCidrBlock"),
                **self.arguments(properties, _OTHER_DESTINATIONS),
            )

    def read_attributes(self) -> dict[str, Any]:
        return {}


class Ec2RouteTable(Ec2Resource, CloudFormationModel):
    """AWS::EC2::RouteTable."""

    ATTRIBUTES = ("RouteTableId",)
    route_table_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::RouteTable"

    @property
    def physical_resource_id(self) -> str:
        return self.route_table_id

    def create(self) -> None:
        tags = [{"Key": k, "Value": v} for k, v in self.creation_tags(self.properties).items()]
        with service_failing_as(self.logical_resource_id):
            route_table = self.backend.create_route_table(vpc_id=str(self.properties["VpcId"]), tags=tags)
        self.route_table_id = str(route_table.id)

    def update_in_place(self, properties: dict[str, Any]) -> Ec2RouteTable:
        self.retag(self.route_table_id, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        """DeleteRouteTable (refused while a subnet is associated: moto retries after the rest)."""
        with service_failing_as(self.logical_resource_id):
            if self.route_table_id in self.backend.route_tables:
                self.backend.delete_route_table(self.route_table_id)

    def read_attributes(self) -> dict[str, Any]:
        return {"RouteTableId": self.route_table_id}


class Ec2SubnetRouteTableAssociation(Ec2Resource, CloudFormationModel):
    """AWS::EC2::SubnetRouteTableAssociation."""

    ATTRIBUTES = ("Id",)
    association_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::SubnetRouteTableAssociation"

    @property
    def physical_resource_id(self) -> str:
        return self.association_id

    def create(self) -> None:
        subnet_id, route_table_id = str(self.properties["SubnetId"]), str(self.properties["RouteTableId"])
        for table in self.backend.describe_route_tables(filters={"association.subnet-id": [subnet_id]}):
            raise ResourceFailed(
                self.logical_resource_id,
                f"Resource.AlreadyAssociated: the specified association for route table {route_table_id} "
                f"conflicts with an existing association (subnet {subnet_id} is associated with {table.id})",
            )
        with service_failing_as(self.logical_resource_id):
            self.association_id = str(self.backend.associate_route_table(route_table_id, subnet_id=subnet_id))

    def update_in_place(self, properties: dict[str, Any]) -> Ec2SubnetRouteTableAssociation:
        self.properties = properties
        return self

    def remove(self) -> None:
        with contextlib.suppress(ServiceException):
            self.backend.disassociate_route_table(self.association_id)

    def read_attributes(self) -> dict[str, Any]:
        return {"Id": self.association_id}


MODELS: tuple[type[CloudFormationModel], ...] = (
    Ec2VpcPeeringConnection,
    Ec2Route,
    Ec2RouteTable,
    Ec2SubnetRouteTableAssociation,
)
