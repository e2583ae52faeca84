"""Router resources in the response shapes of botocore's service model (wire names).

``RouterInput``, ``RouterOutput``, ``RouterNetworkInterface`` and their ``Listed*`` forms; members the
model marks required are always present (``messages`` [], ``tags`` {}, ``transitEncryption``,
``maintenanceConfiguration``, ``streamDetails``), optional ones only when they have a value.
"""

from __future__ import annotations

from typing import Any

from . import operations as ops
from .store import NetworkInterface, RouterInput, RouterOutput

_INPUT_STREAMS: dict[str, dict[str, Any]] = {
    "STANDARD": {"standard": {}},
    "FAILOVER": {"failover": {"sourceIndexZeroStreamDetails": {"sourceIndex": 0},
                              "sourceIndexOneStreamDetails": {"sourceIndex": 1}}},
    "MERGE": {"merge": {"sourceIndexZeroStreamDetails": {"sourceIndex": 0},
                        "sourceIndexOneStreamDetails": {"sourceIndex": 1}}},
    "MEDIACONNECT_FLOW": {"mediaConnectFlow": {}},
    "MEDIALIVE_CHANNEL": {"mediaLiveChannel": {}},
}  # fmt: skip
_OUTPUT_STREAMS: dict[str, dict[str, Any]] = {
    "STANDARD": {"standard": {}},
    "MEDIACONNECT_FLOW": {"mediaConnectFlow": {}},
    "MEDIALIVE_INPUT": {"mediaLiveInput": {}},
}


def _maintenance_type(maintenance: dict[str, Any]) -> str:
    return "PREFERRED_DAY_TIME" if "preferredDayTime" in maintenance else "DEFAULT"


def _schedule(shape: dict[str, Any], resource: RouterInput | RouterOutput) -> dict[str, Any]:
    if resource.schedule:
        shape["maintenanceScheduleType"] = "WINDOW"
        shape["maintenanceSchedule"] = resource.schedule
    return shape


def network_interface(account_id: str, interface: NetworkInterface) -> dict[str, Any]:
    inputs, outputs = ops.associated_counts(account_id, interface.arn)
    return {
        "name": interface.name, "arn": interface.arn, "id": interface.id, "state": interface.state,
        "networkInterfaceType": interface.interface_type, "configuration": interface.configuration,
        "associatedOutputCount": outputs, "associatedInputCount": inputs, "regionName": interface.region,
        "createdAt": interface.created_at, "updatedAt": interface.updated_at, "tags": interface.tags,
    }  # fmt: skip


def listed_network_interface(account_id: str, interface: NetworkInterface) -> dict[str, Any]:
    shape = network_interface(account_id, interface)
    for key in ("configuration", "tags"):
        del shape[key]
    return shape


def router_input(account_id: str, item: RouterInput) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": item.name, "arn": item.arn, "id": item.id, "state": item.state, "inputType": item.input_type,
        "configuration": item.configuration, "routedOutputs": len(ops.routed_outputs(account_id, item.arn)),
        "regionName": item.region, "availabilityZone": item.availability_zone,
        "maximumBitrate": item.maximum_bitrate, "tier": item.tier, "routingScope": item.routing_scope,
        "createdAt": item.created_at, "updatedAt": item.updated_at, "messages": [],
        "transitEncryption": item.transit_encryption, "tags": item.tags,
        "streamDetails": _INPUT_STREAMS[item.input_type],
        "maintenanceType": _maintenance_type(item.maintenance), "maintenanceConfiguration": item.maintenance,
    }  # fmt: skip
    if item.ip_address:
        shape["ipAddress"] = item.ip_address
    return _schedule(shape, item)


def listed_router_input(account_id: str, item: RouterInput) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": item.name, "arn": item.arn, "id": item.id, "inputType": item.input_type, "state": item.state,
        "routedOutputs": len(ops.routed_outputs(account_id, item.arn)), "regionName": item.region,
        "availabilityZone": item.availability_zone, "maximumBitrate": item.maximum_bitrate,
        "routingScope": item.routing_scope, "createdAt": item.created_at, "updatedAt": item.updated_at,
        "messageCount": 0,
    }  # fmt: skip
    interface = ops.interface_of(item)
    if interface:
        shape["networkInterfaceArn"] = interface
    return _schedule(shape, item)


def router_output(item: RouterOutput) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": item.name, "arn": item.arn, "id": item.id, "state": item.state,
        "outputType": item.output_type,
        "configuration": item.configuration, "routedState": item.routed_state, "regionName": item.region,
        "availabilityZone": item.availability_zone, "maximumBitrate": item.maximum_bitrate,
        "routingScope": item.routing_scope, "tier": item.tier, "createdAt": item.created_at,
        "updatedAt": item.updated_at, "messages": [], "tags": item.tags,
        "streamDetails": _OUTPUT_STREAMS[item.output_type],
        "maintenanceType": _maintenance_type(item.maintenance), "maintenanceConfiguration": item.maintenance,
    }  # fmt: skip
    if item.ip_address:
        shape["ipAddress"] = item.ip_address
    if item.routed_input_arn:
        shape["routedInputArn"] = item.routed_input_arn
    return _schedule(shape, item)


def listed_router_output(item: RouterOutput) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "name": item.name, "arn": item.arn, "id": item.id, "outputType": item.output_type,
        "state": item.state, "routedState": item.routed_state, "regionName": item.region,
        "availabilityZone": item.availability_zone,
        "maximumBitrate": item.maximum_bitrate, "routingScope": item.routing_scope,
        "createdAt": item.created_at, "updatedAt": item.updated_at, "messageCount": 0,
    }  # fmt: skip
    if item.routed_input_arn:
        shape["routedInputArn"] = item.routed_input_arn
    interface = ops.interface_of(item)
    if interface:
        shape["networkInterfaceArn"] = interface
    return _schedule(shape, item)
