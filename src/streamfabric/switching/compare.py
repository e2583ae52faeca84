"""Compare-and-set: ``expected`` (``expected_live``/``expected_preview`` for a take) refuses a switch
unless that is what the flow carries now.

MediaConnect has no conditional update, so the Switcher reads what is on air from AWS before an
update given ``expected`` (the window between that read and the update is the only race left, and
the audit log records both switches). A refusal is recorded and names the switch that put what is
on air there.
"""

from __future__ import annotations

from ..errors import ConflictError
from .recording import Attempt, Recorder


def require_expected(
    recorder: Recorder, attempt: Attempt, role: str, expected: str | None, on_air: str | None
) -> None:
    """ConflictError (recorded) unless ``expected`` is None or what ``role`` carries."""
    if expected is None or on_air == expected:
        return
    recorder.record(attempt, "conflict", f"expected {expected!r} on {role}")
    raise ConflictError(
        f"conflict: {role} carries {on_air!r}, not {expected!r} — someone switched first; "
        "nothing was changed",
        target=role,
        expected=expected,
        on_air=on_air,
        last_switch=recorder.last_switch(role),
    )


__all__ = ["require_expected"]
