"""A model the Terraform renderer refuses is a clean error (exit 1, no traceback), not a crash."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from streamfabric.cli.commands import render as render_command
from streamfabric.cli.main import main
from streamfabric.rendering import terraform
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal.json"


@pytest.fixture()
def doubled_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command renders a model that lists its hub region twice (the validator would refuse the
    document; a model built without it reaches the renderer's own check)."""
    real = load_topology

    def load(uri: str, **kwargs: Any) -> Topology:
        model = real(uri, **kwargs)
        return dataclasses.replace(model, regions=(*model.regions, model.hub.network))

    monkeypatch.setattr(render_command, "load_topology", load)


@pytest.mark.usefixtures("doubled_region")
def test_a_terraform_render_error_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["render", str(MINIMAL), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("error: a region appears twice among the hub and the ingest regions")
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "out").exists()  # nothing was written


@pytest.mark.usefixtures("doubled_region")
def test_a_terraform_render_error_under_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(MINIMAL), "--out", str(tmp_path / "out"), "--check", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["error"] == "terraform_render" and "appears twice" in document["message"]


def test_hcl_the_formatter_cannot_lay_out_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terraform, "render_template", lambda *_, **__: 'locals {\n  name = "unterminated\n')
    code = main(["render", str(MINIMAL), "--out", str(tmp_path / "out"), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out) == {
        "error": "hcl_format",
        "message": "unterminated string at offset 31",
    }
    assert captured.err == "error: unterminated string at offset 31\n"
