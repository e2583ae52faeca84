"""Run the ``terraform`` binary on a rendered network (``terraform/`` of ``rendering.render``).

Used by ``streamfabric demo --network terraform`` and by the tests that hand the rendered code to
Terraform itself. Nothing here renders or calls AWS: Terraform does, with the environment given
(``AWS_ENDPOINT_URL`` pointing at the emulator in the demo and the tests).

Providers come from a local *filesystem mirror* when one is found (the machines without network
access have one), else from the registry as ``terraform init`` does by default. The mirror is:

1. ``$STREAMFABRIC_TF_MIRROR`` when set (an error if it holds no ``registry.terraform.io/``);
2. else the first of :data:`DEFAULT_MIRRORS` holding ``registry.terraform.io/hashicorp/aws``.

With a mirror, a CLI configuration (``provider_installation { filesystem_mirror { ... } }``, see
https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation) is written
into a scratch directory and passed as ``TF_CLI_CONFIG_FILE``; ``plugin_cache_dir`` lets several
working directories share one copy of the provider.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StreamfabricError

MIRROR_ENV = "STREAMFABRIC_TF_MIRROR"
# Searched in this order when $STREAMFABRIC_TF_MIRROR is unset: where these machines keep theirs,
# then Terraform's own implied mirror directories on Linux and macOS.
DEFAULT_MIRRORS = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
PROVIDER = Path("registry.terraform.io", "hashicorp", "aws")
# The rendered versions.tf requires it (write-only arguments keep the hop passphrase out of state).
MIN_VERSION = "1.11.0"


class TerraformError(StreamfabricError):
    """``terraform`` is missing, or one of its commands failed (its output's tail attached)."""

    kind = "terraform"


def find_terraform() -> str | None:
    """The ``terraform`` binary on PATH, or None."""
    return shutil.which("terraform")


def require_terraform() -> str:
    found = find_terraform()
    if found is None:
        raise TerraformError(
            f"terraform is not on PATH: install Terraform >= {MIN_VERSION} "
            "(https://developer.hashicorp.com/terraform/install), or use --network cloudformation"
        )
    return found


def terraform_version(binary: str) -> tuple[int, ...]:
    """``terraform version -json``'s version as a tuple of integers (``(1, 11, 4)``)."""
    proc = subprocess.run(
        [binary, "version", "-json"], capture_output=True, text=True, timeout=60, check=False
    )
    try:
        text = str(json.loads(proc.stdout)["terraform_version"])
        return tuple(int(part) for part in text.split("-")[0].split("."))
    except (ValueError, KeyError, TypeError) as exc:
        raise TerraformError(f"{binary} version -json: cannot read the version ({exc})") from None


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def find_mirror(env: Mapping[str, str] | None = None) -> Path | None:
    """The provider mirror directory (the one holding ``registry.terraform.io/``), or None."""
    env = os.environ if env is None else env
    explicit = env.get(MIRROR_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not (path / "registry.terraform.io").is_dir():
            raise TerraformError(f"${MIRROR_ENV}={explicit}: no registry.terraform.io/ directory in it")
        return path
    for candidate in DEFAULT_MIRRORS:
        path = Path(candidate).expanduser()
        if (path / PROVIDER).is_dir():
            return path
    return None


def cli_config(mirror: Path | None, plugin_cache: Path | None = None) -> str:
    """The text of a Terraform CLI configuration file: install from ``mirror`` only, cache plugins."""
    lines: list[str] = []
    if mirror is not None:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f"    path = {json.dumps(str(mirror))}",
            "  }",
            "}",
        ]
    if plugin_cache is not None:
        lines.append(f"plugin_cache_dir = {json.dumps(str(plugin_cache))}")
    return "\n".join(lines) + "\n"


def terraform_env(
    scratch: Path,
    *,
    mirror: Path | None,
    aws: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment for ``terraform``: no prompts, no version check over the network, the mirror
    (a CLI config written into ``scratch``) and the AWS variables given."""
    env = dict(os.environ if base is None else base)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
    if mirror is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        cache = scratch / "plugin-cache"
        cache.mkdir(exist_ok=True)
        config = scratch / "terraformrc"
        config.write_text(cli_config(mirror, cache), encoding="utf-8")
        env["TF_CLI_CONFIG_FILE"] = str(config)
    env.update(aws or {})
    return env


@dataclass
class Terraform:
    """One working directory (the rendered ``terraform/``) and the environment to run in."""

    workdir: Path
    env: dict[str, str]
    binary: str = field(default_factory=require_terraform)
    timeout: float = 1800.0

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.binary, f"-chdir={self.workdir}", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=self.timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            tail = (proc.stderr.strip() or proc.stdout.strip())[-3000:]
            raise TerraformError(
                f"terraform {args[0]} failed in {self.workdir} (exit {proc.returncode}):\n{tail}"
            )
        return proc

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self, variables: Mapping[str, str] | None = None) -> str:
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", *_vars(variables)).stdout

    def plan_changes(self, variables: Mapping[str, str] | None = None) -> bool:
        """Whether ``terraform plan`` proposes any change (``-detailed-exitcode``: 0 none, 2 some)."""
        proc = self.run(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", *_vars(variables), check=False
        )
        if proc.returncode not in (0, 2):
            raise TerraformError(f"terraform plan failed in {self.workdir}:\n{proc.stderr[-3000:]}")
        return proc.returncode == 2

    def output_json(self) -> dict[str, Any]:
        data = json.loads(self.run("output", "-json").stdout)
        if not isinstance(data, dict):
            raise TerraformError(f"terraform output -json in {self.workdir}: not a JSON object")
        return data

    def destroy(self, variables: Mapping[str, str] | None = None) -> str:
        return self.run("destroy", "-auto-approve", "-input=false", "-no-color", *_vars(variables)).stdout

    def resources(self) -> list[str]:
        """Addresses in the state (``terraform state list``; data sources included)."""
        proc = self.run("state", "list", check=False)
        return [line for line in proc.stdout.splitlines() if line.strip()]


def _vars(variables: Mapping[str, str] | None) -> Sequence[str]:
    return [f"-var={name}={value}" for name, value in sorted((variables or {}).items())]


__all__ = [
    "DEFAULT_MIRRORS",
    "MIN_VERSION",
    "MIRROR_ENV",
    "Terraform",
    "TerraformError",
    "cli_config",
    "find_mirror",
    "find_terraform",
    "require_terraform",
    "terraform_env",
    "terraform_version",
    "version_tuple",
]
