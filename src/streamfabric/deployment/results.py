"""What deploy, destroy and plan return: plain data the CLI formats (text or ``--json``).

``plan``'s previews are CloudFormation's own answer per resource, as ``DescribeChangeSet`` gives it
(CloudFormation API Reference, ``ResourceChange``: ``Action`` is ``Add | Modify | Remove | Import |
Dynamic``, ``Replacement`` is ``True | False | Conditional``, "Conditional": replaced only if a
property whose update behaviour depends on its value changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..state.runtime import RuntimeState
from .api_code import ApiCode
from .observed import ResourceChange
from .plan.guard import Interruption, summary, verdict_lines
from .plan.instructions import DeployStack, Instruction, Plan


@dataclass(frozen=True)
class DeployResult:
    plan: Plan  # as first planned (post-steps re-planned after stack changes are in ``executed``)
    executed: tuple[Instruction, ...] = ()
    state: RuntimeState | None = None
    state_uri: str = ""
    state_written: bool = False
    dry_run: bool = False
    cancelled: bool = False
    api_code: ApiCode | None = None  # the Lambda package shipped (None: the stack makes no function)
    api_uploaded: bool = False
    api: Mapping[str, str] | None = None  # the control API stack's URLs (api_url, panel_url)
    interruptions: tuple[Interruption, ...] = ()


@dataclass(frozen=True)
class DestroyResult:
    plan: Plan
    executed: tuple[Instruction, ...] = ()
    dry_run: bool = False
    cancelled: bool = False


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
    interruptions: tuple[Interruption, ...] = ()  # the on-air verdict, as deploy would give it

    @property
    def changes(self) -> bool:
        """Whether a deploy would change anything (Terraform's "changes present")."""
        return not self.plan.empty

    def post_steps(self) -> list[str]:
        return [step.describe() for step in self.plan.phase("post-steps").steps]

    def others(self) -> list[str]:
        """The plan's instructions that are not a stack's change set (retire, the control API's
        package, clean-up), as deploy would run them."""
        return [
            step.describe()
            for phase in self.plan.phases
            if phase.name != "post-steps"
            for step in phase.steps
            if not isinstance(step, DeployStack)
        ]

    def lines(self) -> list[str]:
        out: list[str] = list(self.others())
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
        return [*(out or ["nothing to change"]), *verdict_lines(self.interruptions, allowed=False)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": self.changes,
            "stacks": [s.to_dict() for s in self.stacks],
            "post_steps": self.post_steps(),
            "other_steps": self.others(),
            "notes": list(self.plan.notes),
            "interruptions": summary(self.interruptions),
            "would_refuse": bool(self.interruptions),
        }


__all__ = ["DeployResult", "DestroyResult", "PlanPreview", "ResourceChange", "StackPreview"]
