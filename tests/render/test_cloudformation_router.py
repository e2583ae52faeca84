"""The router engine's CloudFormation: router network interfaces and inputs per region, the hub's
flows fed by MEDIACONNECT_FLOW router outputs, no VPC, peering or hop; cfn-lint and checkov clean."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from streamfabric.rendering import render
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def festival_router() -> Topology:
    return load_topology(str(ROOT / "examples" / "festival-router.json"))


def _templates(files: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    stacks = json.loads(files["cloudformation/manifest.json"])["stacks"]
    return {s["template"]: (s["region"], yaml.safe_load(files[s["template"]])) for s in stacks}


def test_each_region_has_its_router_inputs_and_the_hub_its_router_outputs(festival_router: Topology) -> None:
    files = render(festival_router)
    assert all(p.startswith("cloudformation/") for p in files)  # no Terraform: no VPC network
    templates = _templates(files)
    assert {region for region, _ in templates.values()} == {
        "eu-west-1",
        "us-east-1",
        "ap-southeast-2",
        "sa-east-1",
    }
    kinds: dict[str, list[str]] = {}
    for region, template in templates.values():
        for resource in template["Resources"].values():
            kinds.setdefault(resource["Type"], []).append(region)
    assert len(kinds["AWS::MediaConnect::RouterInput"]) == 6
    assert len(kinds["AWS::MediaConnect::RouterNetworkInterface"]) == 6
    assert kinds["AWS::MediaConnect::RouterOutput"] == ["eu-west-1", "eu-west-1"]
    assert kinds["AWS::MediaConnect::Flow"] == ["eu-west-1", "eu-west-1"]
    assert not [t for t in kinds if t.startswith("AWS::EC2::")]
    _, hub = templates["cloudformation/router-eu-west-1.yaml"]
    live = hub["Resources"]["LiveRouterOutput"]["Properties"]
    assert live["Configuration"]["MediaConnectFlow"]["FlowSourceArn"] == {
        "Fn::GetAtt": ["LiveFlow", "Source.SourceArn"]
    }
    assert hub["Resources"]["LiveFlow"]["Properties"]["Source"]["RouterIntegrationState"] == "ENABLED"
    main_stage = hub["Resources"]["MainStageRouterInput"]["Properties"]
    assert (main_stage["Tier"], main_stage["MaximumBitrate"], main_stage["RoutingScope"]) == (
        "INPUT_20",
        15_000_000,
        "GLOBAL",
    )
    allow = hub["Resources"]["MainStageNetworkInterface"]["Properties"]["Configuration"]["Public"]
    assert allow == {"AllowRules": [{"Cidr": "192.0.2.0/28"}]}
    assert render(festival_router) == files  # byte-identical per model


@pytest.mark.parametrize("variant", ["as-is", "no-maintenance"])
def test_cfn_lint_clean_in_each_region(festival_router: Topology, variant: str) -> None:
    model = festival_router
    if variant == "no-maintenance":
        model = dataclasses.replace(model, maintenance=None)
    files = render(model)
    problems = []
    for path, (region, _) in _templates(files).items():
        matches = lint(files[path], config=ManualArgs(regions=[region]))
        problems += [
            f"{path}: {m.rule.id} line {m.linenumber}: {m.message}" for m in matches if m.rule.id[0] != "I"
        ]
    assert not problems, "\n".join(problems)


def test_checkov_clean(
    festival_router: Topology, tmp_path: Path, checkov: Callable[[Path, str], list[dict[str, Any]]]
) -> None:
    files = render(festival_router)
    for rel, text in files.items():
        if rel.endswith(".yaml"):
            target = tmp_path / "festival-router" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    # checkov has no checks for MediaConnect's types: it parses every template (no parsing errors)
    # and, with nothing to check, answers a summary without results.
    reports = checkov(tmp_path, "cloudformation")
    assert reports
    for report in reports:
        summary = report.get("summary", report)
        assert summary["parsing_errors"] == 0
        failed = report.get("results", {}).get("failed_checks", [])
        assert not failed, "\n".join(f"{c['check_id']} {c['check_name']}: {c['resource']}" for c in failed)
