"""CloudFormation for the router engine: per region, a router network interface and a router input
per ingest; in the hub's region also the Live and Preview flows (router-integrated sources, their
outputs as on the flows engine) and two MEDIACONNECT_FLOW router outputs feeding them.

No VPC, no peering, no internal hop, no post-steps: router inputs reach the hub over AWS's network.
Each ingest's SRT listener sits on a public router network interface of its own, whose allow rules
are the ingest's allowlist (CloudFormation Template Reference, AWS::MediaConnect::RouterNetworkInterface,
RouterInput, RouterOutput; the types cfn-lint ships). Router inputs and outputs have GLOBAL routing
scope (User Guide, *Creating a router I/O*: a REGIONAL I/O routes only within its Region) and the
topology's tier and maximum bitrate; maintenance windows are ``MaintenanceConfiguration``
(``PreferredDayTime``, the day upper-cased, ``HH:MM``).

The secret of an SRT listener input is read with the MediaConnect role (``RoleArn``, as the flow
stacks take it). What goes on air first (``starts_on``) is a TakeRouterInput after the stacks, which
deploy does not make yet.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..topology.model import Topology, pascal
from ..topology.region_support import supports
from .cfn_common import (
    ARN_PATTERNS,
    DEPLOY,
    check_string,
    param,
    parameters_file,
    path,
    safe_source,
    secret_param,
    tags_list,
)
from .cfn_flows import check_names
from .cfn_stacks import StackSpec, manifest
from .env import comment_header


def _automatic() -> dict[str, Any]:
    return {"EncryptionKeyType": "AUTOMATIC", "EncryptionKeyConfiguration": {"Automatic": {}}}


class _Dumper(yaml.SafeDumper):
    """Every string double-quoted (as the Jinja templates write them: no YAML 1.1 surprises such as
    ``04:00`` or ``on``), no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _quoted(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')


def _mapping(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    """Keys plain (logical ids, property names: CloudFormation's and checkov's readers look for
    ``Resources:``), values as their representers make them."""
    pairs = [
        (dumper.represent_scalar("tag:yaml.org,2002:str", key), dumper.represent_data(item))
        for key, item in value.items()
    ]
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


_Dumper.add_representer(str, _quoted)
_Dumper.add_representer(dict, _mapping)


def router_regions(model: Topology) -> tuple[str, ...]:
    """The hub's region first, then every other region with ingests, in document order."""
    regions = [model.hub.region]
    for ingest in model.ingests:
        if ingest.region not in regions:
            regions.append(ingest.region)
    return tuple(regions)


def _tags(model: Topology, region: str, rtype: str) -> dict[str, Any]:
    if not supports(region, rtype, "Tags"):
        return {}
    return {"Tags": [{"Key": t["key"], "Value": t["value"]} for t in tags_list(model)]}


def _maintenance(model: Topology, region: str) -> dict[str, Any]:
    window = model.maintenance_for(region) if region in {n.region for n in model.networks} else None
    window = window or model.maintenance
    if window is None:
        return {}
    return {
        "MaintenanceConfiguration": {"PreferredDayTime": {"Day": window.day.upper(), "Time": window.start}}
    }


def _flow_maintenance(model: Topology, region: str) -> dict[str, Any]:
    window = model.maintenance_for(region)
    if window is None:
        return {}
    return {"Maintenance": {"MaintenanceDay": window.day, "MaintenanceStartHour": window.start}}


def _ingest_resources(
    model: Topology, region: str, resources: dict[str, Any], outputs: dict[str, Any]
) -> None:
    settings = model.router.input
    for ingest in model.ingests_in(region):
        logical = pascal(ingest.name)
        interface, router_input = f"{logical}NetworkInterface", f"{logical}RouterInput"
        resources[interface] = {
            "Type": "AWS::MediaConnect::RouterNetworkInterface",
            "Properties": {
                "Name": check_string(model.flow_name(ingest.name), "ingest name"),
                "Configuration": {"Public": {"AllowRules": [{"Cidr": cidr} for cidr in ingest.allowlist]}},
                **_tags(model, region, "AWS::MediaConnect::RouterNetworkInterface"),
            },
        }
        listener = {
            "Port": ingest.port,
            "MinimumLatencyMilliseconds": ingest.min_latency_ms,
            "DecryptionConfiguration": {
                "EncryptionKey": {"RoleArn": {"Ref": "RoleArn"}, "SecretArn": {"Ref": _secret(ingest.name)}}
            },
        }
        resources[router_input] = {
            "Type": "AWS::MediaConnect::RouterInput",
            "Properties": {
                "Name": model.flow_name(ingest.name),
                "Tier": settings.tier,
                "MaximumBitrate": settings.maximum_bitrate,
                "RoutingScope": "GLOBAL",
                "Configuration": {
                    "Standard": {
                        "NetworkInterfaceArn": {"Fn::GetAtt": [interface, "Arn"]},
                        "Protocol": "SRT_LISTENER",
                        "ProtocolConfiguration": {"SrtListener": listener},
                    }
                },
                **_maintenance(model, region),
                **_tags(model, region, "AWS::MediaConnect::RouterInput"),
            },
        }
        outputs[f"{logical}RouterInputArn"] = {"Value": {"Fn::GetAtt": [router_input, "Arn"]}}
        outputs[f"{logical}IngestIp"] = {"Value": {"Fn::GetAtt": [router_input, "IpAddress"]}}


def _secret(name: str) -> str:
    return f"Secret{pascal(name)}Arn"


def _hub_resources(model: Topology, resources: dict[str, Any], outputs: dict[str, Any]) -> None:
    region = model.hub.region
    settings = model.router.output
    for flow in model.hub.flows:
        logical = pascal(flow.role)
        flow_id, router_output = f"{logical}Flow", f"{logical}RouterOutput"
        resources[flow_id] = {
            "Type": "AWS::MediaConnect::Flow",
            "Properties": {
                "Name": model.flow_name(flow.role),
                "AvailabilityZone": model.hub.network.availability_zone,
                **_flow_maintenance(model, region),
                "Source": {"Name": "router", "RouterIntegrationState": "ENABLED"},
                "SourceMonitoringConfig": {"ThumbnailState": "ENABLED"},
            },
        }
        for out in flow.outputs:
            properties: dict[str, Any] = {
                "FlowArn": {"Fn::GetAtt": [flow_id, "FlowArn"]},
                "Name": check_string(out.name, "output name"),
                "Protocol": out.protocol,
            }
            if out.destination:
                properties["Destination"] = out.destination
            properties["Port"] = out.port
            if out.allowlist:
                properties["CidrAllowList"] = list(out.allowlist)
            properties["MinLatency"] = out.min_latency_ms
            if out.passphrase_secret:
                properties["Encryption"] = {
                    "KeyType": "srt-password",
                    "RoleArn": {"Ref": "RoleArn"},
                    "SecretArn": {"Ref": _secret(out.name)},
                }
            properties.update(_tags(model, region, "AWS::MediaConnect::FlowOutput"))
            resources[f"{pascal(out.name)}Output"] = {
                "Type": "AWS::MediaConnect::FlowOutput",
                "Properties": properties,
            }
        resources[router_output] = {
            "Type": "AWS::MediaConnect::RouterOutput",
            "Properties": {
                "Name": model.flow_name(flow.role),
                "Tier": settings.tier,
                "MaximumBitrate": settings.maximum_bitrate,
                "RoutingScope": "GLOBAL",
                "Configuration": {
                    "MediaConnectFlow": {
                        "FlowArn": {"Fn::GetAtt": [flow_id, "FlowArn"]},
                        "FlowSourceArn": {"Fn::GetAtt": [flow_id, "Source.SourceArn"]},
                        "DestinationTransitEncryption": _automatic(),
                    }
                },
                **_maintenance(model, region),
                **_tags(model, region, "AWS::MediaConnect::RouterOutput"),
            },
        }
        outputs[f"{logical}FlowArn"] = {"Value": {"Fn::GetAtt": [flow_id, "FlowArn"]}}
        outputs[f"{logical}RouterOutputArn"] = {"Value": {"Fn::GetAtt": [router_output, "Arn"]}}
        outputs[f"{logical}EgressIp"] = {"Value": {"Fn::GetAtt": [flow_id, "EgressIp"]}}


def _parameters(model: Topology, region: str) -> list[dict[str, str]]:
    role = param(
        "RoleArn",
        "ARN of the IAM role MediaConnect assumes to read the SRT passphrase secrets (set by deploy)",
        ARN_PATTERNS["role"],
        "",
        DEPLOY,
    )
    params = [role]
    params += [secret_param(i.name, i.passphrase_secret, region, "ingest") for i in model.ingests_in(region)]
    if region == model.hub.region:
        params += [
            secret_param(out.name, out.passphrase_secret, region, "output")
            for flow in model.hub.flows
            for out in flow.outputs
            if out.passphrase_secret
        ]
    return params


def _template(model: Topology, region: str, params: list[dict[str, str]]) -> str:
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    if region == model.hub.region:
        _hub_resources(model, resources, outputs)
    _ingest_resources(model, region, resources, outputs)
    declared: dict[str, Any] = {}
    for p in params:
        entry: dict[str, Any] = {
            "Type": p["type"],
            "Description": p["description"],
            "AllowedPattern": p["pattern"],
        }
        if p["source"] != DEPLOY:
            entry["Default"] = p["value"]
        declared[p["key"]] = entry
    document = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"streamfabric {model.name}: MediaConnect Router in {region}",
        "Parameters": declared,
        "Resources": resources,
        "Outputs": outputs,
    }
    body = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=False, width=4096
    )
    return comment_header(safe_source(model.source)) + body


def render_router_cloudformation(model: Topology) -> dict[str, str]:
    """Every CloudFormation file of the router engine, and its manifest (keys sorted)."""
    check_string(model.name, "topology name")
    check_names(model)
    files: dict[str, str] = {}
    specs: list[StackSpec] = []
    for region in router_regions(model):
        params = _parameters(model, region)
        template, parameters = path(f"router-{region}.yaml"), path(f"router-{region}.parameters.json")
        files[template] = _template(model, region, params)
        files[parameters] = parameters_file(params)
        specs.append(  # independent stacks: router inputs and outputs meet only at TakeRouterInput
            StackSpec(
                name=model.stack_name("router", region),
                region=region,
                kind="router",
                template=template,
                parameters=parameters,
                parameter_sources=tuple(sorted((p["key"], p["source"]) for p in params)),
            )
        )
    files[path("manifest.json")] = manifest(model, "cloudformation", specs)
    return dict(sorted(files.items()))


__all__ = ["render_router_cloudformation", "router_regions"]
