"""A missing external tool skips locally, saying why, and fails under CI (where .ci/run installs it)."""

from __future__ import annotations

import pytest

from ci_skip import skip_unless_ci


def test_locally_a_missing_tool_is_a_skip_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="terraform is not on PATH"):
        skip_unless_ci("terraform is not on PATH")


def test_under_ci_a_missing_tool_is_a_failure_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"terraform is not on PATH \(under CI this must not"):
        skip_unless_ci("terraform is not on PATH")
