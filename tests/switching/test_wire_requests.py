"""What streamfabric sends to MediaConnect, and what the emulator answers, during a deploy and a show
(switch, take, status), checked on the wire against botocore's model (:mod:`wire_shapes`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.deployment import deploy
from streamfabric.sandbox.server import reset
from streamfabric.switching import Switcher
from streamfabric.topology.loading import load_topology
from wire_shapes import WireRecorder

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_products_requests_and_the_emulators_answers_match_botocores_model(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "festival.json", tmp_path / "festival.json")
    model = load_topology(str(tmp_path / "festival.json"))
    reset(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    try:
        helpers.create_example_secrets(model, moto_server)
        helpers.create_example_hosted_zone(model)
        session = helpers.session()
        recorder = WireRecorder(session)
        gateway = AwsGateway(session, waiter_delay=0)
        deploy(model, network="cloudformation", gateway=gateway)
        sw = Switcher(model, gateway=gateway)
        sw.status()
        sw.switch("sydney-stage", "preview")
        sw.take()
        sw.switch("nyc-studio", "preview", expected="main-stage")
        sw.status()

        client = gateway.client("mediaconnect", model.hub.region)
        assert client.meta.config.parameter_validation is True  # botocore checks our params client-side
        deployed = {"AddFlowVpcInterfaces", "UpdateFlowOutput", "StartFlow"}  # the post-steps
        assert {*deployed, "UpdateFlowSource", "DescribeFlow", "ListFlows"} <= recorder.operations()
        assert any(e.operation == "UpdateFlowSource" and e.request for e in recorder.exchanges)
        assert recorder.request_problems() == []
        assert recorder.response_problems() == []
    finally:
        reset(moto_server)
