"""Every rendered CloudFormation template passes cfn-lint (in the region it is deployed in) with no
error and no warning, and checkov with no failed check (skips only inline, each with its reason)."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from streamfabric.rendering.cloudformation import render_cloudformation
from streamfabric.topology.model import InternalHop, Monitoring, SecretRef, Topology

CASES = [(example, mode) for example in ("festival", "minimal") for mode in ("terraform", "cloudformation")]


def _variants(model: Topology) -> dict[str, Topology]:
    """The example, and variants that take the other branches of the templates."""
    return {
        "as-is": model,
        "no-dns": dataclasses.replace(model, dns=None),
        "hop-by-name": dataclasses.replace(
            model, internal_hop=InternalHop(passphrase_secret=SecretRef("shared/hop"))
        ),
        "monitored": dataclasses.replace(model, monitoring=Monitoring("show-alerts", content_quality=True)),
    }


@functools.cache
def _lint(template: str, region: str) -> tuple[str, ...]:
    """cfn-lint's errors and warnings (informational matches ignored); cached: the flow templates
    are the same in both network modes and in most variants."""
    matches = lint(template, config=ManualArgs(regions=[region]))
    return tuple(
        f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches if not m.rule.id.startswith("I")
    )


def _stacks(files: dict[str, str]) -> list[dict[str, Any]]:
    stacks: list[dict[str, Any]] = json.loads(files["cloudformation/manifest.json"])["stacks"]
    return [s for s in stacks if s["template"] in files]


@pytest.mark.parametrize(("example", "mode"), CASES)
def test_cfn_lint_clean(example: str, mode: str, request: pytest.FixtureRequest) -> None:
    base: Topology = request.getfixturevalue(example)
    problems: list[str] = []
    linted = 0
    for variant, model in _variants(base).items():
        files = render_cloudformation(model, mode)  # type: ignore[arg-type]
        stacks = _stacks(files)
        assert {s["template"] for s in stacks} == {p for p in files if p.endswith(".yaml")}
        for stack in stacks:
            linted += 1
            problems += [
                f"{variant} {stack['template']} ({stack['region']}): {problem}"
                for problem in _lint(files[stack["template"]], stack["region"])
            ]
    assert linted
    assert not problems, "\n".join(problems)


def _write(files: dict[str, str], root: Path) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checkov_clean(
    festival: Topology,
    minimal: Topology,
    tmp_path: Path,
    checkov: Callable[[Path, str], list[dict[str, Any]]],
) -> None:
    count = 0
    for name, base in (("festival", festival), ("minimal", minimal)):
        for variant, model in _variants(base).items():
            for mode in ("terraform", "cloudformation"):
                files = render_cloudformation(model, mode)  # type: ignore[arg-type]
                _write(
                    {k: v for k, v in files.items() if k.endswith(".yaml")}, tmp_path / name / variant / mode
                )
                count += sum(k.endswith(".yaml") for k in files)
    reports = [r for r in checkov(tmp_path, "cloudformation") if r.get("check_type") == "cloudformation"]
    assert reports, "checkov scanned no CloudFormation"
    (report,) = reports
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > count  # every template was read
    failed = report["results"].get("failed_checks", [])
    assert not failed, "\n".join(
        f"{c['check_id']} {c['check_name']}: {c['file_path']} {c['resource']}" for c in failed
    )
    for check in report["results"].get("skipped_checks", []):
        assert check.get("check_result", {}).get("suppress_comment"), check["check_id"]
