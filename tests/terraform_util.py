"""Terraform itself as a referee: the ``terraform`` binary with the real hashicorp/aws provider.

``terraform_kit()`` (the session fixture ``terraform_kit`` in tests/conftest.py) runs ``terraform
init`` once per session, into a shared plugin cache, from the local provider mirror; each test's
working directory then gets a copy of that ``.terraform/`` (provider links) and lock file, so no
test initialises again. The mirror is found as :mod:`streamfabric.terraform_cli` documents:
``$STREAMFABRIC_TF_MIRROR``, else the first of ``DEFAULT_MIRRORS`` holding hashicorp/aws (on these
machines and in CI: ``/opt/tf-plugins``). Without ``terraform`` on PATH or without a mirror the
tests that need them are skipped, saying which is missing.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from streamfabric.terraform_cli import (
    DEFAULT_MIRRORS,
    MIRROR_ENV,
    Terraform,
    find_mirror,
    find_terraform,
    terraform_env,
)

# What every rendered network requires (versions.tf): the seed initialised once per session.
SEED_VERSIONS = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
"""
RESOURCE_BLOCK = re.compile(r'^resource "([a-z0-9_]+)" "([a-z0-9_]+)"', re.MULTILINE)


def missing_reason() -> str | None:
    """Why the Terraform tests cannot run here, or None when they can."""
    if find_terraform() is None:
        return "terraform is not on PATH (install Terraform >= 1.5 to run the Terraform tests)"
    if find_mirror() is None:
        return (
            f"no Terraform provider mirror holding hashicorp/aws: set ${MIRROR_ENV} "
            f"(looked in {', '.join(DEFAULT_MIRRORS)})"
        )
    return None


@dataclass(frozen=True)
class TerraformKit:
    """An initialised seed directory and the environment (CLI config with the mirror)."""

    seed: Path
    env: dict[str, str]

    def workdir(self, directory: Path, files: Mapping[str, str] | None = None) -> Path:
        """``directory`` ready for ``terraform validate``/``apply`` without ``init``: ``files``
        (relative path -> text) written into it, the seed's ``.terraform/`` and lock file copied."""
        directory.mkdir(parents=True, exist_ok=True)
        for path, text in (files or {}).items():
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        shutil.copytree(self.seed / ".terraform", directory / ".terraform", symlinks=True, dirs_exist_ok=True)
        shutil.copy(self.seed / ".terraform.lock.hcl", directory / ".terraform.lock.hcl")
        return directory

    def terraform(self, workdir: Path, aws: Mapping[str, str] | None = None) -> Terraform:
        return Terraform(workdir, {**self.env, **(aws or {})})


def terraform_kit(scratch: Path) -> TerraformKit:
    mirror = find_mirror()
    assert mirror is not None
    base = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_ENDPOINT_URL")}
    env = terraform_env(scratch / "cli", mirror=mirror, base=base)
    seed = scratch / "seed"
    seed.mkdir()
    (seed / "versions.tf").write_text(SEED_VERSIONS, encoding="utf-8")
    Terraform(seed, env).init()
    return TerraformKit(seed, env)


def resource_blocks(files: Mapping[str, str]) -> list[str]:
    """``type.name`` of every ``resource`` block in the rendered files."""
    return sorted(f"{t}.{n}" for text in files.values() for t, n in RESOURCE_BLOCK.findall(text))
