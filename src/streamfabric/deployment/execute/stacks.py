"""CloudFormation stacks through change sets, via the gateway: create or update, delete, and the
failure events of a stack (with their reasons) when something goes wrong.

A change set that turns out to contain no changes is deleted, never executed. Waits are boto3
waiters (``change_set_create_complete``, ``stack_create_complete``, ...).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...aws.gateway import AwsGateway
from ...aws.waiters import wait
from ...errors import AwsError, DeployError
from ..observed import ResourceChange
from ..plan.instructions import DeployStack
from ..reads import CHANGE_SET_PREFIX

STACK_DELAY, STACK_ATTEMPTS = 5.0, 720  # up to an hour: flows and peering take minutes
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")

Status = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class StackEvent:
    timestamp: str
    logical_id: str
    resource_type: str
    status: str
    reason: str

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason or '-'}"


class StackFailed(DeployError):
    """A stack operation failed; ``events`` are the stack's failure events, with their reasons."""

    kind = "stack_failed"

    def __init__(self, stack: str, message: str, events: Sequence[StackEvent] = ()) -> None:
        self.stack = stack
        self.events = tuple(events)
        lines = [f"stack {stack}: {message}"] + [f"  {event}" for event in self.events]
        super().__init__("\n".join(lines))


def failure_events(gateway: AwsGateway, region: str, stack: str, since: datetime | None) -> list[StackEvent]:
    """The stack's events with a FAILED status (or a reason) since ``since``, oldest first."""
    try:
        pages = list(gateway.paginate("cloudformation", region, "describe_stack_events", StackName=stack))
    except AwsError:
        return []
    events: list[StackEvent] = []
    for page in pages:
        for raw in page.get("StackEvents") or ():
            stamp = raw.get("Timestamp")
            if since is not None and isinstance(stamp, datetime) and stamp < since:
                continue
            status = str(raw.get("ResourceStatus", ""))
            reason = str(raw.get("ResourceStatusReason") or "")
            if "FAILED" in status or (reason and "ROLLBACK" in status):
                events.append(
                    StackEvent(
                        str(stamp or ""),
                        str(raw.get("LogicalResourceId", "")),
                        str(raw.get("ResourceType", "")),
                        status,
                        reason,
                    )
                )
    return list(reversed(events))


def delete_change_set(gateway: AwsGateway, region: str, stack: str, name: str) -> None:
    try:
        gateway.call("cloudformation", region, "delete_change_set", StackName=stack, ChangeSetName=name)
    except AwsError as exc:
        if exc.code not in ("ChangeSetNotFound", "ChangeSetNotFoundException", "ValidationError"):
            raise


def new_change_set_name() -> str:
    return f"{CHANGE_SET_PREFIX}{uuid.uuid4().hex[:12]}"


def change_set_request(
    step: DeployStack, parameters: Sequence[tuple[str, str]], change_set: str
) -> dict[str, Any]:
    """CreateChangeSet's arguments for ``step`` (deploy executes it; ``plan`` only describes it)."""
    return {
        "StackName": step.stack,
        "ChangeSetName": change_set,
        "ChangeSetType": step.change_set_type,
        "TemplateBody": step.template_body,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters],
        "Capabilities": list(step.capabilities),
        "Tags": [{"Key": k, "Value": v} for k, v in step.tags],
        "Description": f"streamfabric: {step.reason}"[:1024] if step.reason else "streamfabric",
    }


def create_change_set(
    gateway: AwsGateway, step: DeployStack, parameters: Sequence[tuple[str, str]], name: str
) -> str | None:
    """Create change set ``name`` for ``step`` and wait until CloudFormation has computed it: ``None``
    when it is ready to execute, else CloudFormation's reason it failed (:func:`has_no_changes` tells
    "nothing to change" apart). Deploy and ``streamfabric plan`` share it, so plan asks exactly what
    deploy would."""
    region, stack = step.region, step.stack
    gateway.call("cloudformation", region, "create_change_set", **change_set_request(step, parameters, name))
    try:
        wait(
            gateway,
            "cloudformation",
            region,
            "change_set_create_complete",
            StackName=stack,
            ChangeSetName=name,
            delay=2,
            max_attempts=300,
        )
    except AwsError as exc:
        described = gateway.call(
            "cloudformation", region, "describe_change_set", StackName=stack, ChangeSetName=name
        )
        return str(described.get("StatusReason") or exc)
    return None


def resource_changes(described: Mapping[str, Any]) -> tuple[ResourceChange, ...]:
    changes = []
    for change in described.get("Changes") or ():
        rc = change.get("ResourceChange") or {}
        changes.append(
            ResourceChange(
                logical_id=str(rc.get("LogicalResourceId", "")),
                resource_type=str(rc.get("ResourceType", "")),
                action=str(rc.get("Action", "")),
                replacement=str(rc.get("Replacement") or ""),
                physical_id=str(rc.get("PhysicalResourceId") or ""),
                scope=tuple(str(s) for s in rc.get("Scope") or ()),
                targets=tuple(
                    (
                        str((d.get("Target") or {}).get("Attribute", "")),
                        str((d.get("Target") or {}).get("Name") or ""),
                        str((d.get("Target") or {}).get("RequiresRecreation") or ""),
                    )
                    for d in rc.get("Details") or ()
                ),
            )
        )
    return tuple(sorted(changes, key=lambda c: c.logical_id))


def describe_all(gateway: AwsGateway, region: str, stack: str, change_set: str) -> dict[str, Any]:
    """DescribeChangeSet, every page of ``Changes`` (it paginates with NextToken)."""
    params: dict[str, Any] = {"StackName": stack, "ChangeSetName": change_set}
    described = gateway.call("cloudformation", region, "describe_change_set", **params)
    changes = list(described.get("Changes") or ())
    while described.get("NextToken"):
        described = gateway.call(
            "cloudformation", region, "describe_change_set", **params, NextToken=described["NextToken"]
        )
        changes.extend(described.get("Changes") or ())
    return {**described, "Changes": changes}


def has_no_changes(reason: str) -> bool:
    """Whether a failed change set's reason is CloudFormation's "no changes" (not an error)."""
    return any(marker in reason for marker in NO_CHANGES)


Gate = Callable[[DeployStack, tuple[ResourceChange, ...]], None]


def deploy_stack(
    gateway: AwsGateway,
    step: DeployStack,
    parameters: Sequence[tuple[str, str]],
    status: Status,
    *,
    gate: Gate | None = None,
) -> str:
    """Run ``step``: returns ``created``, ``updated`` or ``unchanged``. With ``step.change_set``
    (reviewed before the deploy: its changes were judged then), that change set is executed;
    otherwise one is created here and ``gate`` judges CloudFormation's answer before it is
    executed (it raises to refuse; the change set is deleted then)."""
    region, stack = step.region, step.stack
    change_set = step.change_set
    if not change_set:
        if step.replace:
            delete_stack(gateway, region, stack, status)
        for stale in step.stale_change_sets:
            delete_change_set(gateway, region, stack, stale)
        change_set = new_change_set_name()
        status("creating change set")
        reason = create_change_set(gateway, step, parameters, change_set)
        if reason is not None:
            if has_no_changes(reason):
                delete_change_set(gateway, region, stack, change_set)
                status("no changes")
                return "unchanged"
            raise StackFailed(stack, f"change set {change_set} failed: {reason}")
    else:
        for stale in step.stale_change_sets:
            delete_change_set(gateway, region, stack, stale)
    since: datetime | None = None
    if step.change_set_type == "UPDATE" or gate is not None:
        described = describe_all(gateway, region, stack, change_set)
        if step.change_set_type == "UPDATE" and not described.get("Changes") and not step.execute_empty:
            delete_change_set(gateway, region, stack, change_set)
            status("no changes")
            return "unchanged"
        if gate is not None and not step.change_set:
            try:
                gate(step, resource_changes(described))
            except BaseException:
                delete_change_set(gateway, region, stack, change_set)
                raise
        created = described.get("CreationTime")
        since = created if isinstance(created, datetime) else None
    status("executing change set")
    try:
        gateway.call(
            "cloudformation", region, "execute_change_set", StackName=stack, ChangeSetName=change_set
        )
        waiter = "stack_create_complete" if step.change_set_type == "CREATE" else "stack_update_complete"
        wait(
            gateway,
            "cloudformation",
            region,
            waiter,
            StackName=stack,
            delay=STACK_DELAY,
            max_attempts=STACK_ATTEMPTS,
        )
    except AwsError as exc:
        raise StackFailed(stack, str(exc), failure_events(gateway, region, stack, since)) from exc
    return "created" if step.change_set_type == "CREATE" else "updated"


def delete_stack(gateway: AwsGateway, region: str, stack: str, status: Status) -> None:
    status("deleting")
    try:
        gateway.call("cloudformation", region, "delete_stack", StackName=stack)
        wait(
            gateway,
            "cloudformation",
            region,
            "stack_delete_complete",
            StackName=stack,
            delay=STACK_DELAY,
            max_attempts=STACK_ATTEMPTS,
        )
    except AwsError as exc:
        raise StackFailed(
            stack, f"could not be deleted: {exc}", failure_events(gateway, region, stack, None)
        ) from exc


__all__ = [
    "NO_CHANGES",
    "StackEvent",
    "StackFailed",
    "change_set_request",
    "create_change_set",
    "delete_change_set",
    "delete_stack",
    "deploy_stack",
    "describe_all",
    "failure_events",
    "has_no_changes",
    "new_change_set_name",
    "resource_changes",
]
