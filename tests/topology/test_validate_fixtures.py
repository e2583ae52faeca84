"""Golden tests of ``streamfabric validate``, one rule per fixture.

Every rule has a failing document ``tests/fixtures/invalid/<rule>.json`` whose exact stderr (the
``<source>: <JSON path>: <message>`` lines, then the ``N problems found`` line) is stored in
``tests/fixtures/invalid/<rule>.expected``, and a passing boundary case
``tests/fixtures/valid/<rule>.json`` (the nearest document that must still be accepted).

``STREAMFABRIC_UPDATE_GOLDEN=1`` rewrites the ``.expected`` files (then review the diff).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from golden_util import UPDATE_ENV, updating
from streamfabric.cli.main import main
from streamfabric.errors import TopologyError
from streamfabric.topology.loading import load_topology
from streamfabric.topology.semantic_check import mediaconnect_regions

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
INVALID_DIR = TESTS / "fixtures" / "invalid"
VALID_DIR = TESTS / "fixtures" / "valid"
INVALID = sorted(INVALID_DIR.glob("*.json"))
VALID = sorted(VALID_DIR.glob("*.json"))

# Failing fixtures without a passing twin, and why none is meaningful.
NO_PASSING_TWIN = {
    "empty-file": "the passing case is any non-empty document",
    "not-an-object": "the passing case is any topology object",
    "deeply-nested": "the passing twin of the depth limit is valid/nested-too-deep.json",
}

# The list of MediaConnect regions comes from botocore's endpoint data: keep the goldens stable
# across botocore releases.
REGIONS_PLACEHOLDER = "<MediaConnect regions>"
MAX_LINE = 700  # source + path + a message cut at 500 characters


def _stable(text: str) -> str:
    return text.replace(", ".join(sorted(mediaconnect_regions())), REGIONS_PLACEHOLDER)


def _expected(fixture: Path) -> Path:
    return fixture.with_suffix(".expected")


def _validate(fixture: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["validate", *extra, str(fixture)])
    out, err = capsys.readouterr()
    return code, out, err


def test_fixture_sets_are_complete() -> None:
    assert len(INVALID) >= 40, "the invalid fixtures went missing"
    invalid = {p.stem for p in INVALID}
    valid = {p.stem for p in VALID}
    assert not (invalid - valid - set(NO_PASSING_TWIN)), "every rule needs a passing twin in fixtures/valid/"
    assert valid <= invalid, f"passing fixtures without a failing rule: {sorted(valid - invalid)}"
    goldens = {p.stem for p in INVALID_DIR.glob("*.expected")}
    if not updating():
        assert goldens == invalid, f"missing or stale .expected files ({UPDATE_ENV}=1 regenerates them)"


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_matches_golden(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(fixture, capsys)
    assert code == 1
    assert out == ""
    actual = _stable(err)
    golden = _expected(fixture)
    if updating():
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing ({UPDATE_ENV}=1 writes it)"
    assert actual == golden.read_text(encoding="utf-8"), f"stderr of validate differs from {golden.name}"


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_output_is_one_clean_line_per_problem(
    fixture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = _validate(fixture, capsys)
    *problems, summary = err.splitlines()
    count = len(problems)
    assert count >= 1
    assert summary == f"{count} problem{'s' if count != 1 else ''} found"
    line = re.compile(rf"^{re.escape(fixture.name)}: \$(\S*|.*'\]\S*): \S.*$")  # a quoted key may hold spaces
    for problem in problems:
        assert line.match(problem), problem
        assert len(problem) <= MAX_LINE, f"not truncated: {problem[:120]}..."
        assert problem.isascii() and problem.isprintable(), f"unescaped characters: {problem!r}"
    assert "Traceback" not in err


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_problems_are_sorted_by_path(fixture: Path) -> None:
    with pytest.raises(TopologyError) as caught:
        load_topology(str(fixture))
    keys = [p.sort_key for p in caught.value.problems]
    assert keys == sorted(keys)


def test_indexes_sort_numerically(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = _validate(INVALID_DIR / "sort-order.json", capsys)
    paths = [line.split(": ")[1] for line in err.splitlines()[:-1]]
    assert paths == ["$.ingests[2].port", "$.ingests[9].min_latency_ms", "$.ingests[10].port"]


def test_the_issue_example(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = _validate(INVALID_DIR / "port-range.json", capsys)
    assert (
        "port-range.json: $.ingests[3].port: 70000 is greater than the maximum of 65535 [SF1007]"
        in err.splitlines()
    )


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [
        ("malformed-json", "$: invalid JSON at line 63, column 7: Expecting ',' delimiter"),
        ("non-utf8", "$: not UTF-8 text (byte "),
        ("deeply-nested", "$: nested too deeply"),
        ("hostile-long", '"aaaaaaaa'),
        ("hostile-newlines", "stage-b\\u000astage-c"),  # a raw newline would split the problem's line
        ("hostile-unicode", "'\\u0435u-west-1'"),  # a Cyrillic look-alike must not print as eu-west-1
        ("hostile-unicode", "\\u001b[31mred"),  # no terminal escape reaches the terminal
    ],
)
def test_hostile_input_is_reported_escaped(
    fixture: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _validate(INVALID_DIR / f"{fixture}.json", capsys)
    assert code == 1
    assert needle in err


def test_hostile_long_strings_are_truncated(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = _validate(INVALID_DIR / "hostile-long.json", capsys)
    assert "a" * 200 not in err  # the 5000-character name is cut in the schema message
    assert "['" + "k" * 64 + "...']" in err  # the 300-character unknown key is cut in the path
    assert max(len(line) for line in err.splitlines()) <= MAX_LINE


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.stem)
def test_valid_twin_passes(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(fixture, capsys)
    problems = [line for line in err.splitlines() if not line.startswith("warning: ")]  # advisories only
    assert (code, problems) == (0, [])
    assert out.startswith(f"{fixture.name}: valid")


@pytest.mark.parametrize("example", ["festival.json", "minimal.json"])
def test_examples_are_valid(example: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(ROOT / "examples" / example, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"{example}: valid")


def test_validate_as_a_real_process_exits_1_with_the_golden_stderr() -> None:
    """The one real process run: ``python -m streamfabric`` sets the exit code from main()."""
    fixture = INVALID_DIR / "port-range.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "streamfabric", "validate", str(fixture)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert _stable(proc.stderr) == _expected(fixture).read_text(encoding="utf-8")
