"""``validate`` warns (exit 0) where a region lacks what the topology asks for (issue 19: MediaConnect
resources have no Tags in CloudFormation in me-central-1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamfabric.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _with_region(tmp_path: Path, region: str) -> Path:
    doc = json.loads((ROOT / "examples" / "minimal.json").read_text())
    doc["regions"][0].update(
        region=region, availability_zone=f"{region}a", vpc_cidr="10.11.0.0/16", subnet_cidr="10.11.1.0/24"
    )
    doc["ingests"][0]["region"] = region
    doc["tags"] = {"project": "p"}
    path = tmp_path / f"{region}.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_region_without_mediaconnect_tags_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with_region(tmp_path, "me-central-1")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    (line,) = [x for x in err.splitlines() if "me-central-1" in x]
    assert line.startswith(f"warning: {path.name}: $.tags: me-central-1: CloudFormation has no Tags")
    assert "AWS::MediaConnect::Flow, FlowOutput" in line
    assert "valid" in out
    assert main(["validate", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [w["path"] for w in report["warnings"] if "me-central-1" in w["message"]] == ["$.tags"]


def test_a_region_with_tags_gets_no_such_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--json", str(_with_region(tmp_path, "eu-west-2"))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [w for w in report["warnings"] if "Tags" in w["message"]]
