"""Network outputs: what the post-steps and the flow stacks need from each region's network.

The same shape comes from Terraform (``terraform output -json``: one output ``regions``, a map of
region to the five keys) and from the CloudFormation network stacks ``<topology>-network-<region>``
(outputs ``VpcId``, ``SubnetId``, ``SecurityGroupId``, ``RoleArn``, ``HopSecretArn``). A value is
either known (a string) or, while the network stack is still to be deployed, a reference to the
stack output that will hold it (:class:`~streamfabric.deployment.plan.StackOutput`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import DeployError
from ..topology.model import Topology
from .plan.values import StackOutput, Value

# network-stack output key -> RegionNetwork field (and the Terraform object's key)
OUTPUT_KEYS: dict[str, str] = {
    "VpcId": "vpc_id",
    "SubnetId": "subnet_id",
    "SecurityGroupId": "security_group_id",
    "RoleArn": "role_arn",
    "HopSecretArn": "hop_secret_arn",
}


@dataclass(frozen=True, slots=True)
class RegionNetwork:
    """One region's network ids (known strings, or references to stack outputs not yet known)."""

    region: str
    vpc_id: Value
    subnet_id: Value
    security_group_id: Value
    role_arn: Value
    hop_secret_arn: Value

    @property
    def known(self) -> bool:
        return all(isinstance(getattr(self, f), str) for f in OUTPUT_KEYS.values())


@dataclass(frozen=True, slots=True)
class NetworkOutputs:
    """Every region's network, keyed by region."""

    regions: tuple[RegionNetwork, ...]

    def region(self, region: str) -> RegionNetwork:
        for net in self.regions:
            if net.region == region:
                return net
        raise DeployError(f"network outputs: no network for region {region}")

    def get(self, region: str) -> RegionNetwork | None:
        return next((net for net in self.regions if net.region == region), None)


def load_terraform_outputs(source: str | Path | Mapping[str, Any], model: Topology) -> NetworkOutputs:
    """Parse ``terraform output -json`` (a path, JSON text or the parsed document)."""
    where = "network outputs"
    data: Any
    if isinstance(source, Mapping):
        data = source
    else:
        text = str(source)
        if isinstance(source, Path) or not text.lstrip().startswith("{"):
            where = str(source)
            try:
                text = Path(source).read_text(encoding="utf-8")
            except OSError as exc:
                raise DeployError(
                    f"{where}: cannot read the network outputs: {exc.strerror or exc}"
                ) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise DeployError(f"{where}: not JSON ({exc})") from None
    regions: Any = data.get("regions") if isinstance(data, Mapping) else None
    if isinstance(regions, Mapping) and "value" in regions:
        regions = regions["value"]
    if not isinstance(regions, Mapping):
        raise DeployError(
            f"{where}: expected the `terraform output -json` of the rendered network "
            "(an output `regions` whose value maps each region to its network ids)"
        )
    problems: list[str] = []
    found: list[RegionNetwork] = []
    for net in model.networks:
        entry = regions.get(net.region)
        if not isinstance(entry, Mapping):
            problems.append(f"regions.{net.region}: missing")
            continue
        values: dict[str, str] = {}
        for field_name in OUTPUT_KEYS.values():
            value = entry.get(field_name)
            if not isinstance(value, str) or not value:
                problems.append(f"regions.{net.region}.{field_name}: missing or empty")
            else:
                values[field_name] = value
        if len(values) == len(OUTPUT_KEYS):
            found.append(RegionNetwork(region=net.region, **values))
    if problems:
        raise DeployError(f"{where}: " + "; ".join(problems))
    return NetworkOutputs(tuple(found))


def from_network_stacks(model: Topology, outputs: Mapping[str, Mapping[str, str] | None]) -> NetworkOutputs:
    """Network outputs from the network stacks: ``outputs`` maps stack name to its outputs, or to
    ``None`` when the stack's outputs are not known yet (then the values are references)."""
    found: list[RegionNetwork] = []
    for net in model.networks:
        stack = model.stack_name("network", net.region)
        known = outputs.get(stack)
        values: dict[str, Value] = {}
        for key, field_name in OUTPUT_KEYS.items():
            if known is None:
                values[field_name] = StackOutput(stack=stack, region=net.region, key=key)
            elif known.get(key):
                values[field_name] = known[key]
            else:
                raise DeployError(f"stack {stack} has no output {key}")
        found.append(RegionNetwork(region=net.region, **values))
    return NetworkOutputs(tuple(found))


def with_resolved_hop_secret(
    model: Topology, network: NetworkOutputs, secrets: Mapping[tuple[str, str], str]
) -> NetworkOutputs:
    """A given (not generated) hop secret: the network stacks output a partial ARN; MediaConnect and
    the runtime state need the full ARN ``describe_secret`` gave in the hub region."""
    ref = model.internal_hop.passphrase_secret
    arn = secrets.get((model.hub.region, ref.name)) if ref is not None else None
    if arn is None:
        return network
    hub = model.hub.region
    return NetworkOutputs(
        tuple(replace(n, hop_secret_arn=arn) if n.region == hub else n for n in network.regions)
    )


__all__ = [
    "OUTPUT_KEYS",
    "NetworkOutputs",
    "RegionNetwork",
    "from_network_stacks",
    "load_terraform_outputs",
    "with_resolved_hop_secret",
]
