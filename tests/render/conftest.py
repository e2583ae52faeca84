"""Fixtures for render tests: the model of the examples and a checkov runner in its own venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

ROOT = Path(__file__).resolve().parents[2]
CHECKOV_VENV = ROOT / ".venv-checkov"


@pytest.fixture(scope="session")
def festival() -> Topology:
    return load_topology(str(ROOT / "examples" / "festival.json"))


@pytest.fixture(scope="session")
def minimal() -> Topology:
    return load_topology(str(ROOT / "examples" / "minimal.json"))


def _checkov_bin() -> str:
    """checkov pins an old boto3, so it lives in its own virtualenv (.ci/run creates it; so does this)."""
    explicit = os.environ.get("CHECKOV_BIN")
    if explicit:
        return explicit
    candidate = CHECKOV_VENV / "bin" / "checkov"
    if not candidate.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    return str(candidate)


@pytest.fixture(scope="session")
def checkov() -> object:
    """``checkov(directory, framework)`` -> the parsed JSON report (a list of per-framework reports)."""
    binary = _checkov_bin()

    def run(directory: Path, framework: str) -> list[dict[str, object]]:
        proc = subprocess.run(
            [
                binary,
                "-d",
                str(directory),
                "--framework",
                framework,
                "-o",
                "json",
                "--compact",
                "--quiet",
                "--skip-download",
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
        )
        if proc.returncode not in (0, 1):
            raise AssertionError(f"checkov failed ({proc.returncode}): {proc.stderr[-2000:]}")
        report = json.loads(proc.stdout or "[]")
        return report if isinstance(report, list) else [report]

    assert shutil.which(binary) or Path(binary).exists()
    return run
