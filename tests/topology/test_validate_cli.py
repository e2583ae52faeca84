"""The ``validate`` command line: --json, --help, --version, usage errors, exit codes, imports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streamfabric import __version__
from streamfabric.cli.main import main

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
FESTIVAL = ROOT / "examples" / "festival.json"
INVALID_DIR = TESTS / "fixtures" / "invalid"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }


def test_json_output_of_a_valid_topology(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", str(FESTIVAL)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out) == {
        "valid": True,
        "name": "festival",
        "source": {
            "uri": str(FESTIVAL),
            "version": None,
            "sha256": hashlib.sha256(FESTIVAL.read_bytes()).hexdigest(),
        },
        "hub": "eu-west-1",
        "regions": ["eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"],
        "ingests": [
            "main-stage",
            "tent-stage",
            "nyc-studio",
            "boston-remote",
            "sydney-stage",
            "sao-paulo-stage",
        ],
        "warnings": [],
    }


def test_json_output_of_an_invalid_topology_lists_the_same_problems(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fixture = INVALID_DIR / "sort-order.json"
    assert main(["validate", "--json", str(fixture)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert report["valid"] is False
    assert all(set(p) == {"source", "path", "message", "code", "source_url"} for p in report["problems"])
    lines = fixture.with_suffix(".expected").read_text(encoding="utf-8").splitlines()[:-1]
    assert [f"{p['source']}: {p['path']}: {p['message']} [{p['code']}]" for p in report["problems"]] == lines
    urls = {p["code"]: p["source_url"] for p in report["problems"]}
    assert urls == {
        "SF2020": "https://docs.aws.amazon.com/mediaconnect/latest/ug/source-ports.html",
        "SF2023": "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
        "aws-properties-mediaconnect-flow-source.html",
    }


def test_json_output_of_an_unreadable_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    assert main(["validate", "--json", str(missing)]) == 1
    out, _ = capsys.readouterr()
    report = json.loads(out)
    assert report["valid"] is False
    [problem] = report["problems"]
    assert problem["path"] == "$"
    assert problem["source"] == str(missing)
    assert "cannot read the topology" in problem["message"]
    assert (problem["code"], problem["source_url"]) == ("SF0001", None)


def test_unreadable_file_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["validate", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: {missing}: cannot read the topology: No such file or directory\n"


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: streamfabric")
    for command in ("validate", "import-poc"):
        assert command in out


def test_validate_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: streamfabric validate")
    assert "--json" in out
    assert "s3://bucket/key" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"streamfabric {__version__}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate"], "the following arguments are required: topology"),
        (["validate", str(FESTIVAL), "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["no-such-command"], "invalid choice: 'no-such-command'"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: streamfabric")
    assert message in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: streamfabric")


def test_validate_of_a_local_file_does_not_import_boto3() -> None:
    code = (
        "import sys; from streamfabric.cli.main import main; "
        "code = main(['validate', 'examples/festival.json']); "
        "print(code, 'boto3' in sys.modules, 'botocore' in sys.modules, 'cfnlint' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "0 False False False"  # region facts: a precomputed table
