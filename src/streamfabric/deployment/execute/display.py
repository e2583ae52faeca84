"""``--dry-run``: the display-only executor shows a plan and calls nothing (chalice's
``DisplayOnlyExecutor``): a dry run differs from a deploy by its executor alone."""

from __future__ import annotations

from ..plan.instructions import Instruction, Plan
from ..progress import NullReporter, Reporter


class DisplayOnlyExecutor:
    """Shows the plan, calls nothing."""

    def __init__(self, reporter: Reporter | None = None) -> None:
        self.reporter: Reporter = reporter or NullReporter()

    def execute(self, plan: Plan) -> tuple[Instruction, ...]:
        self.reporter.plan(plan, dry_run=True)
        return ()


__all__ = ["DisplayOnlyExecutor"]
