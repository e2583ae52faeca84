"""Network, peering and routes stack contexts of the CloudFormation renderer (``network="cloudformation"``):
VPC, subnet, route table and security group per region (in the hub also MediaConnect's IAM role and
the generated hop secret), the hub's peering connections and each spoke's routes."""

from __future__ import annotations

from typing import Any

from ..topology.model import Network, SecretRef, Topology
from .cfn_common import (
    ARN_PATTERNS,
    MEDIACONNECT_SECRET_ACTIONS,
    TOPOLOGY,
    check_string,
    flow_regions,
    hop_replica_output,
    hop_secret_name,
    logical_id,
    param,
    role_name,
    sub,
    tags_list,
    unique_ids,
)


def _secret_resource(secret: SecretRef, region: str) -> dict[str, Any]:
    """IAM resource of a secret MediaConnect reads in ``region`` (an ARN is exact; a name matches
    its random 6-character suffix)."""
    check_string(secret.ref, "secret")
    if secret.is_arn:
        return {"arn": secret.ref}
    return sub(
        "arn:${AWS::Partition}:secretsmanager:${Region}:${AWS::AccountId}:secret:${Name}-??????",
        Region=region,
        Name=secret.ref,
    )


def _role_context(model: Topology) -> dict[str, Any]:
    regions = [net.region for net in model.networks]
    ec2 = [
        sub(f"arn:${{AWS::Partition}}:ec2:${{Region}}:${{AWS::AccountId}}:{kind}/*", Region=region)
        for region in regions
        for kind in ("network-interface", "subnet", "security-group")
    ]
    secrets: list[dict[str, Any]] = []
    for ingest in model.ingests:
        secrets.append(_secret_resource(ingest.passphrase_secret, ingest.region))
    for flow in model.hub.flows:
        for out in flow.outputs:
            if out.passphrase_secret:
                secrets.append(_secret_resource(out.passphrase_secret, model.hub.region))
    hop_name = hop_secret_name(model)
    for region in flow_regions(model):
        secrets.append(_secret_resource(SecretRef(hop_name), region))
    unique: list[dict[str, Any]] = []
    for item in secrets:
        if item not in unique:
            unique.append(item)
    # Trust: MediaConnect assumes the role for this topology's flows only (by region and name).
    flows = [
        sub(
            "arn:${AWS::Partition}:mediaconnect:${Region}:${AWS::AccountId}:flow:*:${Name}",
            Region=region,
            Name=name,
        )
        for region, names in model.flows_by_region()
        for name in names
    ]
    return {
        "ec2": ec2,
        "secrets": unique,
        "secret_actions": list(MEDIACONNECT_SECRET_ACTIONS),
        "flows": flows,
    }


def network_context(model: Topology, net: Network) -> dict[str, Any]:
    hop = model.internal_hop
    hub = model.hub.network
    ports = {"from": hop.port_from, "to": hop.port_to}
    # Security groups per "Security group considerations for VPC interfaces" (MediaConnect User
    # Guide, https://docs.aws.amazon.com/mediaconnect/latest/ug/vpc-interface-security-groups.html):
    # a VPC source needs an inbound rule from the sender's private IP; a VPC output an outbound rule
    # (AWS: "allows all outbound traffic"; here all UDP ports, to the one VPC that receives: the
    # hub's). On top, the SRT listener outputs of the ingest flows accept the hub's callers on the
    # hop ports, and the hub's callers may reach them.
    all_ports = {"from": 0, "to": 65535}
    ingress = []
    if model.ingests_in(net.region):
        ingress.append(
            {
                "cidr": hub.vpc_cidr,
                **ports,
                "description": "internal SRT hop: the hub flows call this region's ingest listeners",
            }
        )
    egress = []
    if model.ingests_in(net.region):
        egress.append(
            {
                "cidr": hub.vpc_cidr,
                **all_ports,
                "description": "VPC outputs (ingest flows): media out to the hub flows' VPC interfaces",
            }
        )
    if net.is_hub:
        for other in model.networks:
            if model.ingests_in(other.region):
                ingress.append(
                    {
                        "cidr": other.subnet_cidr,
                        **all_ports,
                        "description": "VPC sources (hub flows): media from the ingest VPC interfaces in "
                        f"{other.region}",
                    }
                )
                if other.region != net.region:  # the hub's own ingests: all ports already, above
                    egress.append(
                        {
                            "cidr": other.vpc_cidr,
                            **ports,
                            "description": f"internal SRT hop: call the ingest listeners in {other.region}",
                        }
                    )
    generated = model.internal_hop.generate_secret
    params = [
        # A parameter (with the topology's value as default) rather than a literal: the topology pins
        # the zone on purpose (MediaConnect's VPC interface needs a subnet in its flow's zone).
        param(
            "AvailabilityZone",
            "the private subnet's Availability Zone: the flows' zone (topology)",
            "",
            net.availability_zone,
            TOPOLOGY,
            "AWS::EC2::AvailabilityZone::Name",
        ),
    ]
    # A spoke network stack takes nothing from the hub's: the role's name is known in advance (IAM is
    # global, its ARN is arn:<partition>:iam::<account>:role/<name>) and the hop secret is named, so
    # every region's network stack deploys at once. The hub network stack outputs each replica's ARN.
    replicas = [
        {"region": s.region, "output_key": hop_replica_output(s.logical, f"region {s.region!r}")}
        for s in model.spokes
    ]
    return {
        "stack": model.stack_name("network", net.region),
        "topology": model.name,
        "net": {
            "region": net.region,
            "vpc_cidr": net.vpc_cidr,
            "subnet_cidr": net.subnet_cidr,
            "availability_zone": net.availability_zone,
            "is_hub": net.is_hub,
        },
        "parameters": params,
        "ingress": ingress,
        "egress": egress,
        "role": _role_context(model) if net.is_hub else None,
        "role_name": role_name(model),
        "role_arn": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}", Name=role_name(model)),
        "hop": {
            "generated": generated,
            "name": hop_secret_name(model),
            "replicas": replicas,
            "partial_arn": sub(
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Name}",
                Name=hop_secret_name(model),
            ),
        },
        "tags": tags_list(model),
        "own_name_tag": "Name" not in dict(model.tags),
    }


def peering_context(model: Topology) -> dict[str, Any]:
    hub_stack = model.stack_name("network", model.hub.region)
    params = [
        param(
            "RouteTableId",
            "the hub subnet's route table (hub network stack output RouteTableId)",
            ARN_PATTERNS["route_table"],
            "",
            f"{hub_stack}.RouteTableId",
        ),
        param(
            "VpcId",
            "the hub VPC (hub network stack output VpcId)",
            ARN_PATTERNS["vpc"],
            "",
            f"{hub_stack}.VpcId",
        ),
    ]
    spokes = []
    for net in model.spokes:
        logical = logical_id(net.logical, f"region {net.region!r}")
        spokes.append({"logical": logical, "region": net.region, "cidr": net.vpc_cidr})
        params.append(
            param(
                f"{logical}VpcId",
                f"the VPC in {net.region} (its network stack output VpcId)",
                ARN_PATTERNS["vpc"],
                "",
                f"{model.stack_name('network', net.region)}.VpcId",
            )
        )
    unique_ids(
        [p["key"] for p in params] + [f"{s['logical']}{k}" for s in spokes for k in ("Peering", "Route")],
        "peering stack",
    )
    return {
        "stack": model.stack_name("peering", model.hub.region),
        "topology": model.name,
        "hub_region": model.hub.region,
        "parameters": sorted(params, key=lambda p: p["key"]),
        "spokes": spokes,
        "tags": tags_list(model),
        "own_name_tag": "Name" not in dict(model.tags),
    }


def routes_context(model: Topology, net: Network) -> dict[str, Any]:
    peering = model.stack_name("peering", model.hub.region)
    params = [
        param(
            "PeeringConnectionId",
            f"the peering connection from the hub (peering stack output {net.logical}PeeringConnectionId)",
            ARN_PATTERNS["peering"],
            "",
            f"{peering}.{net.logical}PeeringConnectionId",
        ),
        param(
            "RouteTableId",
            "this region's private route table (its network stack output RouteTableId)",
            ARN_PATTERNS["route_table"],
            "",
            f"{model.stack_name('network', net.region)}.RouteTableId",
        ),
    ]
    return {
        "stack": model.stack_name("routes", net.region),
        "topology": model.name,
        "region": net.region,
        "hub_region": model.hub.region,
        "hub_cidr": model.hub.network.vpc_cidr,
        "parameters": params,
    }
