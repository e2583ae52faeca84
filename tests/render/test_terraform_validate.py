"""The rendered Terraform checked by Terraform itself, with the real hashicorp/aws provider:
``terraform fmt -check`` (our layout is Terraform's canonical one) and ``terraform validate``
(every resource type, argument and reference is one the provider knows), on the examples and on
Hypothesis-generated topologies (CI-sized; ``STREAMFABRIC_FUZZ_EXAMPLES`` raises it)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz.strategies import valid_topology
from streamfabric.cli.terraform import Terraform, TerraformError
from streamfabric.rendering.terraform import render_terraform
from streamfabric.topology.loading import load_topology, parse_topology
from terraform_util import TerraformKit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("STREAMFABRIC_FUZZ_EXAMPLES", "3"))


def rendered_dir(kit: TerraformKit, directory: Path, files: dict[str, str]) -> Terraform:
    stripped = {k.removeprefix("terraform/"): v for k, v in files.items()}
    return kit.terraform(kit.workdir(directory, stripped))


def fmt_and_validate(tf: Terraform) -> None:
    fmt = tf.run("fmt", "-check", "-diff", "-recursive", "-no-color", check=False)
    assert fmt.returncode == 0 and fmt.stdout == "", f"terraform fmt would change:\n{fmt.stdout}"
    validate = tf.run("validate", "-json", "-no-color", check=False)
    report = json.loads(validate.stdout)
    problems = [f"{d['severity']}: {d['summary']}: {d.get('detail', '')}" for d in report["diagnostics"]]
    assert report["valid"] and validate.returncode == 0, problems
    assert problems == [], problems  # no warnings either (e.g. deprecated arguments)


@pytest.mark.parametrize("example", ["festival", "minimal"])
def test_examples_pass_terraform_fmt_and_validate_succeeds(
    terraform_kit: TerraformKit, tmp_path: Path, example: str
) -> None:
    model = load_topology(str(ROOT / "examples" / f"{example}.json"))
    fmt_and_validate(rendered_dir(terraform_kit, tmp_path, render_terraform(model)))


def test_validate_catches_an_unknown_argument_fails(terraform_kit: TerraformKit, tmp_path: Path) -> None:
    files = render_terraform(load_topology(str(ROOT / "examples" / "minimal.json")))
    files["terraform/secrets.tf"] = files["terraform/secrets.tf"].replace(
        "password_length     = 32", "password_length     = 32\n  length              = 32"
    )
    tf = rendered_dir(terraform_kit, tmp_path, files)
    report = json.loads(tf.run("validate", "-json", check=False).stdout)
    assert not report["valid"]
    assert any('"length" is not expected' in d.get("detail", "") for d in report["diagnostics"]), report


def test_fmt_catches_a_misaligned_file_fails(terraform_kit: TerraformKit, tmp_path: Path) -> None:
    files = render_terraform(load_topology(str(ROOT / "examples" / "minimal.json")))
    files["terraform/secrets.tf"] = files["terraform/secrets.tf"].replace(
        "password_length     = 32", "password_length = 32"
    )
    tf = rendered_dir(terraform_kit, tmp_path, files)
    fmt = tf.run("fmt", "-check", "-recursive", check=False)
    assert fmt.returncode != 0 and "secrets.tf" in fmt.stdout


def test_terraform_errors_name_the_command_and_directory_fails(
    terraform_kit: TerraformKit, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_vpc" {\n', encoding="utf-8")
    tf = terraform_kit.terraform(tmp_path)
    with pytest.raises(TerraformError, match=r"(?s)terraform validate failed in .*on main\.tf line 1"):
        tf.run("validate", "-no-color")


# Hypothesis: one terraform validate per example (~5 s each: the provider's schema loads).
@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(doc=valid_topology(max_regions=3, max_ingests=4))
def test_generated_topologies_pass_terraform_fmt_and_validate_succeeds(
    terraform_kit: TerraformKit, doc: dict[str, Any]
) -> None:
    model = parse_topology(json.dumps(doc), "fuzz.json")
    with tempfile.TemporaryDirectory(prefix="tf-fuzz-") as directory:
        fmt_and_validate(rendered_dir(terraform_kit, Path(directory), render_terraform(model)))
