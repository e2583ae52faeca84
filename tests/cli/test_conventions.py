"""Conventions of infrastructure tools: deploy asks (and refuses without a terminal unless --yes),
Terraform's detailed exit codes on render --check and diff, --json stdout is JSON alone, and an
error under --json is a JSON object."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.cli.main import main
from streamfabric.topology.loading import load_topology

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
INVALID = ROOT / "tests" / "fixtures" / "invalid" / "port-range.json"


def _copy(name: str, directory: Path) -> Path:
    target = directory / f"{name}.json"
    shutil.copy(EXAMPLES / f"{name}.json", target)
    return target


def _stacks(region: str) -> list[str]:
    cfn = boto3.session.Session().client("cloudformation", region_name=region)
    return sorted(s["StackName"] for s in cfn.describe_stacks()["Stacks"])


@pytest.fixture()
def minimal(aws: str, tmp_path: Path) -> Path:
    path = _copy("minimal", tmp_path)
    helpers.create_example_secrets(load_topology(str(path)), aws)
    return path


@pytest.mark.integration
def test_deploy_without_a_terminal_refuses_unless_yes(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", str(minimal), "--network", "cloudformation"]) == 2
    captured = capsys.readouterr()
    assert "create stack minimal-network-us-east-1 (us-east-1)" in captured.out  # the plan was shown
    assert "confirm on a terminal, or pass --yes" in captured.err
    assert _stacks("us-east-1") == []  # nothing changed

    assert main(["deploy", str(minimal), "--network", "cloudformation", "--yes", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # stdout is the JSON document alone
    assert report["executed"] and report["cancelled"] is False
    assert "minimal-network-us-east-1: CREATE_COMPLETE" in captured.err  # progress went to stderr
    assert "minimal-network-us-east-1" in _stacks("us-east-1")

    # Nothing to change: nothing to confirm, so no terminal is needed (as with terraform apply).
    assert main(["deploy", str(minimal), "--network", "cloudformation"]) == 0


def test_an_error_under_json_is_a_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(tmp_path / "missing.json"), "--out", str(tmp_path / "out"), "--json"]) == 1
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["error"] == "source" and "missing.json" in document["message"]
    assert "missing.json" in captured.err

    assert main(["render", str(INVALID), "--out", str(tmp_path / "out"), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["error"] == "topology"
    assert document["problems"] and all(p["path"].startswith("$") for p in document["problems"])


def test_a_usage_error_under_json_is_a_json_object_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["switch", "--json"])  # the ingest is missing
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {
        "error": "usage",
        "message": "streamfabric switch: the following arguments are required: ingest",
    }
    assert "usage: streamfabric switch" in err and "required: ingest" in err
    with pytest.raises(SystemExit):
        main(["switch"])
    out, err = capsys.readouterr()
    assert out == "" and "required: ingest" in err  # without --json: stderr only


def test_destroy_takes_the_terraform_network_outputs_and_refuses_a_bad_file_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = _copy("minimal", tmp_path)
    missing = tmp_path / "outputs.json"
    # No endpoint is set up: any AWS call would fail differently (the file is read first)
    assert main(["destroy", str(topology), "--network-outputs", str(missing), "--yes", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (
        document["error"] == "deploy"
        and "outputs.json: cannot read the network outputs" in document["message"]
    )
    missing.write_text("{not json")
    assert main(["destroy", str(topology), "--network-outputs", str(missing), "--yes"]) == 1
    assert "outputs.json: not JSON" in capsys.readouterr().err


def test_render_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    topology, out = str(_copy("minimal", tmp_path)), str(tmp_path / "infra")
    assert main(["render", topology, "--out", out]) == 0
    assert main(["render", topology, "--out", out, "--check"]) == 0
    manifest = tmp_path / "infra" / "cloudformation" / "manifest.json"
    manifest.write_text(manifest.read_text() + " ")
    assert main(["render", topology, "--out", out, "--check"]) == 2
    assert "changed: cloudformation/manifest.json" in capsys.readouterr().out
    assert main(["render", str(INVALID), "--out", out, "--check"]) == 1


def test_diff_detailed_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _copy("festival", tmp_path)
    new = tmp_path / "new.json"
    document = json.loads(old.read_text())
    document["ingests"][0]["port"] = 5004
    new.write_text(json.dumps(document))
    assert main(["diff", str(old), str(old), "--detailed-exitcode"]) == 0
    assert main(["diff", str(old), str(new), "--detailed-exitcode"]) == 2
    assert main(["diff", str(old), str(new)]) == 0  # a pull-request comment step must not fail
    assert main(["diff", str(old), str(INVALID), "--detailed-exitcode"]) == 1
    capsys.readouterr()
