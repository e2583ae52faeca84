"""A festival.json deployed once per module into the moto server; each test gets a fresh Switcher."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path, like golden_util)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import deploy
from streamfabric.sandbox.server import reset
from streamfabric.switching import Switcher
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class World:
    endpoint: str
    model: Topology
    directory: Path

    def session(self) -> boto3.session.Session:
        return helpers.session()

    def switcher(self, session: boto3.session.Session | None = None, **kwargs: object) -> Switcher:
        sess = session or self.session()
        return Switcher(self.model, gateway=AwsGateway(sess, waiter_delay=0), **kwargs)  # type: ignore[arg-type]

    def hub_source(self, role: str) -> dict[str, object]:
        """The hub flow's source, found by the ARN in the runtime state (names need not be unique)."""
        client = self.session().client("mediaconnect", region_name=self.model.hub.region)
        arn = self.switcher().state.hub_flow(role).flow_arn  # type: ignore[arg-type]
        return client.describe_flow(FlowArn=arn)["Flow"]["Source"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def world(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("switching")
    shutil.copy(EXAMPLES / "festival.json", directory / "festival.json")
    model = load_topology(str(directory / "festival.json"))
    reset(moto_server)
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ENDPOINT_URL", moto_server)
    try:
        helpers.create_example_secrets(model, moto_server)
        helpers.create_example_hosted_zone(model)
        deploy(model, network="cloudformation", gateway=helpers.gateway(helpers.session()))
        yield World(moto_server, model, directory)
    finally:
        mp.undo()
        reset(moto_server)


@pytest.fixture()
def on_air_reset(world: World) -> Iterator[World]:
    """Every test starts from main-stage on Live and tent-stage on Preview, with an empty audit log."""
    sw = world.switcher()
    for role, ingest in (("live", "main-stage"), ("preview", "tent-stage")):
        sw.switch(ingest, role, force=True)  # type: ignore[arg-type]
    audit = world.directory / "festival.audit.jsonl"
    audit.unlink(missing_ok=True)
    yield world
