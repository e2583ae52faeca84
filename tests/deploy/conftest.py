"""Fixtures for the deploy tests: models of the examples (copied next to a temporary runtime state),
a boto3 session and a gateway that never waits, moto with the temporary shims of helpers.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from streamfabric.aws.gateway import AwsGateway
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import helpers

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def copy_example(name: str, directory: Path) -> Path:
    target = directory / f"{name}.json"
    shutil.copy(EXAMPLES / f"{name}.json", target)
    return target


@pytest.fixture()
def festival(tmp_path: Path) -> Topology:
    """examples/festival.json, loaded from a copy in tmp_path (its runtime state goes there)."""
    return load_topology(str(copy_example("festival", tmp_path)))


@pytest.fixture()
def minimal(tmp_path: Path) -> Topology:
    return load_topology(str(copy_example("minimal", tmp_path)))


@pytest.fixture()
def moto_aws(aws: str) -> Iterator[str]:
    """The moto endpoint (with streamfabric's extension: no test-side patch)."""
    yield aws


@pytest.fixture()
def session() -> boto3.session.Session:
    return helpers.session()


@pytest.fixture()
def gateway(session: boto3.session.Session) -> AwsGateway:
    return helpers.gateway(session)
