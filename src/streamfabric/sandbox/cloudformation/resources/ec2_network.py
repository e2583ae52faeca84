"""CloudFormation models for AWS::EC2::VPC and AWS::EC2::Subnet that can be updated and replaced.

moto 5.2's models for these types have no update: a stack update that changes a subnet's zone or
CIDR keeps the subnet where it was (the emulator kept it, with a warning), which no AWS account
does. These models follow the CloudFormation Template Reference (AWS::EC2::VPC, AWS::EC2::Subnet):

* The create-only properties of the resource schemas (a VPC's ``CidrBlock``; a subnet's ``VpcId``,
  ``AvailabilityZone``, ``AvailabilityZoneId``, ``CidrBlock``...: "Update requires: Replacement")
  replace the resource (:mod:`...cloudformation.updates`): the new one is created first, through
  moto's ``create_vpc`` / ``create_subnet`` (the paths of CreateVpc / CreateSubnet), so a new
  subnet whose CIDR overlaps one of the VPC's, the old one's included, fails as EC2 fails it
  (``InvalidSubnet.Conflict``: "The CIDR ... conflicts with another subnet") and the update rolls
  back; the old one is deleted in the clean-up phase, where a subnet that still has network
  interfaces cannot be deleted (:mod:`...ec2.subnets`: ``DependencyViolation``, the stack's
  ``DELETE_FAILED`` event) and a VPC that still has subnets neither.
* In place ("No interruption"): a VPC's ``EnableDnsSupport``, ``EnableDnsHostnames`` (ModifyVpcAttribute)
  and ``InstanceTenancy`` (ModifyVpcTenancy); a subnet's ``MapPublicIpOnLaunch``
  (ModifySubnetAttribute); ``Tags`` of both (CloudFormation's ``aws:cloudformation:*`` tags stay).
  Other properties are not modelled: a template that sets one keeps the resource as it is.
* Ref: the ``vpc-`` / ``subnet-`` id; ``Fn::GetAtt`` the attributes of the resource pages (a VPC's
  ``VpcId``, ``CidrBlock``, ``CidrBlockAssociations``, ``DefaultSecurityGroup``,
  ``DefaultNetworkAcl``, ``Ipv6CidrBlocks``; a subnet's ``SubnetId``, ``VpcId``, ``CidrBlock``,
  ``AvailabilityZone``, ``AvailabilityZoneId``, ``Ipv6CidrBlocks``, ``NetworkAclAssociationId``,
  ``OutpostArn``).
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import ServiceException

from .ec2 import Ec2Resource, service_failing_as


def _flag(value: Any) -> bool:
    """A template boolean (``true``, or ``"true"`` from a parameter)."""
    return value.strip().lower() == "true" if isinstance(value, str) else bool(value)


class Ec2Vpc(Ec2Resource, CloudFormationModel):
    """AWS::EC2::VPC."""

    ATTRIBUTES = (
        "VpcId",
        "CidrBlock",
        "CidrBlockAssociations",
        "DefaultSecurityGroup",
        "DefaultNetworkAcl",
        "Ipv6CidrBlocks",
    )
    vpc_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::VPC"

    @property
    def physical_resource_id(self) -> str:
        return self.vpc_id

    def _attributes_to(self, properties: dict[str, Any], old: dict[str, Any]) -> None:
        for member, attribute in (
            ("EnableDnsSupport", "enable_dns_support"),
            ("EnableDnsHostnames", "enable_dns_hostnames"),
        ):
            if member in properties and properties.get(member) != old.get(member):
                self.backend.modify_vpc_attribute(self.vpc_id, attribute, _flag(properties[member]))
        tenancy = properties.get("InstanceTenancy")
        if tenancy and tenancy != old.get("InstanceTenancy", "default"):
            self.backend.modify_vpc_tenancy(self.vpc_id, str(tenancy))

    def create(self) -> None:
        properties = self.properties
        with service_failing_as(self.logical_resource_id):
            vpc = self.backend.create_vpc(
                cidr_block=str(properties["CidrBlock"]),
                instance_tenancy=str(properties.get("InstanceTenancy") or "default"),
            )
            self.vpc_id = str(vpc.id)
            self.backend.create_tags([self.vpc_id], self.creation_tags(properties))
            self._attributes_to({k: v for k, v in properties.items() if k != "InstanceTenancy"}, {})

    def update_in_place(self, properties: dict[str, Any]) -> Ec2Vpc:
        with service_failing_as(self.logical_resource_id):
            self._attributes_to(properties, self.properties)
            self.retag(self.vpc_id, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        with service_failing_as(self.logical_resource_id):
            if self.vpc_id in self.backend.vpcs:
                self.backend.delete_vpc(self.vpc_id)

    def read_attributes(self) -> dict[str, Any]:
        vpc = self.backend.get_vpc(self.vpc_id)
        group = self.backend.get_default_security_group(self.vpc_id)
        acls = self.backend.describe_network_acls(filters={"vpc-id": [self.vpc_id], "default": ["true"]})
        return {
            "VpcId": self.vpc_id,
            "CidrBlock": vpc.cidr_block,
            "CidrBlockAssociations": [a["association_id"] for a in vpc.get_cidr_block_association_set()],
            "DefaultSecurityGroup": group.id if group is not None else None,
            "DefaultNetworkAcl": acls[0].id if acls else None,
            "Ipv6CidrBlocks": [a["cidr_block"] for a in vpc.get_cidr_block_association_set(ipv6=True)],
        }


class Ec2Subnet(Ec2Resource, CloudFormationModel):
    """AWS::EC2::Subnet."""

    ATTRIBUTES = (
        "SubnetId",
        "VpcId",
        "CidrBlock",
        "AvailabilityZone",
        "AvailabilityZoneId",
        "Ipv6CidrBlocks",
        "NetworkAclAssociationId",
        "OutpostArn",
    )
    subnet_id: str

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::EC2::Subnet"

    @property
    def physical_resource_id(self) -> str:
        return self.subnet_id

    def create(self) -> None:
        properties = self.properties
        with service_failing_as(self.logical_resource_id):
            subnet = self.backend.create_subnet(
                vpc_id=str(properties["VpcId"]),
                cidr_block=str(properties["CidrBlock"]),
                ipv6_cidr_block=properties.get("Ipv6CidrBlock"),
                availability_zone=properties.get("AvailabilityZone"),
                availability_zone_id=properties.get("AvailabilityZoneId"),
                ipv6_native=_flag(properties.get("Ipv6Native", False)),
            )
            self.subnet_id = str(subnet.id)
            self.backend.create_tags([self.subnet_id], self.creation_tags(properties))
            if "MapPublicIpOnLaunch" in properties:
                self.backend.modify_subnet_attribute(
                    self.subnet_id, "map_public_ip_on_launch", _flag(properties["MapPublicIpOnLaunch"])
                )

    def update_in_place(self, properties: dict[str, Any]) -> Ec2Subnet:
        with service_failing_as(self.logical_resource_id):
            if properties.get("MapPublicIpOnLaunch") != self.properties.get("MapPublicIpOnLaunch"):
                self.backend.modify_subnet_attribute(
                    self.subnet_id,
                    "map_public_ip_on_launch",
                    _flag(properties.get("MapPublicIpOnLaunch", False)),
                )
            self.retag(self.subnet_id, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        """DeleteSubnet (refused while network interfaces are in it: :mod:`...ec2.subnets`)."""
        try:
            self.backend.get_subnet(self.subnet_id)
        except ServiceException:
            return  # gone already
        with service_failing_as(self.logical_resource_id):
            self.backend.delete_subnet(self.subnet_id)

    def read_attributes(self) -> dict[str, Any]:
        subnet = self.backend.get_subnet(self.subnet_id)
        acls = self.backend.describe_network_acls(filters={"association.subnet-id": [self.subnet_id]})
        associations = [a.id for acl in acls for a in acl.associations if a.subnet_id == self.subnet_id]
        return {
            "SubnetId": self.subnet_id,
            "VpcId": subnet.vpc_id,
            "CidrBlock": subnet.cidr_block,
            "AvailabilityZone": subnet.availability_zone,
            "AvailabilityZoneId": subnet.availability_zone_id,
            "Ipv6CidrBlocks": [a["ipv6CidrBlock"] for a in subnet.ipv6_cidr_block_association_set],
            "NetworkAclAssociationId": associations[0] if associations else None,
            "OutpostArn": None,
        }


MODELS: tuple[type[CloudFormationModel], ...] = (Ec2Vpc, Ec2Subnet)
