"""Flows-stack context of the CloudFormation renderer: one ``flows-<region>.yaml`` per region with
flows (the ingests' flows and their internal-hop outputs; in the hub also Live and Preview)."""

from __future__ import annotations

from typing import Any

from ..errors import RenderError
from ..topology.model import (
    HOP_OUTPUTS,
    HUB_ROLES,
    STANDBY_SOURCE,
    Ingest,
    NetworkMode,
    Output,
    Topology,
    pascal,
)
from ..topology.region_support import supports
from .cfn_common import (
    ARN_PATTERNS,
    DEPLOY,
    check_string,
    hop_replica_output,
    logical_id,
    param,
    secret_param,
    secret_parameter,
    tags_list,
    unique_ids,
    whitelist_cidr,
)


def check_names(model: Topology) -> None:
    for ingest in model.ingests:
        if ingest.name in HUB_ROLES:
            raise RenderError(
                f"ingest {ingest.name!r}: the names {' and '.join(HUB_ROLES)} are the hub flows' "
                f"(flow {model.flow_name(ingest.name)!r}, DNS label, outputs); rename the ingest"
            )


def _ingest_context(model: Topology, ingest: Ingest) -> dict[str, Any]:
    logical = logical_id(ingest.logical, f"ingest {ingest.name!r}")
    hop = model.internal_hop
    return {
        "logical": logical,
        "flow": f"{logical}Flow",
        "name": model.flow_name(ingest.name),
        "source_name": ingest.name,
        "port": ingest.port,
        "whitelist": whitelist_cidr(ingest),
        "min_latency": ingest.min_latency_ms,
        "description": check_string(ingest.description, f"ingest {ingest.name!r} description"),
        "secret_param": secret_parameter(ingest.name),
        "hop_outputs": [
            {
                "logical": f"{logical}{pascal(HOP_OUTPUTS[role])}Output",
                "name": HOP_OUTPUTS[role],
                "port": hop.port(role),
                "output_key": f"{logical}{pascal(HOP_OUTPUTS[role])}OutputArn",
            }
            for role in HUB_ROLES
        ],
        "dns": {"logical": f"{logical}DnsRecord", "name": model.dns.record(ingest.name)}
        if model.dns
        else None,
    }


def _output_context(out: Output) -> dict[str, Any]:
    logical = logical_id(f"{out.logical}Output", f"output {out.name!r}")
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
                # The temporary source depends on nothing a show changes (no starts_on, no
                # latency, no secret): CloudFormation never touches a running hub flow's source
                # unless its port or the hub's VPC changes, which re-point it anyway.
                "source_name": STANDBY_SOURCE,
                "port": hop.live_port,
                "whitelist": model.hub.network.vpc_cidr,
                "outputs": [_output_context(out) for out in hub_flow.outputs],
                "dns": {"logical": f"{logical}DnsRecord", "name": model.dns.record(role)}
                if model.dns
                else None,
            }
        )
    return flows


def _maintenance(model: Topology, region: str) -> dict[str, str] | None:
    """``AWS::MediaConnect::Flow`` ``Maintenance``: MaintenanceDay, MaintenanceStartHour as ``HH:00``
    (CloudFormation template reference, "AWS::MediaConnect::Flow Maintenance")."""
    window = model.maintenance_for(region)
    if window is None or not supports(region, "AWS::MediaConnect::Flow", "Maintenance"):
        return None
    return {"day": window.day, "start": window.start}


def flows_context(model: Topology, region: str, network: NetworkMode = "terraform") -> dict[str, Any]:
    net = model.network(region)
    ingests = [_ingest_context(model, ingest) for ingest in model.ingests_in(region)]
    hub = _hub_context(model) if net.is_hub else []
    if network == "cloudformation":
        network_stack = model.stack_name("network", region)
        role_source = f"{network_stack}.RoleArn"
        hop_source = DEPLOY  # a given hop secret: deploy resolves its ARN in this region
        if model.internal_hop.generate_secret:
            # the generated secret's primary (hub) or this region's replica: hub network stack outputs
            hub_stack = model.stack_name("network", model.hub.region)
            key = "HopSecretArn" if net.is_hub else hop_replica_output(net.logical, f"region {region!r}")
            hop_source = f"{hub_stack}.{key}"
    else:
        role_source, hop_source = f"network.{region}.role_arn", f"network.{region}.hop_secret_arn"
    # RoleArn: for the ingests' hop outputs and any encrypted output; HopSecretArn: for the ingests'
    # hop outputs (the hub flows' temporary source uses neither: see _hub_context).
    encrypted = any(out.passphrase_secret for flow in hub for out in model.hub.flow(flow["role"]).outputs)
    params = []
    if ingests or encrypted:
        params.append(
            param(
                "RoleArn",
                "ARN of the IAM role MediaConnect assumes (network output role_arn)",
                ARN_PATTERNS["role"],
                "",
                role_source,
            )
        )
    if ingests:
        params.append(
            param(
                "HopSecretArn",
                f"ARN of the internal-hop passphrase secret's copy in {region} "
                "(network output hop_secret_arn)",
                ARN_PATTERNS["secret"],
                "",
                hop_source,
            )
        )
    for ingest in model.ingests_in(region):
        params.append(secret_param(ingest.name, ingest.passphrase_secret, region, "ingest"))
    for flow in hub:
        for out in model.hub.flow(flow["role"]).outputs:
            if out.passphrase_secret:
                params.append(secret_param(out.name, out.passphrase_secret, region, "output"))
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
    alarms = _alarms(model, ingests, hub)
    resources += [a["logical"] for a in alarms]
    dashboard = _dashboard(model) if net.is_hub else None
    resources += [dashboard["logical"]] if dashboard else []
    where = f"flows stack in {region}"
    unique_ids(resources + [p["key"] for p in params], where)
    unique_ids(outputs, where)
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
        "tags": tags_list(model),
        "monitoring": {
            "content_quality": model.monitoring.content_quality,
            "alarm_topic": model.monitoring.alarm_topic,
        },
        "alarms": alarms,
        "dashboard": dashboard,
        # Every flow's window (the region's, else the topology's; absent: AWS picks one, validate warns).
        "maintenance": _maintenance(model, region),
        # CloudFormation lacks Tags on MediaConnect resources in some regions (topology/region_support.py)
        "mc_tags": {
            "flow": supports(region, "AWS::MediaConnect::Flow", "Tags"),
            "output": supports(region, "AWS::MediaConnect::FlowOutput", "Tags"),
        },
    }


def _alarms(
    model: Topology, ingests: list[dict[str, Any]], hub: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """CloudWatch alarms (MediaConnect User Guide, *Metrics to monitor source health* / *output
    health*): an ingest whose ``SourceConnected`` minimum is below 1 for a minute (missing data is
    no signal), and each Live output whose ``OutputConnected`` is (SRT and Zixi outputs only)."""
    alarms: list[dict[str, Any]] = []
    for ing in ingests:
        alarms.append({
            "logical": f"{ing['logical']}NoSignalAlarm", "name": f"{ing['name']}-no-signal",
            "description": f"streamfabric {model.name}: ingest {ing['source_name']} has had no signal "
                           "for a minute",
            "metric": "SourceConnected", "dimension": "FlowARN", "of": [ing["flow"], "FlowArn"],
        })  # fmt: skip
    for flow in hub:
        if flow["role"] != "live":
            continue
        for out in flow["outputs"]:
            if not str(out["protocol"]).startswith(("srt", "zixi")):
                continue
            alarms.append({
                "logical": f"{out['logical']}DisconnectedAlarm",
                "name": f"{flow['name']}-{out['name']}-disconnected",
                "description": f"streamfabric {model.name}: Live output {out['name']} has been "
                               "disconnected for a minute",
                "metric": "OutputConnected", "dimension": "OutputARN", "of": [out["logical"], "OutputArn"],
            })  # fmt: skip
    return alarms


def _dashboard(model: Topology) -> dict[str, Any]:
    """One dashboard of the topology in the hub: per region, every flow's SourceBitRate and
    SourceConnected, found with a metrics SEARCH on the flow names (FlowARN ends with the name), so
    the hub stack needs no ARN of another region (CloudWatch User Guide, *Search expression syntax*)."""
    import json

    widgets: list[dict[str, Any]] = []
    for index, net in enumerate(model.networks):
        for column, (metric, stat, title) in enumerate(
            (("SourceBitRate", "Average", "bitrate (b/s)"), ("SourceConnected", "Minimum", "connected"))
        ):
            query = (
                f"SEARCH('{{AWS/MediaConnect,FlowARN}} MetricName=\"{metric}\" {model.name}-', '{stat}', 60)"
            )
            widgets.append({
                "type": "metric", "x": column * 12, "y": index * 6, "width": 12, "height": 6,
                "properties": {"region": net.region, "title": f"{net.region}: {title}", "view": "timeSeries",
                               "metrics": [[{"expression": query, "id": f"e{index}{column}"}]]},
            })  # fmt: skip
    return {
        "logical": "SignalDashboard",
        "name": f"{model.name}-signal",
        "body": json.dumps({"widgets": widgets}, sort_keys=True, separators=(",", ":")),
    }
