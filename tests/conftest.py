"""Shared fixtures: an AWS endpoint (moto's server on 127.0.0.1, started by the tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

pytest_plugins = ["pytester"]  # tests/test_hygiene.py runs the session's own set-up in a sub-session

# Never let a test reach a real account by accident: fake credentials, no profile, and no shared
# config or credentials file, unconditionally. The opt-in real-AWS test gets the environment it was
# started with back through the ``real_aws_environment`` fixture, and nothing else does.
AWS_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_STARTED_WITH = {name: os.environ.get(name) for name in AWS_ENVIRONMENT}
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",  # never ask an instance's metadata service either
}
for _name in AWS_ENVIRONMENT:
    os.environ.pop(_name, None)
os.environ.update(FAKE_AWS)

# Hypothesis profiles: `pytest --hypothesis-profile long` for a long fuzzing run; `ci` is the
# default. Each property states its own share of the profile's budget (`hypothesis_budget.examples`): one
# example of the render fuzz (cfn-lint) costs as much as a hundred of the loading fuzz.
# STREAMFABRIC_FUZZ_EXAMPLES=N (the old knob) still works: it sets the profile's max_examples.
# With CI set, Hypothesis loads its own "ci" profile at import (too_slow suppressed, derandomized), and
# a profile registered without a parent inherits it: name the parent, so `ci` is the same everywhere,
# except that CI draws the same examples every run (a landing must not hinge on a random draw; the
# dev default and `--hypothesis-profile long` explore).
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    max_examples=150,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=(),
    derandomize=bool(os.environ.get("CI")),
)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=20, deadline=None)
if os.environ.get("STREAMFABRIC_FUZZ_EXAMPLES"):
    settings.register_profile(
        "env",
        parent=settings.get_profile("ci"),
        max_examples=max(1, int(os.environ["STREAMFABRIC_FUZZ_EXAMPLES"])),
    )
    settings.load_profile("env")
else:
    settings.load_profile("ci")  # `--hypothesis-profile NAME` (Hypothesis's own option) overrides it


@pytest.fixture()
def real_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the opt-in real-AWS test only: the AWS environment the test session was started with."""
    for name in (*AWS_ENVIRONMENT, *FAKE_AWS):
        monkeypatch.delenv(name, raising=False)
    for name, value in _STARTED_WITH.items():
        if value is not None:
            monkeypatch.setenv(name, value)


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
    from streamfabric.deployment.api_package import build_api_package

    root = tmp_path_factory.mktemp("api-package")
    return build_api_package(root / "dist", cache_dir=root / "cache").path


@pytest.fixture(scope="session")
def terraform_kit(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Terraform with the real AWS provider, initialised once per session (see terraform_util.py);
    skips, saying why, where terraform or the provider mirror is absent."""
    from terraform_util import missing_reason, terraform_kit

    reason = missing_reason()
    if reason:
        from ci_skip import skip_unless_ci

        skip_unless_ci(reason)  # in CI the Terraform tests must run, never skip quietly
    return terraform_kit(tmp_path_factory.mktemp("terraform"))
