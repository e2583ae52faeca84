"""``plan``: what CloudFormation itself says a deploy would do, resource by resource, then nothing.

For every stack the deploy plan would create or update, a change set is created exactly as deploy
creates it (:func:`.stacks.change_set_request`, parameters resolved by the executor's
:class:`.executor.Resolver`), described, and deleted; a stack that did not exist before (a CREATE
change set leaves it in ``REVIEW_IN_PROGRESS``) is deleted too. The post-steps are the deploy
plan's own, planned against the flows as they are now.

What AWS documents and this relies on:
- CloudFormation API Reference, ``DescribeChangeSet`` / ``ResourceChange``: ``Action`` is
  ``Add | Modify | Remove | Import | Dynamic``, ``Replacement`` is ``True | False | Conditional``
  ("Conditional": replaced only if a property whose update behaviour depends on its value changes).
- ``CreateChangeSet`` with ``ChangeSetType=CREATE`` creates the stack with status
  ``REVIEW_IN_PROGRESS``; ``DeleteChangeSet`` leaves that stack, which ``DeleteStack`` removes.
- A change set without changes fails with a ``StatusReason`` saying it "didn't contain changes".

A stack whose parameters come from a stack that does not exist yet (the flows of a brand-new
CloudFormation network) cannot be previewed: it is listed with the reason, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from ..aws.gateway import AwsGateway
from ..errors import DeployError
from ..topology.model import Topology
from .executor import Resolver
from .network import NetworkOutputs, load_terraform_outputs
from .plan import DeployStack, Plan
from .planner import plan_deploy
from .remote import parallel
from .stacks import _delete_change_set, create_change_set, has_no_changes, new_change_set_name
from .state import state_uri
from .workflow import NetworkMode, observe, rendered_stacks

SYMBOLS = {
    "add": "+",
    "modify": "~",
    "replace": "-/+",
    "replace?": "~/+",
    "remove": "-",
    "import": "<",
    "dynamic": "?",
}


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """One ``ResourceChange`` of a change set, as CloudFormation reported it."""

    logical_id: str
    resource_type: str
    action: str  # Add | Modify | Remove | Import | Dynamic
    replacement: str = ""  # True | False | Conditional (Modify only)
    physical_id: str = ""
    scope: tuple[str, ...] = ()

    @property
    def verb(self) -> str:
        """add / modify / replace / replace? (conditional) / remove."""
        if self.action == "Modify" and self.replacement == "True":
            return "replace"
        if self.action == "Modify" and self.replacement == "Conditional":
            return "replace?"
        return self.action.lower()

    def describe(self) -> str:
        scope = f" ({', '.join(self.scope)})" if self.scope else ""
        return (
            f"{SYMBOLS.get(self.verb, '?'):>3} {self.verb:<8} {self.logical_id} [{self.resource_type}]{scope}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "action": self.action,
            "replacement": self.replacement or None,
            "verb": self.verb,
            "physical_id": self.physical_id or None,
            "scope": list(self.scope),
        }


@dataclass(frozen=True, slots=True)
class StackPreview:
    stack: str
    region: str
    change_set_type: str  # CREATE | UPDATE
    changes: tuple[ResourceChange, ...] = ()
    note: str = ""  # why there is no answer from CloudFormation (or "no changes")
    previewed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "region": self.region,
            "type": self.change_set_type,
            "previewed": self.previewed,
            "note": self.note or None,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class PlanPreview:
    plan: Plan  # the deploy plan (stacks, then post-steps as planned now)
    stacks: tuple[StackPreview, ...] = field(default=())

    @property
    def changes(self) -> bool:
        """Whether a deploy would change anything (Terraform's "changes present")."""
        return not self.plan.empty

    def post_steps(self) -> list[str]:
        return [step.describe() for step in self.plan.phase("post-steps").steps]

    def lines(self) -> list[str]:
        out: list[str] = []
        for preview in self.stacks:
            verb = "create" if preview.change_set_type == "CREATE" else "update"
            out.append(
                f"{preview.stack} ({preview.region}): {verb}" + (f": {preview.note}" if preview.note else "")
            )
            out.extend(f"  {change.describe()}" for change in preview.changes)
        post = self.post_steps()
        if post:
            out.append(
                "post-steps (as planned against the flows now; planned again after the stacks change):"
            )
            out.extend(f"  {line}" for line in post)
        out.extend(self.plan.notes)
        return out or ["nothing to change"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": self.changes,
            "stacks": [s.to_dict() for s in self.stacks],
            "post_steps": self.post_steps(),
            "notes": list(self.plan.notes),
        }


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
        _delete_change_set(gateway, region, stack, name)
        if step.change_set_type == "CREATE":
            gateway.call("cloudformation", region, "delete_stack", StackName=stack)


def preview(
    model: Topology,
    *,
    network: NetworkMode = "terraform",
    network_outputs: str | Path | Mapping[str, Any] | NetworkOutputs | None = None,
    session: boto3.session.Session | None = None,
    gateway: AwsGateway | None = None,
    files: Mapping[str, str] | None = None,
) -> PlanPreview:
    """The deploy plan of ``model`` with CloudFormation's answer for each stack it would change.
    Leaves nothing behind: every change set (and stack) it creates is deleted."""
    terraform: NetworkOutputs | None = None
    if network == "terraform":
        if network_outputs is None:
            raise DeployError(
                "the network's outputs are needed: give --network-outputs FILE (`terraform output "
                "-json` of the rendered network) or plan the network too with --network cloudformation"
            )
        terraform = (
            network_outputs
            if isinstance(network_outputs, NetworkOutputs)
            else load_terraform_outputs(network_outputs, model)
        )
    gw = gateway or AwsGateway(session)
    specs = rendered_stacks(model, network, files)
    remote = observe(gw, model, specs, state_uri(model))
    plan = plan_deploy(model, specs, remote, network=terraform)
    steps = [s for s in plan.phase("stacks").steps if isinstance(s, DeployStack)]
    # Every parameter is resolved before any change set exists: a CREATE change set makes a stack
    # (REVIEW_IN_PROGRESS) that a concurrent resolution would otherwise see without its outputs.
    resolve = Resolver(gw)
    resolved = [(step, _parameters(step, resolve)) for step in steps]
    return PlanPreview(plan, tuple(parallel(lambda item: preview_stack(gw, *item), resolved)))


__all__ = ["PlanPreview", "ResourceChange", "StackPreview", "preview", "preview_stack"]
