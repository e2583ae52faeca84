"""CloudFormation's own answer before anything changes: for every stack instruction of a plan whose
parameters are known now, a change set created exactly as deploy creates it
(:func:`.stacks.create_change_set`) and described. The on-air guard judges those answers; deploy then
executes the very change sets it judged; ``plan`` and ``deploy --dry-run`` discard them (and the
stack a CREATE change set makes), leaving nothing behind.

What AWS documents and this relies on (CloudFormation API Reference): ``CreateChangeSet`` with
``ChangeSetType=CREATE`` creates the stack with status ``REVIEW_IN_PROGRESS``; ``DeleteChangeSet``
leaves that stack, which ``DeleteStack`` removes; a change set without changes fails with a
``StatusReason`` saying it "didn't contain changes"; ``DescribeChangeSet`` pages ``Changes`` with
``NextToken``; each ``ResourceChange`` has ``Action``, ``Replacement`` and ``Details`` (the
properties it changes). A stack whose parameters come from a stack this deploy changes first (the
flows of a CloudFormation network being updated) cannot be asked yet: its change set is created when
its turn comes, and the guard judges it then, before it is executed (:class:`.executor.Executor`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ...aws.gateway import AwsGateway
from ...errors import AwsError, DeployError
from ..observed import ResourceChange
from ..plan.instructions import DeployStack, Instruction, Phase, Plan
from ..reads import parallel
from ..results import StackPreview
from .stacks import (
    create_change_set,
    delete_change_set,
    describe_all,
    has_no_changes,
    new_change_set_name,
    resource_changes,
)


@dataclass(frozen=True, slots=True)
class Review:
    """A stack instruction's change set as CloudFormation answered it, or why it was not asked."""

    stack: str
    region: str
    change_set_type: str
    reviewed: bool = True
    change_set: str = ""  # a change set ready to execute ("" none: no changes, or not reviewed)
    changes: tuple[ResourceChange, ...] = ()
    note: str = ""
    made_stack: bool = False  # the CREATE change set made the (REVIEW_IN_PROGRESS) stack

    def preview(self) -> StackPreview:
        return StackPreview(
            self.stack, self.region, self.change_set_type, self.changes, self.note, previewed=self.reviewed
        )


Reviews = Mapping[str, Review]


def _unreviewable(step: DeployStack) -> str:
    if step.replace:
        return "failed creation: deploy deletes it and creates it again"
    pending = [key for key, value in step.parameters if not isinstance(value, str)]
    if pending:
        return (
            "previewed once what it depends on exists (parameters "
            + ", ".join(f"{key} = {dict(step.parameters)[key]}" for key in pending)
            + " come from stacks this deploy changes first; CloudFormation's answer is judged "
            "before it is executed)"
        )
    return ""


def review_stack(gateway: AwsGateway, step: DeployStack) -> Review:
    why = _unreviewable(step)
    if why:
        return Review(step.stack, step.region, step.change_set_type, reviewed=False, note=why)
    region, stack = step.region, step.stack
    name = new_change_set_name()
    made = step.change_set_type == "CREATE"
    parameters = [(key, str(value)) for key, value in step.parameters]
    reason = create_change_set(gateway, step, parameters, name)
    if reason is not None:
        delete_change_set(gateway, region, stack, name)
        if made:
            _delete_review_stack(gateway, region, stack)
        if has_no_changes(reason):
            return Review(stack, region, step.change_set_type, note="no changes")
        raise DeployError(f"stack {stack}: CloudFormation rejected the change set: {reason}")
    changes = resource_changes(describe_all(gateway, region, stack, name))
    return Review(
        stack,
        region,
        step.change_set_type,
        change_set=name,
        changes=changes,
        note="" if changes else "no changes",
        made_stack=made,
    )


def _delete_review_stack(gateway: AwsGateway, region: str, stack: str) -> None:
    with contextlib.suppress(AwsError):
        gateway.call("cloudformation", region, "delete_stack", StackName=stack)


def review(gateway: AwsGateway, plan: Plan) -> dict[str, Review]:
    """Every stack instruction of ``plan``, asked at once. If one cannot be asked, the change sets
    the others made are deleted again before the error is raised."""
    steps = [s for s in plan.phase("stacks").steps if isinstance(s, DeployStack)]

    def one(step: DeployStack) -> Review | BaseException:
        try:
            return review_stack(gateway, step)
        except Exception as exc:  # raised below, once the others are discarded
            return exc

    answers = parallel(one, steps)
    reviews = {a.stack: a for a in answers if isinstance(a, Review)}
    failed = [a for a in answers if not isinstance(a, Review)]
    if failed:
        discard(gateway, reviews)
        raise failed[0]
    return reviews


def discard(gateway: AwsGateway, reviews: Reviews, *, keep: frozenset[str] = frozenset()) -> None:
    """Delete the change sets reviewed (those of ``keep``, executed, stay), and the stacks their
    CREATE change sets made. Best effort: a change set left behind is deleted by the next deploy."""

    def one(item: Review) -> None:
        if not item.change_set or item.stack in keep:
            return
        with contextlib.suppress(AwsError):
            delete_change_set(gateway, item.region, item.stack, item.change_set)
        if item.made_stack:
            _delete_review_stack(gateway, item.region, item.stack)

    parallel(one, list(reviews.values()))


def with_reviews(plan: Plan, reviews: Reviews) -> Plan:
    """``plan`` with each reviewed stack instruction naming its change set (deploy executes it)."""

    def named(step: Instruction) -> Instruction:
        if isinstance(step, DeployStack) and step.stack in reviews and reviews[step.stack].change_set:
            return replace(step, change_set=reviews[step.stack].change_set)
        return step

    return replace(
        plan,
        phases=tuple(
            Phase(p.name, tuple(named(s) for s in p.steps)) if p.name == "stacks" else p for p in plan.phases
        ),
    )


__all__ = ["Review", "Reviews", "discard", "review", "review_stack", "with_reviews"]
