"""The one AWS request each instruction on a flow (or a network interface) is made of.

Every instruction type the executor runs is named here or in :meth:`.executor.Executor._apply`, each
in a ``match`` that ends in ``assert_never``: mypy fails the build when an instruction type is added
to :data:`..plan.instructions.Instruction` without its request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, assert_never

from ...topology.model import SRT_CALLER, SRT_LISTENER
from ..plan.instructions import (
    AddVpcInterface,
    AttachOutput,
    DetachOutput,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StartFlow,
    StopFlow,
)
from ..plan.values import Value

Resolve = Callable[[Value], str]
FlowRequestInstruction = (
    AddVpcInterface
    | RemoveVpcInterface
    | AttachOutput
    | DetachOutput
    | SetCallerSource
    | RestoreStandbySource
    | StartFlow
    | StopFlow
)


@dataclass(frozen=True, slots=True)
class Request:
    service: str
    region: str
    operation: str
    params: Mapping[str, Any]


def request(step: FlowRequestInstruction, resolve: Resolve) -> Request:
    """The MediaConnect request of ``step``, with every reference resolved by ``resolve``."""
    flow = resolve(step.flow_arn)
    match step:
        case AddVpcInterface():
            interface = {
                "Name": step.name,
                "RoleArn": resolve(step.role_arn),
                "SecurityGroupIds": [resolve(step.security_group_id)],
                "SubnetId": resolve(step.subnet_id),
            }
            return _mediaconnect(step, "add_flow_vpc_interfaces", FlowArn=flow, VpcInterfaces=[interface])
        case RemoveVpcInterface():
            return _mediaconnect(step, "remove_flow_vpc_interface", FlowArn=flow, VpcInterfaceName=step.name)
        case AttachOutput():
            return _mediaconnect(
                step,
                "update_flow_output",
                FlowArn=flow,
                OutputArn=resolve(step.output_arn),
                VpcInterfaceAttachment={"VpcInterfaceName": step.vpc_interface},
            )
        case DetachOutput():
            return _mediaconnect(
                step,
                "update_flow_output",
                FlowArn=flow,
                OutputArn=resolve(step.output_arn),
                VpcInterfaceAttachment={"VpcInterfaceName": ""},
            )
        case SetCallerSource():
            return _mediaconnect(
                step,
                "update_flow_source",
                FlowArn=flow,
                SourceArn=resolve(step.source_arn),
                Protocol=SRT_CALLER,
                SourceListenerAddress=resolve(step.address),
                SourceListenerPort=step.port,
                VpcInterfaceName=step.vpc_interface,
                MinLatency=step.min_latency_ms,
                Decryption={
                    "KeyType": "srt-password",
                    "RoleArn": resolve(step.role_arn),
                    "SecretArn": resolve(step.secret_arn),
                },
            )
        case RestoreStandbySource():
            return _mediaconnect(
                step,
                "update_flow_source",
                FlowArn=flow,
                SourceArn=resolve(step.source_arn),
                Protocol=SRT_LISTENER,
                IngestPort=step.port,
                WhitelistCidr=step.whitelist_cidr,
                VpcInterfaceName="",
            )
        case StartFlow():
            return _mediaconnect(step, "start_flow", FlowArn=flow)
        case StopFlow():
            return _mediaconnect(step, "stop_flow", FlowArn=flow)
        case _:
            assert_never(step)


def _mediaconnect(step: FlowRequestInstruction, operation: str, **params: Any) -> Request:
    return Request("mediaconnect", step.region, operation, params)


__all__ = ["FlowRequestInstruction", "Request", "Resolve", "request"]
