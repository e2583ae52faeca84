"""Waiters boto3 does not ship, built from botocore waiter models (no sleep loops anywhere).

* ``stack_settled``: a stack is in no ``*_IN_PROGRESS`` state (or gone);
* ``flow_settled``: a flow is ACTIVE or STANDBY (after an update, which may pass through UPDATING).

They run on the gateway's clients and honour its ``waiter_delay`` (tests: 0).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, WaiterError
from botocore.waiter import WaiterModel, create_waiter_with_client

from ..aws.errors import to_aws_error
from ..aws.gateway import AwsGateway
from ..errors import AwsError

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
            "FlowSettled": {
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
            },
        },
    }
)
_CUSTOM = {
    "stack_settled": ("cloudformation", "StackSettled"),
    "flow_settled": ("mediaconnect", "FlowSettled"),
}


def wait(
    gateway: AwsGateway,
    service: str,
    region: str,
    waiter: str,
    *,
    delay: float = 5,
    max_attempts: int = 120,
    **params: Any,
) -> None:
    """Run a boto3 waiter, or one of the custom ones above, through the gateway's client."""
    if waiter not in _CUSTOM:
        gateway.wait(service, region, waiter, delay=delay, max_attempts=max_attempts, **params)
        return
    custom_service, name = _CUSTOM[waiter]
    client = gateway.client(custom_service, region)
    w = create_waiter_with_client(name, _MODEL, client)
    if gateway.waiter_delay is not None:
        delay = gateway.waiter_delay
    try:
        w.wait(WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts}, **params)
    except WaiterError as exc:
        reason = exc.last_response.get("Error", {}).get("Message") if exc.last_response else None
        raise AwsError(f"{custom_service} waiter {waiter} failed: {reason or exc}", operation=waiter) from exc
    except ClientError as exc:
        raise to_aws_error(exc, f"{custom_service}.{waiter}") from exc


__all__ = ["wait"]
