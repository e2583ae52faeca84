"""Turn a plan's references (:mod:`..plan.values`) into values, with read calls, when an instruction
needs them. A flow is always found by its ARN (its flows stack's output, or one the planner
observed), never by name: MediaConnect allows several flows with one name."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import assert_never

from ...aws.gateway import AwsGateway
from ...errors import DeployError
from ..observed import stack_outputs
from ..plan.values import FlowArn, FlowOutputArn, FlowSourceArn, InterfaceAddress, StackOutput, Value
from ..reads import describe_flow, describe_stack, network_interface_addresses


class Resolver:
    """Resolves references; keeps each finished stack's outputs (one DescribeStacks per stack)."""

    def __init__(self, gateway: AwsGateway) -> None:
        self.gateway = gateway
        self._outputs: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def forget_stack(self, stack: str) -> None:
        with self._lock:
            self._outputs.pop(stack, None)

    def remember_stack(self, stack: str, outputs: Mapping[str, str]) -> None:
        """The outputs of ``stack`` as the description that showed it complete gave them."""
        with self._lock:
            self._outputs[stack] = dict(outputs)

    def __call__(self, value: Value) -> str:
        match value:
            case str():
                return value
            case StackOutput():
                return self._stack_output(value)
            case FlowArn():
                if not value.stack:
                    raise DeployError(f"flow {value.flow} ({value.region}): no ARN to find it by")
                return self._stack_output(StackOutput(value.stack, value.region, value.key))
            case FlowSourceArn() | FlowOutputArn() | InterfaceAddress():
                return self._from_flow(value)
            case _:
                assert_never(value)

    def _from_flow(self, value: FlowSourceArn | FlowOutputArn | InterfaceAddress) -> str:
        flow = describe_flow(self.gateway, value.region, self(value.flow_arn))
        if flow is None:
            raise DeployError(f"flow {value.flow} ({value.region}) does not exist")
        match value:
            case FlowSourceArn():
                if flow.source is None:
                    raise DeployError(f"flow {value.flow} has no source")
                return flow.source.arn
            case FlowOutputArn():
                out = flow.output(value.output)
                if out is None:
                    raise DeployError(f"flow {value.flow} has no output {value.output}")
                return out.arn
            case InterfaceAddress():
                vpc = flow.vpc_interface(value.vpc_interface)
                ids = vpc.network_interface_ids[:1] if vpc else ()
                address = (
                    network_interface_addresses(self.gateway, value.region, ids).get(ids[0]) if ids else None
                )
                if not address:
                    raise DeployError(
                        f"flow {value.flow}: VPC interface {value.vpc_interface} has no private IP"
                    )
                return address
            case _:
                assert_never(value)

    def _stack_output(self, ref: StackOutput) -> str:
        with self._lock:
            known = self._outputs.get(ref.stack)
        if known is None:
            described = describe_stack(self.gateway, ref.region, ref.stack)
            if described is None:
                raise DeployError(f"stack {ref.stack} ({ref.region}) does not exist")
            known = stack_outputs(described)
            with self._lock:
                self._outputs[ref.stack] = known
        if ref.key not in known:
            raise DeployError(f"stack {ref.stack} has no output {ref.key}")
        return known[ref.key]


__all__ = ["Resolver"]
