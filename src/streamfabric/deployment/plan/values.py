"""Values in a plan that are not known when it is made, resolved by the executor when it runs.

A fresh deploy plans its post-steps before the flows exist: their ARNs, the network ids in a
network stack still to be created and the private IP of an ingest's VPC interface still to be
added are references here. Everything the planner can observe is a plain string instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StackOutput:
    """The output ``key`` of stack ``stack`` (in ``region``)."""

    stack: str
    region: str
    key: str

    def __str__(self) -> str:
        return f"<{self.stack}.{self.key}>"


@dataclass(frozen=True, slots=True)
class FlowArn:
    """The ARN of the flow named ``flow`` in ``region``: the output ``key`` of its flows stack
    ``stack`` (MediaConnect allows several flows with one name: a flow is never found by name)."""

    region: str
    flow: str
    stack: str = ""
    key: str = ""

    def __str__(self) -> str:
        return f"<{self.flow}>"


@dataclass(frozen=True, slots=True)
class FlowSourceArn:
    """The ARN of the (first) source of flow ``flow``, whose ARN is ``flow_arn``."""

    region: str
    flow: str
    flow_arn: FlowArn | str

    def __str__(self) -> str:
        return f"<{self.flow} source>"


@dataclass(frozen=True, slots=True)
class FlowOutputArn:
    """The ARN of output ``output`` of flow ``flow``, whose ARN is ``flow_arn``."""

    region: str
    flow: str
    output: str
    flow_arn: FlowArn | str

    def __str__(self) -> str:
        return f"<{self.flow} output {self.output}>"


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    """The private IP of VPC interface ``vpc_interface`` of flow ``flow`` (its ENI's address);
    ``flow_arn`` is the flow's ARN (a flow is found by ARN, never by name)."""

    region: str
    flow: str
    vpc_interface: str
    flow_arn: FlowArn | str

    def __str__(self) -> str:
        return f"<IP of {self.flow} {self.vpc_interface}>"


Ref = StackOutput | FlowArn | FlowSourceArn | FlowOutputArn | InterfaceAddress
Value = str | Ref


def show(value: Value) -> str:
    return value if isinstance(value, str) else str(value)


__all__ = [
    "FlowArn",
    "FlowOutputArn",
    "FlowSourceArn",
    "InterfaceAddress",
    "Ref",
    "StackOutput",
    "Value",
    "show",
]
