"""The control API's Lambda package: which one, where it goes, the stack's parameters (no AWS call).

The package is uploaded content-addressed, ``s3://<bucket>/<prefix>/api-<sha256>.zip``, so an
unchanged package has the same key: deploy finds it there (``HeadObject``, :mod:`.reads`), plans
no upload (:class:`.plan.instructions.UploadApiPackage`), and
the API stack's ``CodeBucket``/``CodeKey`` parameters are unchanged, so the stack gets no change
set either. The bucket is ``$.control_api.artifacts`` or the topology's own bucket. Lambda reads
the code from S3 in the function's region ("AWS::Lambda::Function Code", CloudFormation User
Guide: "The Amazon S3 bucket must be in the same AWS Region as your function"): the bucket must
be in the hub region.

The function exists only when the topology is on S3 (the Lambda reads it from there; see
:mod:`streamfabric.rendering.api`); for a topology read from a local file nothing is packaged.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import DeployError
from ..topology.model import Topology
from .api_package import ApiPackage, build_api_package, cache_root, describe
from .manifest import StackSpec

DEFAULT_PREFIX = "streamfabric-artifacts"


@dataclass(frozen=True, slots=True)
class ApiCode:
    """The package and where it lives in S3."""

    region: str
    bucket: str
    key: str
    package: ApiPackage

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def wants_function(model: Topology) -> bool:
    """The API stack creates its function (and so needs a package): enabled, topology on S3."""
    return model.control_api.enabled and model.source.is_s3


def artifacts_location(model: Topology) -> tuple[str, str]:
    """(bucket, prefix) for the package: ``$.control_api.artifacts``, else the topology's bucket."""
    if model.control_api.artifacts is not None:
        return model.control_api.artifacts.bucket, model.control_api.artifacts.prefix.strip("/")
    if model.source.is_s3:
        return model.source.uri[5:].split("/", 1)[0], DEFAULT_PREFIX
    raise DeployError(
        f"{model.source.uri}: $.control_api.artifacts: name the bucket deploy uploads the control "
        "API's Lambda package to (bucket, prefix); a topology read from a local file has no "
        "bucket of its own"
    )


def resolve_api_code(model: Topology, package: str | Path | ApiPackage | None) -> ApiCode | None:
    """The package to ship (``package``: a prebuilt zip, else built or reused from the cache), or
    None when the API stack creates no function."""
    if not wants_function(model):
        return None
    bucket, prefix = artifacts_location(model)
    if isinstance(package, ApiPackage):
        built = package
    elif package is not None:
        path = Path(package)
        if not path.is_file():
            raise DeployError(f"--api-package {path}: no such file")
        built = describe(path)
    else:
        built = build_api_package(cache_root() / "dist")
        if built.note:  # built for another runtime than python3.12, or without bytecode: say so
            print(f"note: the control API's Lambda package: {built.note}", file=sys.stderr)
    key = f"{prefix}/api-{built.sha256}.zip" if prefix else f"api-{built.sha256}.zip"
    return ApiCode(model.hub.region, bucket, key, built)


def with_api_code(specs: Sequence[StackSpec], code: ApiCode | None) -> tuple[StackSpec, ...]:
    """The API stack with its ``CodeBucket``/``CodeKey`` parameters, ``CodeArchitecture``, the
    architecture the package's wheels were built for (x86_64 for a pure-Python one: Lambda's
    default), and ``CodeRuntime``, the runtime its wheels and bytecode were built for; the other
    stacks as they are."""
    if code is None:
        return tuple(specs)
    extra = (
        ("CodeBucket", code.bucket),
        ("CodeKey", code.key),
        ("CodeArchitecture", code.package.arch or "x86_64"),
        ("CodeRuntime", code.package.runtime),
    )
    return tuple(
        replace(spec, parameters=(*(p for p in spec.parameters if p[0] not in dict(extra)), *extra))
        if spec.kind == "api"
        else spec
        for spec in specs
    )


__all__ = ["ApiCode", "artifacts_location", "resolve_api_code", "wants_function", "with_api_code"]
