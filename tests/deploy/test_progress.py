"""Reporters: plain lines off a terminal, lines updated in place on one."""

from __future__ import annotations

import io

from streamfabric.deployment.execute.stacks import StackEvent
from streamfabric.deployment.plan.instructions import DeleteStack, Phase, Plan, StartFlow
from streamfabric.deployment.progress import LiveReporter, PlainReporter, make_reporter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


STACK = DeleteStack(stack="festival-flows-eu-west-1", region="eu-west-1")
FLOW = StartFlow(region="eu-west-1", flow="festival-live", flow_arn="arn")
EVENT = StackEvent("t", "LiveFlow", "AWS::MediaConnect::Flow", "DELETE_FAILED", "Flow is running")


def test_make_reporter_picks_by_tty() -> None:
    assert type(make_reporter(Terminal())) is LiveReporter
    assert type(make_reporter(io.StringIO())) is PlainReporter


def test_plain_lines_once_per_status() -> None:
    out = io.StringIO()
    reporter = PlainReporter(out)
    reporter.plan(Plan((Phase("stacks", (STACK,)),)))
    reporter.phase(Phase("stacks", (STACK,)))
    for status in ("deleting", "DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_FAILED"):
        reporter.status(STACK, status)
    reporter.failed(STACK, "stack festival-flows-eu-west-1: could not be deleted\n  details", [EVENT])
    reporter.done(FLOW, "done")
    assert out.getvalue().splitlines() == [
        "plan:",
        "  stacks:",
        "    delete stack festival-flows-eu-west-1 (eu-west-1)",
        "== stacks",
        "festival-flows-eu-west-1: deleting",
        "festival-flows-eu-west-1: DELETE_IN_PROGRESS",
        "festival-flows-eu-west-1: DELETE_FAILED",
        "festival-flows-eu-west-1: FAILED: stack festival-flows-eu-west-1: could not be deleted",
        "    LiveFlow (AWS::MediaConnect::Flow) DELETE_FAILED: Flow is running",
        "festival-live: start: done",
    ]


def test_live_lines_are_redrawn_in_place() -> None:
    out = Terminal()
    reporter = LiveReporter(out)
    reporter.phase(Phase("stacks", (STACK, FLOW)))
    reporter.status(STACK, "DELETE_IN_PROGRESS")
    reporter.status(FLOW, "requesting")
    reporter.done(STACK, "deleted")
    reporter.failed(FLOW, "boom", [EVENT])
    text = out.getvalue()
    assert text.startswith("== stacks\n")
    assert "\x1b[2K… festival-flows-eu-west-1: DELETE_IN_PROGRESS (0s)\n" in text
    assert "\x1b[2F" in text  # back to the top of the two-line block before redrawing it
    assert "\x1b[2K✓ festival-flows-eu-west-1: deleted (0s)\n" in text
    assert "\x1b[2K✗ festival-live: start: FAILED: boom (0s)\n" in text
    assert "    LiveFlow (AWS::MediaConnect::Flow) DELETE_FAILED: Flow is running\n" in text
    # The block is drawn again under the events, so the final screen ends with both lines.
    assert text.endswith(
        "\x1b[2K✓ festival-flows-eu-west-1: deleted (0s)\n\x1b[2K✗ festival-live: start: FAILED: boom (0s)\n"
    )
