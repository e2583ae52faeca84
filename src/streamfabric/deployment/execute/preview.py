"""``streamfabric plan``'s executor: for every stack instruction of a deploy plan, CloudFormation's
own answer, through a change set created exactly as deploy creates it (:func:`.stacks.create_change_set`,
parameters resolved as the executor resolves them), described, and deleted; a stack that did not
exist before (a CREATE change set leaves it in ``REVIEW_IN_PROGRESS``) is deleted too. Nothing is
executed; every change set (and stack) it creates is deleted again.

What AWS documents and this relies on (CloudFormation API Reference): ``CreateChangeSet`` with
``ChangeSetType=CREATE`` creates the stack with status ``REVIEW_IN_PROGRESS``; ``DeleteChangeSet``
leaves that stack, which ``DeleteStack`` removes; a change set without changes fails with a
``StatusReason`` saying it "didn't contain changes"; ``DescribeChangeSet`` pages ``Changes`` with
``NextToken``. A stack whose parameters come from a stack that does not exist yet (the flows of a
brand-new CloudFormation network) cannot be previewed: it is listed with the reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...aws.gateway import AwsGateway
from ...errors import DeployError
from ..plan.instructions import DeployStack, Plan
from ..reads import parallel
from ..results import ResourceChange, StackPreview
from .resolver import Resolver
from .stacks import create_change_set, delete_change_set, has_no_changes, new_change_set_name


def _resource_changes(described: Mapping[str, Any]) -> tuple[ResourceChange, ...]:
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
            )
        )
    return tuple(sorted(changes, key=lambda c: c.logical_id))


def _describe_all(gateway: AwsGateway, region: str, stack: str, change_set: str) -> dict[str, Any]:
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


def _parameters(step: DeployStack, resolve: Resolver) -> list[tuple[str, str]] | StackPreview:
    """The stack's parameters as deploy would pass them, or why they cannot be known yet."""
    if step.replace:
        return StackPreview(
            step.stack,
            step.region,
            step.change_set_type,
            note="failed creation: deploy deletes it and creates it again",
            previewed=False,
        )
    try:
        return [(key, resolve(value)) for key, value in step.parameters]
    except DeployError as exc:
        return StackPreview(
            step.stack,
            step.region,
            step.change_set_type,
            note=f"previewed once what it depends on exists ({exc})",
            previewed=False,
        )


def preview_stack(
    gateway: AwsGateway, step: DeployStack, parameters: list[tuple[str, str]] | StackPreview
) -> StackPreview:
    """Create ``step``'s change set, describe it, delete it (and the empty stack a CREATE leaves)."""
    if isinstance(parameters, StackPreview):
        return parameters
    region, stack = step.region, step.stack
    name = new_change_set_name()
    reason = create_change_set(gateway, step, parameters, name)
    try:
        if reason is not None:
            if has_no_changes(reason):
                return StackPreview(stack, region, step.change_set_type, note="no changes")
            raise DeployError(f"stack {stack}: CloudFormation rejected the change set: {reason}")
        changes = _resource_changes(_describe_all(gateway, region, stack, name))
        return StackPreview(
            stack, region, step.change_set_type, changes, note="" if changes else "no changes"
        )
    finally:
        delete_change_set(gateway, region, stack, name)
        if step.change_set_type == "CREATE":
            gateway.call("cloudformation", region, "delete_stack", StackName=stack)


class PreviewExecutor:
    """Asks CloudFormation about every stack instruction of a plan; changes nothing."""

    def __init__(self, gateway: AwsGateway) -> None:
        self.gateway = gateway

    def execute(self, plan: Plan) -> tuple[StackPreview, ...]:
        steps = [s for s in plan.phase("stacks").steps if isinstance(s, DeployStack)]
        # Every parameter is resolved before any change set exists: a CREATE change set makes a
        # stack (REVIEW_IN_PROGRESS) that a concurrent resolution would otherwise see without its
        # outputs.
        resolve = Resolver(self.gateway)
        resolved = [(step, _parameters(step, resolve)) for step in steps]
        return tuple(parallel(lambda item: preview_stack(self.gateway, *item), resolved))


__all__ = ["PreviewExecutor", "preview_stack"]
