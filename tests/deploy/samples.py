"""Small rendered files for planner tests: a manifest with network and flow stacks of our own
(decoupled from the real templates), and observed states built from a model."""

from __future__ import annotations

import json

from streamfabric.deployment.observed import (
    FlowState,
    OutputState,
    RemoteState,
    SourceState,
    StackState,
    VpcInterfaceState,
)
from streamfabric.topology.model import Topology, pascal

NETWORK_TEMPLATE = """Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  VpcId: {Value: !Ref Vpc}
  SubnetId: {Value: subnet}
  SecurityGroupId: {Value: sg}
  RoleArn: {Value: role}
  HopSecretArn: {Value: hop}
"""

FLOWS_TEMPLATE = """Parameters:
  RoleArn: {Type: String}
  HopSecretArn: {Type: String}
%s
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


def files(model: Topology, network: str = "cloudformation") -> dict[str, str]:
    """``cloudformation/manifest.json`` and its templates/parameter files for ``model``."""
    out: dict[str, str] = {}
    stacks: list[dict[str, object]] = []
    if network == "cloudformation":
        for net in model.networks:
            name = model.stack_name("network", net.region)
            out[f"cloudformation/network-{net.region}.yaml"] = NETWORK_TEMPLATE
            stacks.append(
                {
                    "name": name,
                    "region": net.region,
                    "kind": "network",
                    "template": f"cloudformation/network-{net.region}.yaml",
                    "depends_on": [],
                    "capabilities": ["CAPABILITY_IAM"],
                }
            )
    for net in model.networks:
        secrets = [f"Secret{pascal(i.name)}Arn" for i in model.ingests_in(net.region)]
        out[f"cloudformation/flows-{net.region}.yaml"] = FLOWS_TEMPLATE % "\n".join(
            f"  {key}: {{Type: String}}" for key in secrets
        )
        params = [{"ParameterKey": k, "ParameterValue": ""} for k in ("RoleArn", "HopSecretArn", *secrets)]
        out[f"cloudformation/flows-{net.region}.parameters.json"] = json.dumps(params)
        network_stack = model.stack_name("network", net.region)
        sources = {
            key: (
                f"{network_stack}.{key}"
                if network == "cloudformation"
                else f"network.{net.region}.{'role_arn' if key == 'RoleArn' else 'hop_secret_arn'}"
            )
            for key in ("RoleArn", "HopSecretArn")
        } | {key: "deploy" for key in secrets}
        stacks.append(
            {
                "name": model.stack_name("flows", net.region),
                "region": net.region,
                "kind": "flows",
                "template": f"cloudformation/flows-{net.region}.yaml",
                "parameters": f"cloudformation/flows-{net.region}.parameters.json",
                "depends_on": [network_stack] if network == "cloudformation" else [],
                "parameter_sources": sources,
                "capabilities": [],
            }
        )
    out["cloudformation/manifest.json"] = json.dumps({"stacks": stacks})
    return out


def network_outputs(region: str) -> dict[str, str]:
    return {
        "VpcId": f"vpc-{region}",
        "SubnetId": f"subnet-{region}",
        "SecurityGroupId": f"sg-{region}",
        "RoleArn": "arn:aws:iam::123456789012:role/mc",
        "HopSecretArn": f"arn:aws:secretsmanager:{region}:123456789012:secret:hop-AbCdEf",
    }


def secrets(model: Topology) -> dict[tuple[str, str], str]:
    return {
        (i.region, i.passphrase_secret.ref): f"arn:aws:secretsmanager:{i.region}:123456789012:secret:"
        f"{i.passphrase_secret.ref}-Zz9Zz9"
        for i in model.ingests
        if not i.passphrase_secret.is_arn
    }


def ip(ingest: str) -> str:
    return f"10.9.{len(ingest)}.{sum(map(ord, ingest)) % 250 + 1}"


def deployed(
    model: Topology, rendered: dict[str, str], network: str = "cloudformation", *, every_output: bool = False
) -> RemoteState:
    """The observed state right after a complete deploy of ``rendered`` (flows ACTIVE, post-steps done).
    ``every_output``: each stack has every output its template declares (real templates), with a
    made-up value where the samples know none."""
    from streamfabric.deployment.manifest import stack_specs
    from streamfabric.deployment.network import load_terraform_outputs
    from streamfabric.deployment.plan.deploy import network_from_stacks
    from streamfabric.deployment.plan.parameters import StackOutputs, stack_parameters, template_outputs
    from streamfabric.deployment.plan.stacks import stack_tags

    specs = stack_specs(rendered)
    stacks: dict[str, StackState] = {}
    outputs: dict[str, StackOutputs] = {}
    tf = load_terraform_outputs(terraform_outputs(model), model) if network == "terraform" else None
    for spec in specs:
        values = network_outputs(spec.region) if spec.kind == "network" else {}
        if every_output:
            values = {key: f"{key}-1" for key in template_outputs(spec.template_body)} | values
        outputs[spec.name] = StackOutputs(
            spec.name, spec.region, template_outputs(spec.template_body), values
        )
        params = stack_parameters(
            spec,
            model,
            network=tf or network_from_stacks(model, outputs),
            secrets=secrets(model),
            outputs=outputs,
        )
        stacks[spec.name] = StackState(
            spec.name,
            spec.region,
            "CREATE_COMPLETE",
            f"id-{spec.name}",
            spec.template_body,
            {k: str(v) for k, v in params},
            dict(stack_tags(model)),
            values,
        )
    flows: dict[str, FlowState] = {}
    addresses: dict[str, str] = {}
    for ingest in model.ingests:
        name = model.flow_name(ingest.name)
        net = network_outputs(ingest.region)
        flows[name] = FlowState(
            ingest.region,
            name,
            f"arn:flow:{name}",
            "ACTIVE",
            SourceState(name="source", arn=f"arn:source:{name}", protocol="srt-listener"),
            tuple(
                OutputState(
                    out,
                    f"arn:output:{name}:{out}",
                    "srt-listener",
                    model.internal_hop.port(role),  # type: ignore[arg-type]
                    f"{ingest.name}-vpc",
                    ip(ingest.name),
                )
                for role, out in (("live", "to-live"), ("preview", "to-preview"))
            ),
            (
                VpcInterfaceState(
                    f"{ingest.name}-vpc",
                    net["SubnetId"],
                    (net["SecurityGroupId"],),
                    net["RoleArn"],
                    (f"eni-{ingest.name}",),
                ),
            ),
        )
        addresses[f"eni-{ingest.name}"] = ip(ingest.name)
    hub = network_outputs(model.hub.region)
    for role in ("live", "preview"):
        name = model.flow_name(role)
        starts_on = model.hub.flow(role).starts_on  # type: ignore[arg-type]
        flows[name] = FlowState(
            model.hub.region,
            name,
            f"arn:flow:{name}",
            "ACTIVE",
            SourceState(
                name="standby",
                arn=f"arn:source:{name}",
                protocol="srt-caller",
                vpc_interface=f"{role}-vpc",
                listener_address=ip(starts_on),
                listener_port=model.internal_hop.port(role),  # type: ignore[arg-type]
                min_latency_ms=model.internal_hop.min_latency_ms,
                decryption_secret_arn=hub["HopSecretArn"],
                decryption_role_arn=hub["RoleArn"],
            ),
            (),
            (
                VpcInterfaceState(
                    f"{role}-vpc",
                    hub["SubnetId"],
                    (hub["SecurityGroupId"],),
                    hub["RoleArn"],
                    (f"eni-{role}",),
                ),
            ),
        )
        addresses[f"eni-{role}"] = f"10.0.1.{10 if role == 'live' else 11}"
    return RemoteState(stacks=stacks, flows=flows, addresses=addresses, secrets=secrets(model))


def terraform_outputs(model: Topology) -> dict[str, object]:
    regions = {}
    for net in model.networks:
        o = network_outputs(net.region)
        regions[net.region] = {
            "vpc_id": o["VpcId"],
            "subnet_id": o["SubnetId"],
            "security_group_id": o["SecurityGroupId"],
            "role_arn": o["RoleArn"],
            "hop_secret_arn": o["HopSecretArn"],
        }
    return {"regions": {"value": regions}}
