"""Ship the control API's Lambda package: where it goes, whether it is there, the stack's parameters.

The package is uploaded content-addressed, ``s3://<bucket>/<prefix>/api-<sha256>.zip``, so an
unchanged package has the same key: deploy finds it there (``HeadObject``), uploads nothing, and
the API stack's ``CodeBucket``/``CodeKey`` parameters are unchanged, so the stack gets no change
set either. The bucket is ``$.control_api.artifacts`` or the topology's own bucket. Lambda reads
the code from S3 in the function's region ("AWS::Lambda::Function Code", CloudFormation User
Guide: "The Amazon S3 bucket must be in the same AWS Region as your function"): the bucket must
be in the hub region.

The function exists only when the topology is on S3 (the Lambda reads it from there; see
:mod:`streamfabric.rendering.api`); for a topology read from a local file nothing is packaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..aws.gateway import AwsGateway
from ..errors import DeployError, NotFoundError
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
    key = f"{prefix}/api-{built.sha256}.zip" if prefix else f"api-{built.sha256}.zip"
    return ApiCode(model.hub.region, bucket, key, built)


def with_api_code(specs: Sequence[StackSpec], code: ApiCode | None) -> tuple[StackSpec, ...]:
    """The API stack with its ``CodeBucket``/``CodeKey`` parameters and ``CodeArchitecture``, the
    architecture the package's wheels were built for (x86_64 for a pure-Python one: Lambda's
    default); the other stacks as they are."""
    if code is None:
        return tuple(specs)
    extra = (
        ("CodeBucket", code.bucket),
        ("CodeKey", code.key),
        ("CodeArchitecture", code.package.arch or "x86_64"),
    )
    return tuple(
        replace(spec, parameters=(*(p for p in spec.parameters if p[0] not in dict(extra)), *extra))
        if spec.kind == "api"
        else spec
        for spec in specs
    )


def bucket_region(gateway: AwsGateway, bucket: str) -> str:
    """The bucket's region (S3 API Reference, GetBucketLocation: an empty LocationConstraint is
    us-east-1, the legacy "EU" is eu-west-1)."""
    found = gateway.call("s3", None, "get_bucket_location", Bucket=bucket).get("LocationConstraint")
    return {"": "us-east-1", "EU": "eu-west-1"}.get(found or "", found or "us-east-1")


def is_uploaded(gateway: AwsGateway, code: ApiCode) -> bool:
    """Is the package at its key already (S3 API Reference, HeadObject: 404 when it is not)?
    First, the bucket must be in the function's region (DeployError otherwise: CloudFormation
    would fail to create the function only after the other stacks were deployed)."""
    region = bucket_region(gateway, code.bucket)
    if region != code.region:
        raise DeployError(
            f"$.control_api.artifacts: bucket {code.bucket} is in {region}, but the control API's "
            f"function is in the hub region {code.region}, and Lambda reads its code from a bucket "
            f"in its own region: name a bucket in {code.region} in control_api.artifacts"
        )
    try:
        gateway.call("s3", code.region, "head_object", Bucket=code.bucket, Key=code.key)
    except NotFoundError:
        return False
    return True


def upload(gateway: AwsGateway, code: ApiCode) -> None:
    """PutObject with the package's SHA-256 checked by S3 (S3 API Reference, PutObject,
    ``ChecksumSHA256``: S3 rejects the upload if the bytes it got differ)."""
    import base64

    digest = base64.b64encode(bytes.fromhex(code.package.sha256)).decode("ascii")
    gateway.call(
        "s3", code.region, "put_object",
        Bucket=code.bucket, Key=code.key, Body=code.package.path.read_bytes(),
        ContentType="application/zip", ChecksumSHA256=digest,
    )  # fmt: skip


def api_outputs(gateway: AwsGateway, specs: Sequence[StackSpec]) -> dict[str, str]:
    """The API stack's URLs as deployed: ``api_url`` (scripts, SigV4) and ``panel_url`` (browser)."""
    from .remote import observe_stacks

    wanted = [(spec.region, spec.name) for spec in specs if spec.kind == "api"]
    urls: dict[str, str] = {}
    for state in observe_stacks(gateway, wanted, details=False).values():
        for output, name in (("ApiUrl", "api_url"), ("PanelUrl", "panel_url")):
            if state.outputs.get(output):
                urls[name] = state.outputs[output]
    return urls


__all__ = [
    "ApiCode",
    "api_outputs",
    "artifacts_location",
    "bucket_region",
    "is_uploaded",
    "resolve_api_code",
    "upload",
    "wants_function",
    "with_api_code",
]
