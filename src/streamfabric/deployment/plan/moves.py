"""Moving a region's network (pure): a planned replacement, named as such, or refused before any
change when CloudFormation could not carry it out.

``AWS::EC2::Subnet`` ``AvailabilityZone`` and ``CidrBlock`` are create-only, and so are a flow's
``AvailabilityZone`` (the resource schemas; CloudFormation Template Reference): moving a region's
zone replaces its subnet and every flow in it. CloudFormation creates the replacement before it
deletes the old resource ("Update behaviors of stack resources": replacement), and EC2 refuses a
subnet whose CIDR overlaps another subnet of the VPC (``InvalidSubnet.Conflict``), so a new zone
with the old ``subnet_cidr`` would fail half-way and roll back. Such a plan is refused before any
change, saying what to do: give the region a new ``subnet_cidr``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import DeployError
from ...topology.model import Topology
from ..observed import RemoteState
from .cfn_guard import resources
from .instructions import DeployStack

ZONE_PARAMETER = "AvailabilityZone"


def _where(model: Topology, region: str) -> str:
    return "the hub's" if region == model.hub.region else f"{region}'s"


def network_moves(model: Topology, steps: Sequence[DeployStack], remote: RemoteState) -> list[str]:
    """One line per region whose network stack update moves its subnet (the plan's notes)."""
    notes: list[str] = []
    problems: list[str] = []
    for step in steps:
        state = remote.stack(step.stack)
        if step.kind != "network" or state is None or step.change_set_type != "UPDATE":
            continue
        before = state.parameters.get(ZONE_PARAMETER)
        after = dict(step.parameters).get(ZONE_PARAMETER)
        if not isinstance(after, str) or before in (None, after):
            continue
        net = model.network(step.region)
        flows = [model.flow_name(i.name) for i in model.ingests_in(step.region)]
        if step.region == model.hub.region:
            flows += [model.flow_name("live"), model.flow_name("preview")]
        notes.append(
            f"moves {_where(model, step.region)} subnet from {before} to {after}: replaces the subnet "
            f"and the flows of {step.region} ({', '.join(flows) or 'none'})"
            + (": interrupts Live and Preview" if step.region == model.hub.region else "")
        )
        deployed_cidr = _subnet_cidr(state.template_body)
        if deployed_cidr is not None and deployed_cidr == net.subnet_cidr:
            path = _cidr_path(model, step.region)
            problems.append(
                f"{path}: moving {step.region}'s subnet to {after} replaces it, and CloudFormation "
                f"creates the new subnet before it deletes the old one: a subnet with the same CIDR "
                f"{deployed_cidr} in the same VPC is refused (InvalidSubnet.Conflict), so the update "
                f"would fail half-way. Give it a new range inside {net.vpc_cidr}"
            )
    if problems:
        raise DeployError("deploy refused, nothing was changed:\n  " + "\n  ".join(problems))
    return notes


def _cidr_path(model: Topology, region: str) -> str:
    if region == model.hub.region:
        return "$.hub.subnet_cidr"
    index = [net.region for net in model.spokes].index(region)
    return f"$.regions[{index}].subnet_cidr"


def _subnet_cidr(template: str | None) -> str | None:
    """The ``CidrBlock`` of the network template's subnet, as deployed."""
    for resource in resources(template).values():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::EC2::Subnet":
            cidr = (resource.get("Properties") or {}).get("CidrBlock")
            return cidr if isinstance(cidr, str) else None
    return None


__all__ = ["network_moves"]
