"""Progress reporting, injected into the executor so tests capture it.

* :class:`LiveReporter` (a terminal): one line per step of the running phase, updated in place
  (stacks show their CloudFormation status as the waiters poll it);
* :class:`PlainReporter` (not a TTY, logs, tests): one plain line per change of status;
* :class:`NullReporter`: nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import Protocol, TextIO

from .execute.stacks import StackEvent
from .plan.instructions import Instruction, Phase, Plan


class Reporter(Protocol):
    def plan(self, plan: Plan, *, dry_run: bool = False) -> None: ...

    def phase(self, phase: Phase) -> None: ...

    def status(self, step: Instruction, status: str) -> None: ...

    def done(self, step: Instruction, outcome: str) -> None: ...

    def failed(self, step: Instruction, error: str, events: Sequence[StackEvent] = ()) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


def _label(step: Instruction) -> str:
    stack = getattr(step, "stack", None)
    return str(stack) if stack else step.describe()


class NullReporter:
    def plan(self, plan: Plan, *, dry_run: bool = False) -> None:
        return None

    def phase(self, phase: Phase) -> None:
        return None

    def status(self, step: Instruction, status: str) -> None:
        return None

    def done(self, step: Instruction, outcome: str) -> None:
        return None

    def failed(self, step: Instruction, error: str, events: Sequence[StackEvent] = ()) -> None:
        return None

    def note(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


class PlainReporter:
    """Plain lines: ``<stack or step>: <status>``; a status is printed once per change."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        with self._lock:
            print(text, file=self.stream, flush=True)

    def plan(self, plan: Plan, *, dry_run: bool = False) -> None:
        header = "plan (dry run, nothing will change):" if dry_run else "plan:"
        self._print("\n".join([header, *(f"  {line}" for line in plan.lines())]))

    def phase(self, phase: Phase) -> None:
        self._print(f"== {phase.name}")

    def status(self, step: Instruction, status: str) -> None:
        label = _label(step)
        with self._lock:
            if self._last.get(step.key) == status:
                return
            self._last[step.key] = status
        self._print(f"{label}: {status}")

    def done(self, step: Instruction, outcome: str) -> None:
        self._print(f"{_label(step)}: {outcome}")

    def failed(self, step: Instruction, error: str, events: Sequence[StackEvent] = ()) -> None:
        lines = [f"{_label(step)}: FAILED: {error.splitlines()[0] if error else ''}"]
        lines += [f"    {event}" for event in events]
        self._print("\n".join(lines))

    def note(self, text: str) -> None:
        self._print(text)

    def close(self) -> None:
        return None


def _terminal_width(stream: TextIO) -> int:
    """Columns of the terminal ``stream`` writes to (80 when it cannot be asked)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size((80, 24)).columns


def _fit(line: str, width: int) -> str:
    """``line`` cut to ``width - 1`` columns with an ellipsis: the block is redrawn by moving the
    cursor up one row per line, which only works if no line wraps."""
    limit = max(width - 1, 8)
    return line if len(line) <= limit else line[: limit - 1] + "…"


class LiveReporter(PlainReporter):
    """A terminal: the running phase as a block of lines, one per step, redrawn in place."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._lines: dict[str, str] = {}
        self._started: dict[str, float] = {}
        self._drawn = 0

    def _redraw(self) -> None:
        out = []
        if self._drawn:
            out.append(f"\x1b[{self._drawn}F")  # to the start of the block
        width = _terminal_width(self.stream)
        for line in self._lines.values():
            out.append(f"\x1b[2K{_fit(line, width)}\n")  # a wrapped line would break the redraw
        self._drawn = len(self._lines)
        self.stream.write("".join(out))
        self.stream.flush()

    def phase(self, phase: Phase) -> None:
        with self._lock:
            self._lines = {}
            self._drawn = 0
            print(f"== {phase.name}", file=self.stream, flush=True)

    def _set(self, step: Instruction, mark: str, text: str) -> None:
        with self._lock:
            started = self._started.setdefault(step.key, time.monotonic())
            elapsed = time.monotonic() - started
            self._lines[step.key] = f"{mark} {_label(step)}: {text} ({elapsed:.0f}s)"
            self._redraw()

    def status(self, step: Instruction, status: str) -> None:
        self._set(step, "…", status)

    def done(self, step: Instruction, outcome: str) -> None:
        self._set(step, "✓", outcome)

    def failed(self, step: Instruction, error: str, events: Sequence[StackEvent] = ()) -> None:
        self._set(step, "✗", f"FAILED: {error.splitlines()[0] if error else ''}")
        if events:
            self.note("\n".join(f"    {event}" for event in events))

    def note(self, text: str) -> None:
        """Printed above the block, which is then drawn again below it."""
        with self._lock:
            if self._drawn:
                self.stream.write(f"\x1b[{self._drawn}F\x1b[J")
            print(text, file=self.stream)
            self._drawn = 0
            if self._lines:
                self._redraw()
            self.stream.flush()


def make_reporter(stream: TextIO | None = None) -> Reporter:
    """A live display on a terminal, plain lines otherwise."""
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return LiveReporter(stream) if callable(isatty) and isatty() else PlainReporter(stream)


__all__ = ["LiveReporter", "NullReporter", "PlainReporter", "Reporter", "make_reporter"]
