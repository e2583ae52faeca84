"""Render moto's MediaConnect state in the response shapes of botocore's service model.

moto stores sources and outputs as the request bodies it received (``protocol``, ``minLatency``,
``streamId`` ... at the top level). The real service answers with a ``transport`` structure for
those, and botocore silently drops members it does not expect, so they have to be nested here.
Keys are the service's wire names (lower camel case).
"""

from __future__ import annotations

from typing import Any

# Members of the ``Transport`` shape, as carried by SetSourceRequest / AddOutputRequest.
_SOURCE_TRANSPORT = (
    "protocol",
    "maxBitrate",
    "maxLatency",
    "maxSyncBuffer",
    "minLatency",
    "senderControlPort",
    "senderIpAddress",
    "smoothingLatency",
    "sourceListenerAddress",
    "sourceListenerPort",
    "streamId",
    "ndiSourceSettings",
)
_SOURCE_TOP = (
    "dataTransferSubscriberFeePercent",
    "decryption",
    "description",
    "entitlementArn",
    "ingestIp",
    "ingestPort",
    "mediaStreamSourceConfigurations",
    "name",
    "senderControlPort",
    "senderIpAddress",
    "sourceArn",
    "vpcInterfaceName",
    "whitelistCidr",
    "gatewayBridgeSource",
    "peerIpAddress",
    "routerIntegrationState",
    "routerIntegrationTransitDecryption",
    "connectedRouterOutputArn",  # set while a router output is routed into it (mediaconnect/router/)
)
_OUTPUT_TRANSPORT = (
    "protocol",
    "cidrAllowList",
    "maxLatency",
    "minLatency",
    "remoteId",
    "senderControlPort",
    "smoothingLatency",
    "streamId",
    "ndiSpeedHqQuality",
    "ndiProgramName",
)
_OUTPUT_TOP = (
    "dataTransferSubscriberFeePercent",
    "description",
    "destination",
    "encryption",
    "entitlementArn",
    "listenerAddress",
    "mediaLiveInputArn",
    "mediaStreamOutputConfigurations",
    "name",
    "outputArn",
    "port",
    "vpcInterfaceAttachment",
    "bridgeArn",
    "bridgePorts",
    "outputStatus",
    "peerIpAddress",
    "routerIntegrationState",
    "routerIntegrationTransitEncryption",
)
_VPC_INTERFACE = (
    "name",
    "networkInterfaceIds",
    "networkInterfaceType",
    "roleArn",
    "securityGroupIds",
    "subnetId",
)


def _pick(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: data[key] for key in keys if data.get(key) is not None}


def source_shape(source: dict[str, Any]) -> dict[str, Any]:
    """A ``Source`` as DescribeFlow returns it."""
    shape = _pick(source, _SOURCE_TOP)
    transport = _pick(source, _SOURCE_TRANSPORT)
    if "protocol" in transport:
        shape["transport"] = transport
    return shape


def output_shape(output: dict[str, Any]) -> dict[str, Any]:
    """An ``Output`` as DescribeFlow returns it."""
    shape = _pick(output, _OUTPUT_TOP)
    transport = _pick(output, _OUTPUT_TRANSPORT)
    if "protocol" in transport:
        shape["transport"] = transport
    return shape


def vpc_interface_shape(vpc_interface: dict[str, Any]) -> dict[str, Any]:
    """A ``VpcInterface`` as DescribeFlow returns it."""
    return _pick(vpc_interface, _VPC_INTERFACE)


def _description(flow: Any) -> str | None:
    """A flow's description is its (primary) source's, as in AWS's examples; moto had a fixed text."""
    return flow.sources[0].get("description") if flow.sources else None


def flow_shape(flow: Any) -> dict[str, Any]:
    """A ``Flow`` (moto's model object) as DescribeFlow / CreateFlow return it."""
    sources = [source_shape(source) for source in flow.sources]
    shape: dict[str, Any] = {
        "availabilityZone": flow.availability_zone,
        "egressIp": flow.egress_ip,
        "entitlements": list(flow.entitlements or []),
        "flowArn": flow.flow_arn,
        "name": flow.name,
        "outputs": [output_shape(output) for output in flow.outputs],
        "source": sources[0] if sources else {},
        "sources": sources,
        "status": flow.status,
        "vpcInterfaces": [vpc_interface_shape(vpc) for vpc in flow.vpc_interfaces],
    }
    for key, value in (
        ("description", _description(flow)),
        ("sourceFailoverConfig", flow.source_failover_config),
        ("maintenance", flow.maintenance),
        ("sourceMonitoringConfig", getattr(flow, "source_monitoring_config", None)),
    ):
        if value:
            shape[key] = value
    return shape


def listed_flow_shape(flow: Any) -> dict[str, Any]:
    """A ``ListedFlow`` as ListFlows returns it."""
    entitled = bool(flow.sources and flow.sources[0].get("entitlementArn"))
    shape: dict[str, Any] = {
        "availabilityZone": flow.availability_zone,
        "description": _description(flow) or "",
        "flowArn": flow.flow_arn,
        "name": flow.name,
        "sourceType": "ENTITLED" if entitled else "OWNED",
        "status": flow.status,
    }
    if flow.maintenance:
        shape["maintenance"] = flow.maintenance
    return shape
