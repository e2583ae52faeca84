"""The EC2 side of MediaConnect in moto: public flow IPs, availability zones and VPC-interface ENIs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from moto.ec2.exceptions import InvalidSubnetIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from ..moto_internals import random
from .exceptions import BadRequestException


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def allocate_public_ip(taken: Iterable[str]) -> str:
    """A plausible public IPv4 address (Amazon-owned 3.208.0.0/12) that is not in ``taken``."""
    used = set(taken)
    while True:
        address = f"3.{random.randint(208, 223)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        if address not in used:
            return address


def default_availability_zone(region_name: str) -> str:
    """The zone MediaConnect places a flow in when neither an AZ nor a VPC interface pins it
    (the region's first zone in moto's EC2 data, read without instantiating an EC2 backend)."""
    zones = sorted(zone.name for zone in RegionsAndZonesBackend.zones.get(region_name, []))
    return zones[0] if zones else f"{region_name}a"


def subnet_availability_zone(account_id: str, region_name: str, subnet_id: str) -> str:
    """The AZ of ``subnet_id``; ``BadRequestException`` if moto's EC2 does not know the subnet."""
    return str(_subnet(account_id, region_name, subnet_id).availability_zone)


def _subnet(account_id: str, region_name: str, subnet_id: str) -> Any:
    try:
        return _ec2(account_id, region_name).get_subnet(subnet_id)
    except InvalidSubnetIdError as err:
        raise BadRequestException(f"Subnet {subnet_id} does not exist.") from err


def create_interface_enis(
    account_id: str, region_name: str, flow_name: str, vpc_interface: dict[str, Any]
) -> list[str]:
    """Create the ENI of a flow VPC interface in its subnet; returns the network interface ids."""
    subnet = _subnet(account_id, region_name, vpc_interface["subnetId"])
    eni = _ec2(account_id, region_name).create_network_interface(
        subnet,
        _free_address(account_id, region_name, subnet),
        group_ids=list(vpc_interface.get("securityGroupIds") or []),
        description=f"MediaConnect flow {flow_name} VPC interface {vpc_interface['name']}",
    )
    return [str(eni.id)]


def _free_address(account_id: str, region_name: str, subnet: Any) -> str:
    """The subnet's first address no interface uses (moto picks one at random and may hand the same
    address to two interfaces; AWS never does). AWS reserves the first four and the last address."""
    used = {
        str(eni.private_ip_address)
        for eni in _ec2(account_id, region_name).enis.values()
        if getattr(getattr(eni, "subnet", None), "id", None) == subnet.id
    }
    hosts = list(ipaddress.IPv4Network(subnet.cidr_block).hosts())[3:-1]
    for host in hosts:
        if str(host) not in used:
            return str(host)
    raise ValueError(f"subnet {subnet.id} has no free address")


def private_ip(account_id: str, region_name: str, eni_id: str) -> str | None:
    """The primary private IP of an ENI, or None when it no longer exists."""
    eni = _ec2(account_id, region_name).enis.get(eni_id)
    return None if eni is None else str(eni.private_ip_address)


def delete_enis(account_id: str, region_name: str, eni_ids: Iterable[str]) -> list[str]:
    """Delete ENIs; returns the ids that could not be deleted (still attached to an instance)."""
    eni_ids = list(eni_ids)
    if not eni_ids:
        return []
    backend = _ec2(account_id, region_name)
    not_deleted: list[str] = []
    for eni_id in eni_ids:
        eni = backend.enis.get(eni_id)
        if eni is None:
            continue
        if eni.instance is not None:
            not_deleted.append(eni_id)
            continue
        backend.delete_network_interface(eni_id)
    return not_deleted


def _subnet_or_none(account_id: str, region_name: str, subnet_id: str | None) -> Any:
    if not subnet_id:
        return None
    try:
        return _ec2(account_id, region_name).get_subnet(subnet_id)
    except InvalidSubnetIdError:
        return None


def _route_table(account_id: str, region_name: str, subnet: Any) -> Any:
    """The subnet's route table: the one associated with it, else its VPC's main table."""
    backend = _ec2(account_id, region_name)
    tables = backend.describe_route_tables(filters={"association.subnet-id": [subnet.id]})
    if not tables:
        main = {"vpc-id": [subnet.vpc_id], "association.main": ["true"]}
        tables = backend.describe_route_tables(filters=main)
    return tables[0] if tables else None


def _routes_to(table: Any, address: str, peerings: set[str]) -> bool:
    ip = ipaddress.ip_address(address)
    for route in getattr(table, "routes", ()):
        cidr, pcx = getattr(route, "destination_cidr_block", None), getattr(route, "vpc_pcx", None)
        if cidr and pcx is not None and pcx.id in peerings and ip in ipaddress.ip_network(cidr, strict=False):
            return True
    return False


def reachable(account_id: str, caller: tuple[str, str, str], listener: tuple[str, str, str]) -> bool:
    """Whether a VPC-interface address can open a connection to another: each is (Region, subnet id,
    private IP). Amazon VPC User Guide, *VPC peering* (https://docs.aws.amazon.com/vpc/latest/peering/):
    within one VPC the local route reaches every subnet; across VPCs (and Regions) only through an
    active peering connection between them with a route to the other side in each subnet's route
    table (*Update your route tables for a VPC peering connection*). Security groups and network ACLs
    are not checked (the emulator's simplification)."""
    (from_region, from_subnet_id, from_ip), (to_region, to_subnet_id, to_ip) = caller, listener
    source = _subnet_or_none(account_id, from_region, from_subnet_id)
    target = _subnet_or_none(account_id, to_region, to_subnet_id)
    if source is None or target is None:
        return False
    if from_region == to_region and source.vpc_id == target.vpc_id:
        return True
    pair = {source.vpc_id, target.vpc_id}
    peerings = {
        pcx.id
        for pcx in _ec2(account_id, from_region).describe_vpc_peering_connections()
        if pcx.status.get("Code") == "active" and {pcx.vpc.id, pcx.peer_vpc.id} == pair
    }
    if not peerings:
        return False
    there = _route_table(account_id, from_region, source)
    back = _route_table(account_id, to_region, target)
    return bool(there is not None and back is not None and _routes_to(there, to_ip, peerings)
                and _routes_to(back, from_ip, peerings))  # fmt: skip
