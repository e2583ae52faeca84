"""A command whose extra is not installed names the extra and exits 2, with no traceback.

The missing package is simulated in a fresh interpreter: ``sys.modules[name] = None`` makes every
``import name`` raise ``ModuleNotFoundError``, exactly as when the package is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"


def _run_without(modules: list[str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"for name in {modules!r}: sys.modules[name] = None\n"
        "from streamfabric.cli.main import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("missing", "argv", "extra"),
    [
        (["moto"], ["demo"], "sandbox"),
        (["moto"], ["status", str(FESTIVAL), "--sandbox"], "sandbox"),
        (["aws_lambda_powertools", "pydantic", "werkzeug"], ["serve", str(FESTIVAL)], "api"),
    ],
)
def test_a_missing_extra_is_named_and_exits_2(missing: list[str], argv: list[str], extra: str) -> None:
    proc = _run_without(missing, argv)
    assert proc.returncode == 2, proc.stderr
    assert f"pip install 'streamfabric[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_with_json_the_missing_extra_is_a_json_object() -> None:
    proc = _run_without(["moto"], ["status", str(FESTIVAL), "--sandbox", "--json"])
    assert proc.returncode == 2, proc.stderr
    document = json.loads(proc.stdout)
    assert (document["error"], document["extra"]) == ("missing_extra", "sandbox")
    assert "streamfabric[sandbox]" in document["message"]


def test_a_missing_module_that_no_extra_provides_is_a_bug_and_not_hidden() -> None:
    proc = _run_without(["jinja2"], ["render", str(FESTIVAL), "--out", "/nonexistent-dir-never-written"])
    assert proc.returncode == 1
    assert "ModuleNotFoundError" in proc.stderr
