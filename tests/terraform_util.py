"""Terraform itself as a referee: the ``terraform`` binary with the real hashicorp/aws provider.

``terraform_kit()`` (the session fixture ``terraform_kit`` in tests/conftest.py) runs ``terraform
init`` once per session, into a shared plugin cache, from the local provider mirror; each test's
working directory then gets a copy of that ``.terraform/`` (provider links) and lock file, so no
test initialises again. The mirror is found as :mod:`streamfabric.cli.terraform` documents:
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

from streamfabric.cli.terraform import (
    DEFAULT_MIRRORS,
    MIN_VERSION,
    MIRROR_ENV,
    Terraform,
    find_mirror,
    find_terraform,
    terraform_env,
    terraform_version,
    version_tuple,
)
from streamfabric.rendering.terraform import render_terraform
from streamfabric.topology.loading import load_topology

RESOURCE_BLOCK = re.compile(r'^resource "([a-z0-9_]+)" "([a-z0-9_]+)"', re.MULTILINE)


def missing_reason() -> str | None:
    """Why the Terraform tests cannot run here, or None when they can."""
    binary = find_terraform()
    if binary is None:
        return f"terraform is not on PATH (install Terraform >= {MIN_VERSION} to run the Terraform tests)"
    found = terraform_version(binary)
    if found < version_tuple(MIN_VERSION):
        version = ".".join(map(str, found))
        return f"terraform {version} is older than {MIN_VERSION}, which the rendered code requires"
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
    # What every rendered network requires: the versions.tf of any topology.
    minimal = load_topology(str(Path(__file__).resolve().parents[1] / "examples" / "minimal.json"))
    (seed / "versions.tf").write_text(render_terraform(minimal)["terraform/versions.tf"], encoding="utf-8")
    Terraform(seed, env).init()
    return TerraformKit(seed, env)


def resource_blocks(files: Mapping[str, str]) -> list[str]:
    """``type.name`` of every ``resource`` block in the rendered files."""
    return sorted(f"{t}.{n}" for text in files.values() for t, n in RESOURCE_BLOCK.findall(text))
