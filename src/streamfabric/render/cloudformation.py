"""CloudFormation renderer: ``render_cloudformation(model, network=...) -> {path: text}``.

Pure: the same model gives byte-identical files. Every path is under ``cloudformation/``:

- ``flows-<region>.yaml`` for every region with flows (the hub always):
  one ``AWS::MediaConnect::Flow`` per ingest with its two internal-hop outputs ``to-live`` /
  ``to-preview``; in the hub region also the Live and Preview flows (on their temporary ``standby``
  source) and their downstream outputs; Route53 records when the topology has ``dns``.
- with ``network="cloudformation"``: ``network-<region>.yaml`` per region (VPC, private subnet, route
  table, security group; in the hub also MediaConnect's IAM role and the generated hop secret),
  ``peering-<hub region>.yaml`` and ``routes-<spoke region>.yaml``.
- ``<template>.parameters.json`` beside every template that has parameters: values known at render
  time filled in, the others ``""`` for deploy to fill in (see ``parameter_sources``).
- ``manifest.json``: every stack this renderer knows of (and the control API's, rendered by
  ``render.api``), in dependency order: network -> peering -> routes -> flows -> api.

Conventions (see docs/architecture.md for the contract; deviations are listed in
:data:`CONTRACT_NOTES`):

- Paths in the manifest (``template``, ``parameters``) are relative to the render output
  directory, i.e. the same keys as :func:`streamfabric.render.render` returns.
- ``parameter_sources`` maps *every* template parameter of a stack to where its value comes from:
  ``"<stack name>.<OutputKey>"`` (a CloudFormation stack's output), ``"network.<region>.<key>"``
  (Terraform's ``regions`` output, keys as in ``NetworkOutputs``), ``"topology"`` (already in the
  parameters file) or ``"deploy"`` (deploy resolves it, e.g. a secret given by name).
- ``manifest.json`` carries the generated-file header as its top-level ``"_generated"`` object;
  the ``*.parameters.json`` files stay plain lists, as ``aws cloudformation --parameters`` expects.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import RenderError
from ..topology.model import HUB_ROLES, Ingest, Network, Output, SecretRef, SourceInfo, Topology, pascal
from .env import header_lines, render_template

NetworkMode = Literal["terraform", "cloudformation"]

PREFIX = "cloudformation"
TOPOLOGY = "topology"
DEPLOY = "deploy"
SYSTEM_TAG = "streamfabric:topology"
HOP_OUTPUT_NAMES = {"live": "to-live", "preview": "to-preview"}
STANDBY_SOURCE = "standby"
MEDIACONNECT_SECRET_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
)
ARN_PATTERNS = {
    "role": "^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9_+=,.@/-]+$",
    "secret": "^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[a-zA-Z0-9/_+=.@-]+$",
    "vpc": "^vpc-[0-9a-f]+$",
    "route_table": "^rtb-[0-9a-f]+$",
    "peering": "^pcx-[0-9a-f]+$",
}
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]{1,255}$")
# CloudFormation resolves ``{{resolve:...}}`` in any string of a template, quoted or not, and has no
# escape for it: a topology string containing one would be replaced by a secret's value on deploy.
_DYNAMIC_REFERENCE = re.compile(r"\{\{\s*resolve\s*:", re.IGNORECASE)

CONTRACT_NOTES = (
    "network stacks also output RouteTableId (read by the peering and routes stacks)",
    "hub flow stacks also output LiveEgressIp and PreviewEgressIp (downstream srt-listener address)",
    "spoke network stacks take RoleArn (and HubHopSecretArn when the hop secret is generated) "
    "from the hub network stack's outputs",
    "with a hop secret given by name, network stacks output a partial ARN (no random suffix) "
    "and the flow stacks' HopSecretArn comes from deploy (describe_secret in the flow's region)",
    "network stacks take the subnet's AvailabilityZone as a parameter (default: the topology's)",
    "the manifest's entries also carry capabilities (CAPABILITY_IAM for the hub network stack and api)",
)


# -- public helpers -----------------------------------------------------------------------------


def secret_parameter(name: str) -> str:
    """Flow-stack parameter of an ingest's or output's secret: ``main-stage`` -> ``SecretMainStageArn``."""
    return f"Secret{pascal(name)}Arn"


def flow_regions(model: Topology) -> tuple[str, ...]:
    """Regions with a flow stack, hub first, then the other regions with ingests (document order)."""
    regions = [model.hub.region]
    for net in model.regions:
        if model.ingests_in(net.region):
            regions.append(net.region)
    return tuple(regions)


def whitelist_cidr(ingest: Ingest) -> str:
    """The one CIDR MediaConnect accepts as a flow source's ``WhitelistCidr``.

    The allowlist is collapsed exactly (adjacent or nested blocks merge; nothing is widened). An
    allowlist that does not collapse into one block cannot be expressed and raises RenderError.
    """
    try:
        nets = [ipaddress.IPv4Network(cidr, strict=True) for cidr in ingest.allowlist]
    except ValueError as exc:
        raise RenderError(f"ingest {ingest.name!r}: invalid allowlist CIDR: {exc}") from exc
    collapsed = list(ipaddress.collapse_addresses(nets))
    if len(collapsed) != 1:
        raise RenderError(
            f"ingest {ingest.name!r}: MediaConnect's flow source takes a single WhitelistCidr, but the "
            f"allowlist {', '.join(ingest.allowlist)} does not collapse into one CIDR block; "
            "use one covering block (or split the contribution into several ingests)"
        )
    return str(collapsed[0])


@dataclass(frozen=True)
class StackSpec:
    """One stack of the manifest."""

    name: str
    region: str
    kind: str
    template: str
    parameters: str | None = None
    depends_on: tuple[str, ...] = ()
    parameter_sources: tuple[tuple[str, str], ...] = ()
    capabilities: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "kind": self.kind,
            "template": self.template,
            "parameters": self.parameters,
            "depends_on": list(self.depends_on),
            "parameter_sources": dict(self.parameter_sources),
            "capabilities": list(self.capabilities),
        }


def order_stacks(stacks: Sequence[StackSpec]) -> list[StackSpec]:
    """Topological order of ``stacks`` by ``depends_on``, stable (input order among ready stacks).

    Raises RenderError for a duplicate name, an unknown dependency or a cycle (naming it)."""
    by_name: dict[str, StackSpec] = {}
    for stack in stacks:
        if stack.name in by_name:
            raise RenderError(f"stack {stack.name!r} is listed twice")
        by_name[stack.name] = stack
    for stack in stacks:
        unknown = [dep for dep in stack.depends_on if dep not in by_name]
        if unknown:
            raise RenderError(f"stack {stack.name!r} depends on unknown stack(s): {', '.join(unknown)}")
    placed: set[str] = set()
    ordered: list[StackSpec] = []
    remaining = list(stacks)
    while remaining:
        ready = next((s for s in remaining if all(dep in placed for dep in s.depends_on)), None)
        if ready is None:
            raise RenderError(f"stack dependency cycle: {' -> '.join(_find_cycle(remaining))}")
        ordered.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return ordered


def _find_cycle(stacks: Sequence[StackSpec]) -> list[str]:
    """A cycle among ``stacks`` (each of which waits on another one of them)."""
    deps = {s.name: [d for d in s.depends_on if any(t.name == d for t in stacks)] for s in stacks}
    path: list[str] = []
    node = stacks[0].name
    while node not in path:
        path.append(node)
        node = deps[node][0]
    return [*path[path.index(node) :], node]


# -- model -> template contexts -----------------------------------------------------------------


def _check_string(value: str, where: str) -> str:
    if _DYNAMIC_REFERENCE.search(value):
        raise RenderError(
            f"{where}: {value!r} contains a CloudFormation dynamic reference ('{{{{resolve:'), which "
            "CloudFormation would resolve on deploy; remove it"
        )
    return value


def _logical(value: str, where: str) -> str:
    if not _LOGICAL_ID.match(value):
        raise RenderError(f"{where}: {value!r} is not a valid CloudFormation logical id")
    return value


def _unique(ids: Iterable[str], where: str) -> None:
    seen: set[str] = set()
    for logical in ids:
        if logical in seen:
            raise RenderError(
                f"{where}: two names map to the same CloudFormation logical id {logical!r}; rename one"
            )
        seen.add(logical)


def _tags(model: Topology) -> list[dict[str, str]]:
    tags = dict(model.tags)
    tags.setdefault(SYSTEM_TAG, model.name)
    return [
        {"key": _check_string(k, "tag key"), "value": _check_string(v, f"tag {k!r}")} for k, v in tags.items()
    ]


def _param(
    key: str, description: str, pattern: str, value: str, source: str, type_: str = "String"
) -> dict[str, str]:
    """A template parameter: its declaration, its rendered value ("" = deploy fills it) and source."""
    return {
        "key": key,
        "type": type_,
        "description": description,
        "pattern": pattern,
        "value": value,
        "source": source,
    }


def _secret_param(name: str, secret: SecretRef, region: str, owner: str) -> dict[str, str]:
    where = f"{owner} {name!r}"
    _check_string(secret.ref, where)
    if secret.is_arn:
        description = f"ARN of the SRT passphrase secret of {where} (from the topology)"
        return _param(secret_parameter(name), description, ARN_PATTERNS["secret"], secret.ref, TOPOLOGY)
    description = f"ARN of the SRT passphrase secret {secret.ref!r} of {where} in {region} (set by deploy)"
    return _param(secret_parameter(name), description, ARN_PATTERNS["secret"], "", DEPLOY)


def _check_names(model: Topology) -> None:
    for ingest in model.ingests:
        if ingest.name in HUB_ROLES:
            raise RenderError(
                f"ingest {ingest.name!r}: the names {' and '.join(HUB_ROLES)} are the hub flows' "
                f"(flow {model.flow_name(ingest.name)!r}, DNS label, outputs); rename the ingest"
            )


def _ingest_context(model: Topology, ingest: Ingest) -> dict[str, Any]:
    logical = _logical(ingest.logical, f"ingest {ingest.name!r}")
    hop = model.internal_hop
    return {
        "logical": logical,
        "flow": f"{logical}Flow",
        "name": model.flow_name(ingest.name),
        "source_name": ingest.name,
        "port": ingest.port,
        "whitelist": whitelist_cidr(ingest),
        "min_latency": ingest.min_latency_ms,
        "description": _check_string(ingest.description, f"ingest {ingest.name!r} description"),
        "secret_param": secret_parameter(ingest.name),
        "hop_outputs": [
            {
                "logical": f"{logical}{pascal(HOP_OUTPUT_NAMES[role])}Output",
                "name": HOP_OUTPUT_NAMES[role],
                "port": hop.port(role),
                "output_key": f"{logical}{pascal(HOP_OUTPUT_NAMES[role])}OutputArn",
            }
            for role in HUB_ROLES
        ],
        "dns": {"logical": f"{logical}DnsRecord", "name": model.dns.record(ingest.name)}
        if model.dns
        else None,
    }


def _output_context(out: Output) -> dict[str, Any]:
    logical = _logical(f"{out.logical}Output", f"output {out.name!r}")
    return {
        "logical": logical,
        "name": out.name,
        "protocol": out.protocol,
        "port": out.port,
        "cidrs": list(out.allowlist),
        "destination": out.destination,
        "min_latency": out.min_latency_ms,
        "secret_param": secret_parameter(out.name) if out.passphrase_secret else None,
        "output_key": f"{logical}Arn",
    }


def _hub_context(model: Topology) -> list[dict[str, Any]]:
    hop = model.internal_hop
    flows = []
    for role in HUB_ROLES:
        hub_flow = model.hub.flow(role)
        logical = hub_flow.logical
        flows.append(
            {
                "logical": logical,
                "flow": f"{logical}Flow",
                "name": model.flow_name(role),
                "role": role,
                "source_name": STANDBY_SOURCE,
                "port": hop.live_port,
                "whitelist": model.hub.network.vpc_cidr,
                "min_latency": hop.min_latency_ms,
                "starts_on": hub_flow.starts_on,
                "outputs": [_output_context(out) for out in hub_flow.outputs],
                "dns": {"logical": f"{logical}DnsRecord", "name": model.dns.record(role)}
                if model.dns
                else None,
            }
        )
    return flows


def _flows_context(model: Topology, region: str, network: NetworkMode = "terraform") -> dict[str, Any]:
    net = model.network(region)
    ingests = [_ingest_context(model, ingest) for ingest in model.ingests_in(region)]
    hub = _hub_context(model) if net.is_hub else []
    if network == "cloudformation":
        network_stack = model.stack_name("network", region)
        role_source = f"{network_stack}.RoleArn"
        hop_source = f"{network_stack}.HopSecretArn" if model.internal_hop.generate_secret else DEPLOY
    else:
        role_source, hop_source = f"network.{region}.role_arn", f"network.{region}.hop_secret_arn"
    params = [
        _param(
            "RoleArn",
            "ARN of the IAM role MediaConnect assumes (network output role_arn)",
            ARN_PATTERNS["role"],
            "",
            role_source,
        ),
        _param(
            "HopSecretArn",
            f"ARN of the internal-hop passphrase secret's copy in {region} (network output hop_secret_arn)",
            ARN_PATTERNS["secret"],
            "",
            hop_source,
        ),
    ]
    for ingest in model.ingests_in(region):
        params.append(_secret_param(ingest.name, ingest.passphrase_secret, region, "ingest"))
    for flow in hub:
        for out in model.hub.flow(flow["role"]).outputs:
            if out.passphrase_secret:
                params.append(_secret_param(out.name, out.passphrase_secret, region, "output"))
    resources: list[str] = []
    outputs: list[str] = []
    for ing in ingests:
        resources += [ing["flow"], *(o["logical"] for o in ing["hop_outputs"])]
        resources += [ing["dns"]["logical"]] if ing["dns"] else []
        outputs += [f"{ing['logical']}{key}" for key in ("FlowArn", "SourceArn", "IngestIp")]
        outputs += [o["output_key"] for o in ing["hop_outputs"]]
    for flow in hub:
        resources += [flow["flow"], *(o["logical"] for o in flow["outputs"])]
        resources += [flow["dns"]["logical"]] if flow["dns"] else []
        outputs += [f"{flow['logical']}{key}" for key in ("FlowArn", "SourceArn", "EgressIp")]
        outputs += [o["output_key"] for o in flow["outputs"]]
    where = f"flows stack in {region}"
    _unique(resources + [p["key"] for p in params], where)
    _unique(outputs, where)
    return {
        "stack": model.stack_name("flows", region),
        "region": region,
        "topology": model.name,
        "availability_zone": net.availability_zone,
        "hub_cidr": model.hub.network.vpc_cidr,
        "hop_latency": model.internal_hop.min_latency_ms,
        "parameters": sorted(params, key=lambda p: p["key"]),
        "ingests": ingests,
        "hub_flows": hub,
        "dns": {"zone": model.dns.hosted_zone_id, "ttl": str(model.dns.ttl)} if model.dns else None,
        "tags": _tags(model),
    }


# -- network stacks -----------------------------------------------------------------------------


def _sub(template: str, **variables: str) -> dict[str, Any]:
    """A ``!Sub [template, {vars}]``: topology values go in as variables, never into the template."""
    return {"sub": template, "vars": variables}


def _secret_resource(secret: SecretRef, region: str) -> dict[str, Any]:
    """IAM resource of a secret MediaConnect reads in ``region`` (an ARN is exact; a name matches
    its random 6-character suffix)."""
    _check_string(secret.ref, "secret")
    if secret.is_arn:
        return {"arn": secret.ref}
    return _sub(
        "arn:${AWS::Partition}:secretsmanager:${Region}:${AWS::AccountId}:secret:${Name}-??????",
        Region=region,
        Name=secret.ref,
    )


def hop_secret_name(model: Topology) -> str:
    """Name of the internal-hop secret: the generated one's, or the one the topology gives."""
    hop = model.internal_hop.passphrase_secret
    return hop.name if hop else f"{model.name}/internal-hop/srt-passphrase"


def _role_context(model: Topology) -> dict[str, Any]:
    regions = [net.region for net in model.networks]
    ec2 = [
        _sub(f"arn:${{AWS::Partition}}:ec2:${{Region}}:${{AWS::AccountId}}:{kind}/*", Region=region)
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
    return {"ec2": ec2, "secrets": unique, "secret_actions": list(MEDIACONNECT_SECRET_ACTIONS)}


def _network_context(model: Topology, net: Network) -> dict[str, Any]:
    hop = model.internal_hop
    hub = model.hub.network
    ports = {"from": hop.port_from, "to": hop.port_to}
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
    if net.is_hub:
        for other in model.networks:
            if model.ingests_in(other.region):
                egress.append(
                    {
                        "cidr": other.vpc_cidr,
                        **ports,
                        "description": f"internal SRT hop: call the ingest listeners in {other.region}",
                    }
                )
    generated = model.internal_hop.generate_secret
    spokes = [s.region for s in model.spokes]
    params = [
        # A parameter (with the topology's value as default) rather than a literal: the topology pins
        # the zone on purpose (MediaConnect's VPC interface needs a subnet in its flow's zone).
        _param(
            "AvailabilityZone",
            "the private subnet's Availability Zone: the flows' zone (topology)",
            "",
            net.availability_zone,
            TOPOLOGY,
            "AWS::EC2::AvailabilityZone::Name",
        ),
    ]
    if not net.is_hub:
        hub_stack = model.stack_name("network", hub.region)
        params.append(
            _param(
                "RoleArn",
                "ARN of MediaConnect's IAM role (hub network stack output RoleArn)",
                ARN_PATTERNS["role"],
                "",
                f"{hub_stack}.RoleArn",
            )
        )
        if generated:
            params.append(
                _param(
                    "HubHopSecretArn",
                    "ARN of the hop secret's primary in the hub (hub network stack output HopSecretArn)",
                    ARN_PATTERNS["secret"],
                    "",
                    f"{hub_stack}.HopSecretArn",
                )
            )
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
        "hop": {
            "generated": generated,
            "name": hop_secret_name(model),
            "replicas": spokes,
            "partial_arn": _sub(
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Name}",
                Name=hop_secret_name(model),
            ),
        },
        "tags": _tags(model),
        "own_name_tag": "Name" not in dict(model.tags),
    }


def _peering_context(model: Topology) -> dict[str, Any]:
    hub_stack = model.stack_name("network", model.hub.region)
    params = [
        _param(
            "RouteTableId",
            "the hub subnet's route table (hub network stack output RouteTableId)",
            ARN_PATTERNS["route_table"],
            "",
            f"{hub_stack}.RouteTableId",
        ),
        _param(
            "VpcId",
            "the hub VPC (hub network stack output VpcId)",
            ARN_PATTERNS["vpc"],
            "",
            f"{hub_stack}.VpcId",
        ),
    ]
    spokes = []
    for net in model.spokes:
        logical = _logical(net.logical, f"region {net.region!r}")
        spokes.append({"logical": logical, "region": net.region, "cidr": net.vpc_cidr})
        params.append(
            _param(
                f"{logical}VpcId",
                f"the VPC in {net.region} (its network stack output VpcId)",
                ARN_PATTERNS["vpc"],
                "",
                f"{model.stack_name('network', net.region)}.VpcId",
            )
        )
    _unique(
        [p["key"] for p in params] + [f"{s['logical']}{k}" for s in spokes for k in ("Peering", "Route")],
        "peering stack",
    )
    return {
        "stack": model.stack_name("peering", model.hub.region),
        "topology": model.name,
        "hub_region": model.hub.region,
        "parameters": sorted(params, key=lambda p: p["key"]),
        "spokes": spokes,
        "tags": _tags(model),
        "own_name_tag": "Name" not in dict(model.tags),
    }


def _routes_context(model: Topology, net: Network) -> dict[str, Any]:
    peering = model.stack_name("peering", model.hub.region)
    params = [
        _param(
            "PeeringConnectionId",
            f"the peering connection from the hub (peering stack output {net.logical}PeeringConnectionId)",
            ARN_PATTERNS["peering"],
            "",
            f"{peering}.{net.logical}PeeringConnectionId",
        ),
        _param(
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


# -- stacks, manifest and files -----------------------------------------------------------------


def _path(name: str) -> str:
    return f"{PREFIX}/{name}"


@dataclass(frozen=True)
class _Stack:
    spec: StackSpec
    template: str  # the Jinja2 template
    context: dict[str, Any]


def _stack(
    name: str,
    region: str,
    kind: str,
    file: str,
    context: dict[str, Any],
    depends_on: tuple[str, ...] = (),
    capabilities: tuple[str, ...] = (),
) -> _Stack:
    params: list[dict[str, str]] = context["parameters"]
    spec = StackSpec(
        name=name,
        region=region,
        kind=kind,
        template=_path(f"{file}.yaml"),
        parameters=_path(f"{file}.parameters.json") if params else None,
        depends_on=depends_on,
        parameter_sources=tuple(sorted((p["key"], p["source"]) for p in params)),
        capabilities=capabilities,
    )
    return _Stack(spec, f"{PREFIX}/{kind}.yaml.j2", context)


def _stacks(model: Topology, network: NetworkMode) -> list[_Stack]:
    """Every stack this renderer writes a template for, in dependency order."""
    hub = model.hub.region
    network_stack = {net.region: model.stack_name("network", net.region) for net in model.networks}
    peering = model.stack_name("peering", hub)
    stacks: list[_Stack] = []
    if network == "cloudformation":
        for net in model.networks:
            stacks.append(
                _stack(
                    network_stack[net.region],
                    net.region,
                    "network",
                    f"network-{net.region}",
                    _network_context(model, net),
                    depends_on=() if net.is_hub else (network_stack[hub],),
                    capabilities=("CAPABILITY_IAM",) if net.is_hub else (),
                )
            )
        if model.spokes:
            stacks.append(
                _stack(
                    peering,
                    hub,
                    "peering",
                    f"peering-{hub}",
                    _peering_context(model),
                    depends_on=tuple(network_stack[net.region] for net in model.networks),
                )
            )
            for net in model.spokes:
                stacks.append(
                    _stack(
                        model.stack_name("routes", net.region),
                        net.region,
                        "routes",
                        f"routes-{net.region}",
                        _routes_context(model, net),
                        depends_on=(network_stack[net.region], peering),
                    )
                )
    for region in flow_regions(model):
        # A flow stack takes its parameters from its own region's network stack only: it does not
        # wait for peering and routes, which deploy in parallel with it (the post-steps run after
        # every stack, so traffic flows over the peering by the time a hub source calls an ingest).
        depends: tuple[str, ...] = (network_stack[region],) if network == "cloudformation" else ()
        stacks.append(
            _stack(
                model.stack_name("flows", region),
                region,
                "flows",
                f"flows-{region}",
                _flows_context(model, region, network),
                depends_on=depends,
            )
        )
    return stacks


def stack_specs(model: Topology, network: NetworkMode = "terraform") -> list[StackSpec]:
    """The manifest's stacks, in dependency order: this renderer's stacks, then the control API's
    (rendered by :mod:`streamfabric.render.api` when ``control_api.enabled``; after every flow stack)."""
    specs = [stack.spec for stack in _stacks(model, network)]
    if model.control_api.enabled:
        hub = model.hub.region
        specs.append(
            StackSpec(
                name=model.stack_name("api", hub),
                region=hub,
                kind="api",
                template=_path(f"api-{hub}.yaml"),
                depends_on=tuple(spec.name for spec in specs if spec.kind == "flows"),
                capabilities=("CAPABILITY_IAM",),
            )
        )
    return order_stacks(specs)


def _escape_controls(text: str) -> str:
    return "".join(ch if ch >= " " and ch != "\x7f" else f"\\x{ord(ch):02x}" for ch in text)


def _safe_source(source: SourceInfo) -> SourceInfo:
    """The source with control characters escaped, so the header stays one comment per line."""
    version = None if source.version is None else _escape_controls(source.version)
    return dataclasses.replace(source, uri=_escape_controls(source.uri), version=version)


# In the ``json`` filter's output (JSON string literals, ASCII only): an escaped backslash, or a
# UTF-16 surrogate pair, which YAML cannot read as two ``\u`` escapes (it needs one ``\U`` escape).
_JSON_ESCAPES = re.compile(r"\\\\|\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _yaml_escapes(text: str) -> str:
    """Make the JSON literals of a rendered template valid YAML double-quoted scalars too: a
    character outside the BMP becomes one ``\\UXXXXXXXX`` escape instead of a surrogate pair."""

    def fix(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        high, low = int(match.group(1), 16), int(match.group(2), 16)
        return f"\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"

    return _JSON_ESCAPES.sub(fix, text)


def _parameters_file(params: Sequence[dict[str, str]]) -> str:
    entries = [{"ParameterKey": p["key"], "ParameterValue": p["value"]} for p in params]
    return json.dumps(sorted(entries, key=lambda e: e["ParameterKey"]), indent=2, ensure_ascii=True) + "\n"


def _manifest(model: Topology, network: NetworkMode, specs: Sequence[StackSpec]) -> str:
    source = model.source
    generated = {
        "notice": header_lines(source)[0],
        "topology": source.uri,
        "version": source.version,
        "sha256": source.sha256,
        "network": network,
        "paths": "relative to the render output directory",
    }
    document = {"_generated": generated, "stacks": [spec.as_dict() for spec in specs]}
    return json.dumps(document, indent=2, ensure_ascii=True, sort_keys=True) + "\n"


def render_cloudformation(model: Topology, network: NetworkMode = "terraform") -> dict[str, str]:
    """Every CloudFormation file for ``model`` (keys relative to the output directory, sorted)."""
    if network not in ("terraform", "cloudformation"):
        raise RenderError(f"unknown network mode {network!r} (terraform or cloudformation)")
    _check_string(model.name, "topology name")
    _check_names(model)
    source = _safe_source(model.source)
    files: dict[str, str] = {}
    for stack in _stacks(model, network):
        text = render_template(stack.template, source=source, **stack.context)
        files[stack.spec.template] = _yaml_escapes(text)
        if stack.spec.parameters:
            files[stack.spec.parameters] = _parameters_file(stack.context["parameters"])
    files[_path("manifest.json")] = _manifest(model, network, stack_specs(model, network))
    return dict(sorted(files.items()))


__all__ = [
    "CONTRACT_NOTES",
    "NetworkMode",
    "StackSpec",
    "flow_regions",
    "hop_secret_name",
    "order_stacks",
    "render_cloudformation",
    "secret_parameter",
    "stack_specs",
    "whitelist_cidr",
]
