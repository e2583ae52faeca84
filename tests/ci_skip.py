"""A test that needs an external tool skips, saying why, where the tool is absent — except under
CI (``CI`` set), where ``.ci/run`` installs every such tool: there a missing tool is a failure, so a
skip can never hide work that did not run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_unless_ci(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (under CI this must not be missing: .ci/run installs it)")
    pytest.skip(reason, allow_module_level=True)
