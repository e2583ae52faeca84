"""The terraform runner's lookups: the provider mirror ($STREAMFABRIC_TF_MIRROR, then the
documented defaults) and the CLI configuration it writes. No terraform needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_skip import skip_unless_ci
from streamfabric.cli import terraform as terraform_cli
from streamfabric.cli.terraform import MIRROR_ENV, TerraformError, cli_config, find_mirror, terraform_env


def mirror_at(directory: Path) -> Path:
    (directory / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64").mkdir(
        parents=True
    )
    return directory


def test_mirror_from_the_environment_variable_succeeds(tmp_path: Path) -> None:
    mirror = mirror_at(tmp_path / "mirror")
    assert find_mirror({MIRROR_ENV: str(mirror)}) == mirror


def test_mirror_variable_naming_no_mirror_fails(tmp_path: Path) -> None:
    with pytest.raises(TerraformError, match=rf"\${MIRROR_ENV}={tmp_path}: no registry.terraform.io/"):
        find_mirror({MIRROR_ENV: str(tmp_path)})


def test_default_lookup_takes_the_first_holding_hashicorp_aws_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    (empty / "registry.terraform.io").mkdir(parents=True)  # no hashicorp/aws in it
    second, third = mirror_at(tmp_path / "second"), mirror_at(tmp_path / "third")
    monkeypatch.setattr(terraform_cli, "DEFAULT_MIRRORS", (str(empty), str(second), str(third)))
    assert find_mirror({}) == second
    monkeypatch.setattr(terraform_cli, "DEFAULT_MIRRORS", (str(empty),))
    assert find_mirror({}) is None


def test_default_lookup_finds_this_machine_s_mirror_without_a_variable_succeeds() -> None:
    """CI and these machines keep the mirror in /opt/tf-plugins: found with no variable set."""
    if not Path("/opt/tf-plugins/registry.terraform.io/hashicorp/aws").is_dir():
        skip_unless_ci("no provider mirror in /opt/tf-plugins on this machine")
    assert find_mirror({}) == Path("/opt/tf-plugins")


def test_cli_config_installs_from_the_mirror_only_succeeds(tmp_path: Path) -> None:
    mirror = tmp_path / 'a "quoted" dir'
    text = cli_config(mirror, tmp_path / "cache")
    assert f"    path = {json.dumps(str(mirror))}\n" in text
    assert text.startswith("provider_installation {\n  filesystem_mirror {\n")
    assert text.endswith(f"plugin_cache_dir = {json.dumps(str(tmp_path / 'cache'))}\n")
    assert cli_config(None) == "\n"


def test_terraform_env_points_at_the_config_and_disables_prompts_succeeds(tmp_path: Path) -> None:
    mirror = mirror_at(tmp_path / "mirror")
    env = terraform_env(tmp_path / "scratch", mirror=mirror, aws={"AWS_ENDPOINT_URL": "http://x"}, base={})
    config = Path(env["TF_CLI_CONFIG_FILE"])
    assert config.read_text() == cli_config(mirror, tmp_path / "scratch" / "plugin-cache")
    assert (tmp_path / "scratch" / "plugin-cache").is_dir()
    assert env["TF_INPUT"] == "0" and env["CHECKPOINT_DISABLE"] == "1"
    assert env["AWS_ENDPOINT_URL"] == "http://x"
    without = terraform_env(tmp_path / "other", mirror=None, base={"TF_CLI_CONFIG_FILE": "/mine"})
    assert without["TF_CLI_CONFIG_FILE"] == "/mine"  # the user's own configuration, untouched


def test_require_terraform_without_it_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TerraformError, match="terraform is not on PATH"):
        terraform_cli.require_terraform()


def test_terraform_version_reads_the_binary_s_json_succeeds(tmp_path: Path) -> None:
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\necho \'{"terraform_version": "1.11.4", "platform": "linux_amd64"}\'\n')
    fake.chmod(0o755)
    assert terraform_cli.terraform_version(str(fake)) == (1, 11, 4)
    assert terraform_cli.terraform_version(str(fake)) >= terraform_cli.version_tuple(
        terraform_cli.MIN_VERSION
    )
    fake.write_text("#!/bin/sh\necho 'Terraform v0.11.0'\n")
    with pytest.raises(TerraformError, match="cannot read the version"):
        terraform_cli.terraform_version(str(fake))
