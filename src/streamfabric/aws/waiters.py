"""Waiters boto3 does not ship, built from botocore waiter models (no sleep loops anywhere).

* ``stack_settled``: a stack is in no ``*_IN_PROGRESS`` state (or gone);
* ``flow_settled``: a flow is ACTIVE or STANDBY (after an update, which may pass through UPDATING).
  With ``expect_source`` (after an UpdateFlowSource) it also requires that source, found by its ARN,
  to show the requested values: UpdateFlowSource answers 202 Accepted (MediaConnect API Reference,
  UpdateFlowSource) and nothing promises the next DescribeFlow already shows UPDATING, so an
  ACTIVE flow still showing the previous source is not "settled".

They run on the gateway's clients and honour its ``waiter_delay`` (tests: 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.waiter import WaiterModel, create_waiter_with_client

from .gateway import AwsGateway

_STACK_DONE = (
    "CREATE_COMPLETE",
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "DELETE_COMPLETE",
    "DELETE_FAILED",
    "UPDATE_COMPLETE",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
    "IMPORT_ROLLBACK_FAILED",
    "REVIEW_IN_PROGRESS",
)

_FLOW_SETTLED: dict[str, Any] = {
    "operation": "DescribeFlow",
    "delay": 3,
    "maxAttempts": 100,
    "acceptors": [
        {"matcher": "path", "argument": "Flow.Status", "expected": "ACTIVE", "state": "success"},
        {"matcher": "path", "argument": "Flow.Status", "expected": "STANDBY", "state": "success"},
        {"matcher": "path", "argument": "Flow.Status", "expected": "ERROR", "state": "failure"},
        {"matcher": "error", "expected": "InternalServerErrorException", "state": "retry"},
        {"matcher": "error", "expected": "ServiceUnavailableException", "state": "retry"},
    ],
}

_MODEL = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "StackSettled": {
                "operation": "DescribeStacks",
                "delay": 10,
                "maxAttempts": 360,
                "acceptors": [
                    *(
                        {
                            "matcher": "pathAll",
                            "argument": "Stacks[].StackStatus",
                            "expected": s,
                            "state": "success",
                        }
                        for s in _STACK_DONE
                    ),
                    {"matcher": "error", "expected": "ValidationError", "state": "success"},
                ],
            },
            "FlowSettled": _FLOW_SETTLED,
        },
    }
)
_CUSTOM = {
    "stack_settled": ("cloudformation", "StackSettled"),
    "flow_settled": ("mediaconnect", "FlowSettled"),
}


# UpdateFlowSource request members -> where DescribeFlow shows them on the Source (botocore's model)
_SOURCE_PATHS = {
    "Protocol": "Transport.Protocol",
    "SourceListenerAddress": "Transport.SourceListenerAddress",
    "SourceListenerPort": "Transport.SourceListenerPort",
    "IngestPort": "IngestPort",
    "WhitelistCidr": "WhitelistCidr",
    "VpcInterfaceName": "VpcInterfaceName",
}


def source_expectation(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """What DescribeFlow must show once an UpdateFlowSource with ``params`` is applied."""
    if "SourceArn" not in params:
        return None
    wanted = {
        path: params[member]
        for member, path in _SOURCE_PATHS.items()
        if member in params and params[member] not in ("", None)
    }
    return {"SourceArn": params["SourceArn"], **wanted} if wanted else None


def _literal(value: Any) -> str:
    text = str(value)
    if any(c in text for c in "'`\\"):
        raise ValueError(f"cannot wait for {text!r}: quote in a JMESPath literal")
    return f"`{int(value)}`" if isinstance(value, int) else f"'{text}'"


def _settled_with_source(expect: Mapping[str, Any]) -> WaiterModel:
    conditions = " && ".join(f"{path} == {_literal(value)}" for path, value in expect.items())
    # that source (by ARN; in Sources, or the flow's Source) shows every requested value
    applied = f"length(Flow.Sources[?{conditions}] || [Flow.Source][?{conditions}]) > `0`"
    acceptors: list[dict[str, Any]] = [
        {"matcher": "path", "argument": f"Flow.Status == '{status}' && {applied}", "expected": True,
         "state": "success"}
        for status in ("ACTIVE", "STANDBY")
    ]  # fmt: skip
    acceptors += [a for a in _FLOW_SETTLED["acceptors"] if a["state"] != "success"]
    flow_settled = {**_FLOW_SETTLED, "acceptors": acceptors}
    return WaiterModel({"version": 2, "waiters": {"FlowSettled": flow_settled}})


def wait(
    gateway: AwsGateway,
    service: str,
    region: str,
    waiter: str,
    *,
    delay: float = 5,
    max_attempts: int = 120,
    expect_source: Mapping[str, Any] | None = None,
    **params: Any,
) -> None:
    """Run a boto3 waiter, or one of the custom ones above, through the gateway's client.

    ``expect_source`` (``flow_settled`` only): see the module doc and :func:`source_expectation`."""
    if waiter not in _CUSTOM:
        gateway.wait(service, region, waiter, delay=delay, max_attempts=max_attempts, **params)
        return
    custom_service, name = _CUSTOM[waiter]
    client = gateway.client(custom_service, region)
    model = _settled_with_source(expect_source) if expect_source and waiter == "flow_settled" else _MODEL
    w = create_waiter_with_client(name, model, client)
    gateway.run_waiter(w, custom_service, waiter, delay=delay, max_attempts=max_attempts, **params)


__all__ = ["source_expectation", "wait"]
