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
from typing import Any

import yaml

from ...aws.gateway import AwsGateway
from ...errors import AwsError, DeployError
from ..observed import RemoteState, ResourceChange, StackState
from ..plan.instructions import DeployStack, Instruction, Phase, Plan
from ..plan.values import StackOutput, Value
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
    parameters: tuple[tuple[str, str], ...] = ()  # the values it was asked with

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
    """CloudFormation's answer for ``step`` (whose parameters must all be known)."""
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
        parameters=tuple(parameters),
    )


class _TaggedLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form intrinsics as ``(tag, argument)``, so that two outputs
    compare equal only when they name the same resource and attribute."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return (suffix, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return (suffix, tuple(loader.construct_sequence(node, deep=True)))
    return (suffix, repr(loader.construct_mapping(node, deep=True)))  # type: ignore[arg-type]


_TaggedLoader.add_multi_constructor("!", _tagged)


def template_outputs_of(body: str | None) -> dict[str, Any]:
    """A template's ``Outputs`` (intrinsics kept), {} when it has none or does not parse."""
    if not body:
        return {}
    try:
        doc = yaml.load(body, Loader=_TaggedLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        return {}
    outputs = doc.get("Outputs") if isinstance(doc, dict) else None
    return outputs if isinstance(outputs, dict) else {}


def _keeps_outputs(upstream: Review | None, deployed: StackState | None, new_template: str, key: str) -> bool:
    """Whether the output ``key`` of a stack this deploy changes keeps the value it has now: the
    stack is deployed with that output, CloudFormation's answer for it adds, removes and replaces
    nothing (an output is a resource's physical id or attribute: an update in place keeps the id),
    and the output is defined as it was."""
    if upstream is None or deployed is None or not upstream.reviewed or key not in deployed.outputs:
        return False
    if any(c.action != "Modify" or c.replacement in ("True", "Conditional") for c in upstream.changes):
        return False
    before = template_outputs_of(deployed.template_body).get(key)
    after = template_outputs_of(new_template).get(key)
    return before is not None and before == after


def _with_known_outputs(
    step: DeployStack, reviews: Mapping[str, Review], remote: RemoteState, bodies: Mapping[str, str]
) -> DeployStack | None:
    """``step`` with its stack-output parameters filled in from the stacks as deployed, when each of
    those stacks keeps that output through this deploy (:func:`_keeps_outputs`); None otherwise."""
    filled: list[tuple[str, Value]] = []
    for key, value in step.parameters:
        if isinstance(value, str):
            filled.append((key, value))
            continue
        if not isinstance(value, StackOutput) or value.stack not in bodies:
            return None
        deployed = remote.stack(value.stack)
        if not _keeps_outputs(reviews.get(value.stack), deployed, bodies[value.stack], value.key):
            return None
        assert deployed is not None
        filled.append((key, deployed.outputs[value.key]))
    return replace(step, parameters=tuple(filled))


def _delete_review_stack(gateway: AwsGateway, region: str, stack: str) -> None:
    """Delete the stack a CREATE change set made, only while it is still REVIEW_IN_PROGRESS (a stack
    that holds nothing: "a stack with an expected StackStatus of REVIEW_IN_PROGRESS", CloudFormation
    API Reference, CreateChangeSet). Once its change set was executed the stack holds the flows:
    a deploy that failed after executing it (whatever it believes it executed) never deletes it."""
    with contextlib.suppress(AwsError):
        stacks = gateway.call("cloudformation", region, "describe_stacks", StackName=stack)["Stacks"]
        if not stacks or stacks[0].get("StackStatus") != "REVIEW_IN_PROGRESS":
            return
        gateway.call("cloudformation", region, "delete_stack", StackName=stack)


def review(gateway: AwsGateway, plan: Plan, remote: RemoteState | None = None) -> dict[str, Review]:
    """Every stack instruction of ``plan``, asked at once; then (given ``remote``) those whose
    parameters come from stacks this deploy changes but whose outputs CloudFormation's answers show
    unchanged (a tag or description edit of the network), asked with today's values. If one cannot
    be asked, the change sets the others made are deleted again before the error is raised."""
    steps = [s for s in plan.phase("stacks").steps if isinstance(s, DeployStack)]

    def one(step: DeployStack) -> Review | BaseException:
        try:
            return review_stack(gateway, step)
        except Exception as exc:  # raised below, once the others are discarded
            return exc

    reviews: dict[str, Review] = {}
    pending = steps
    bodies = {s.stack: s.template_body for s in steps}  # the new templates, by stack
    for _ in range(len(steps)):  # a round per level of stacks feeding stacks
        answers = parallel(one, pending)
        reviews.update({a.stack: a for a in answers if isinstance(a, Review)})
        failed = [a for a in answers if not isinstance(a, Review)]
        if failed:
            discard(gateway, reviews)
            raise failed[0]
        if remote is None:
            break
        known = [
            (step, filled)
            for step in pending
            if not reviews[step.stack].reviewed and not step.replace
            for filled in [_with_known_outputs(step, reviews, remote, bodies)]
            if filled is not None
        ]
        if not known:
            break
        pending = [filled for _, filled in known]
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
            done = reviews[step.stack]
            return replace(step, change_set=done.change_set, reviewed_parameters=done.parameters)
        return step

    return replace(
        plan,
        phases=tuple(
            Phase(p.name, tuple(named(s) for s in p.steps)) if p.name == "stacks" else p for p in plan.phases
        ),
    )


__all__ = ["Review", "Reviews", "discard", "review", "review_stack", "with_reviews"]
