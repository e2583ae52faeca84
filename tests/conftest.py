"""Shared fixtures: an AWS endpoint (moto's server on 127.0.0.1, started by the tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Never let a test reach a real account by accident: fake credentials unless the opt-in
# real-AWS marker's environment is set.
if os.environ.get("STREAMFABRIC_REAL_AWS") != "1":
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.pop("AWS_PROFILE", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    real = os.environ.get("STREAMFABRIC_REAL_AWS") == "1"
    skip = pytest.mark.skip(reason="real AWS tests need STREAMFABRIC_REAL_AWS=1 and credentials")
    for item in items:
        if "real_aws" in item.keywords and not real:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server (with streamfabric's MediaConnect extension) on 127.0.0.1; yields its URL."""
    from streamfabric.sandbox.server import Sandbox

    sandbox = Sandbox()
    sandbox.start()
    try:
        yield sandbox.endpoint_url
    finally:
        sandbox.stop()


@pytest.fixture()
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A clean moto backend for one test, with boto3 pointed at it through AWS_ENDPOINT_URL."""
    from streamfabric.sandbox.server import reset

    reset(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    yield moto_server
    reset(moto_server)


@pytest.fixture(scope="session")
def api_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The control API's Lambda package, built once per session (wheels from the package index,
    through pip's own cache) with a cache of its own, so no earlier build is reused."""
    from streamfabric.deploy.api_package import build_api_package

    root = tmp_path_factory.mktemp("api-package")
    return build_api_package(root / "dist", cache_dir=root / "cache").path


@pytest.fixture(scope="session")
def terraform_kit(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Terraform with the real AWS provider, initialised once per session (see terraform_util.py);
    skips, saying why, where terraform or the provider mirror is absent."""
    from terraform_util import missing_reason, terraform_kit

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    return terraform_kit(tmp_path_factory.mktemp("terraform"))
