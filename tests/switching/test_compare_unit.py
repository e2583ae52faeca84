"""Compare-and-set's rule on its own (no AWS): ``expected`` None or what is on air goes ahead and
records nothing; anything else is a ConflictError, recorded as a conflict, naming both and the switch
that put what is on air there. Fast, so the CI's mutation sample runs it (scripts/mutation.sh)."""

from __future__ import annotations

from typing import Any

import pytest

from streamfabric.errors import ConflictError
from streamfabric.switching.compare import require_expected
from streamfabric.switching.recording import Attempt


class FakeRecorder:
    def __init__(self) -> None:
        self.records: list[tuple[Attempt, str, str]] = []

    def record(self, attempt: Attempt, outcome: str, message: str = "", *_: Any) -> None:
        self.records.append((attempt, outcome, message))

    def last_switch(self, role: str) -> dict[str, str]:
        return {"role": role, "request_id": "earlier"}


ATTEMPT = Attempt("switch", "live", "main-stage", "nyc-studio", "director")


@pytest.mark.parametrize("expected", [None, "main-stage"])
def test_nothing_expected_or_what_is_on_air_goes_ahead(expected: str | None) -> None:
    recorder = FakeRecorder()
    require_expected(recorder, ATTEMPT, "live", expected, "main-stage")  # type: ignore[arg-type]
    assert recorder.records == []


@pytest.mark.parametrize("on_air", ["tent-stage", None])
def test_anything_else_is_a_recorded_conflict(on_air: str | None) -> None:
    recorder = FakeRecorder()
    with pytest.raises(ConflictError) as excinfo:
        require_expected(recorder, ATTEMPT, "live", "main-stage", on_air)  # type: ignore[arg-type]
    error = excinfo.value
    assert (error.target, error.expected, error.on_air) == ("live", "main-stage", on_air)
    assert error.last_switch == {"role": "live", "request_id": "earlier"}
    assert recorder.records == [(ATTEMPT, "conflict", "expected 'main-stage' on live")]
    assert str(error) == (
        f"conflict: live carries {on_air!r}, not 'main-stage' — someone switched first; nothing was changed"
    )
