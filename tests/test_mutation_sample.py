"""CI's mutation sample: ``scripts/mutation.sh sample`` mutates the compare-and-set rule
(streamfabric/switching/compare.py, 24 mutants) and runs its unit tests against each; every one was
killed when the sample was fixed, so a survivor means the tests lost strength (a weakened assertion,
a deleted test). Time-boxed: the whole sample takes seconds, the limit is 90 s. Skips, saying why,
where mutmut is not installed; under CI it must be (tests/ci_skip.py)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ci_skip import skip_unless_ci

ROOT = Path(__file__).resolve().parents[1]
KNOWN_KILLED = 24  # mutants of switching/compare.py mutmut 3.8 makes, all killed (docs/mutation-report.md)
LIMIT_S = 90


def test_the_mutation_sample_kills_every_known_mutant(tmp_path: Path) -> None:
    if importlib.util.find_spec("mutmut") is None:
        skip_unless_ci("mutmut is not installed (the test dependency group has it: mutmut>=3.8,<4)")
    if shutil.which("bash") is None:
        skip_unless_ci("bash is not installed (scripts/mutation.sh needs it)")
    env = {
        **os.environ,
        "STREAMFABRIC_VENV": sys.prefix,
        "MUTATION_OUT": str(tmp_path),
        "MUTATION_CHILDREN": "2",
        "MUTATION_BUDGET": str(LIMIT_S),
        "TMPDIR": str(tmp_path),
    }
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "mutation.sh"), "sample"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=LIMIT_S + 30,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads((tmp_path / "sample.json").read_text())
    assert stats["complete"], f"the sample did not finish within {LIMIT_S} s: {stats}"
    lines = (tmp_path / "sample.txt").read_text().splitlines()
    survivors = [line.strip() for line in lines if not line.endswith("killed")]
    assert survivors == [], f"mutants no longer killed: {survivors}"
    assert (stats["total"], stats["killed"]) == (KNOWN_KILLED, KNOWN_KILLED), stats
    assert elapsed < LIMIT_S + 30
