"""A protected flow against the deploy's on-air guard (issue 28, item 2), in the emulator: a deploy
that would re-point or interrupt it is refused before any change even with --allow-interruption
(the library, and the CLI with exit 1 naming the protection); a dry run says so; destroy is refused
while a flow is protected; once its protector unprotects it the deploy goes through, and a
protection of a flow the deploy does not touch is no bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from encoders import encoders_for_ingests  # tests/ is on sys.path
from streamfabric.aws.gateway import AwsGateway
from streamfabric.cli.main import main
from streamfabric.deployment import deploy, destroy
from streamfabric.deployment.plan.guard import DeployProtectedError
from streamfabric.switching.switcher import Switcher
from streamfabric.topology.loading import load_topology

from . import helpers
from .conftest import EXAMPLES

pytestmark = pytest.mark.integration

ALICE = "arn:aws:iam::123456789012:user/alice"


@pytest.fixture()
def deployed(moto_aws: str, tmp_path: Path, gateway: AwsGateway) -> Path:
    path = tmp_path / "festival.json"
    path.write_text((EXAMPLES / "festival.json").read_text())
    model = load_topology(str(path))
    helpers.create_example_secrets(model, moto_aws)
    helpers.create_example_hosted_zone(model)
    deploy(model, network="cloudformation", gateway=gateway)
    return path


def preview_address(session: boto3.session.Session, switcher: Switcher) -> Any:
    client = session.client("mediaconnect", region_name="eu-west-1")
    flow = client.describe_flow(FlowArn=switcher.state.preview.flow_arn)["Flow"]
    return flow["Source"]["Transport"]["SourceListenerAddress"]


def test_a_deploy_interrupting_a_protected_flow_is_refused_even_with_allow_interruption(
    deployed: Path, session: boto3.session.Session, capsys: pytest.CaptureFixture[str], moto_aws: str
) -> None:
    original = load_topology(str(deployed))
    alice = Switcher(original, gateway=helpers.gateway(session), caller=ALICE)
    encoders_for_ingests(moto_aws, alice.state)  # the switch checks the signal: every ingest sends
    alice.switch("nyc-studio", "preview")
    alice.protect("preview", until="1h", reason="interview")
    on_preview = preview_address(session, alice)
    doc = json.loads(deployed.read_text())
    doc["ingests"] = [i for i in doc["ingests"] if i["name"] != "nyc-studio"]  # Preview's ingest leaves
    deployed.write_text(json.dumps(doc, indent=2))
    model = load_topology(str(deployed))
    counter = helpers.CallCounter(session)

    with pytest.raises(DeployProtectedError) as refused:
        deploy(model, network="cloudformation", gateway=helpers.gateway(session), allow_interruption=True)
    message = str(refused.value)
    assert "deploy refused, nothing was changed (even with --allow-interruption)" in message
    assert f"preview is protected by {ALICE} until" in message and "(interview)" in message
    assert "this deploy would remove nyc-studio" in message
    assert refused.value.protections[0]["owner"] == ALICE
    assert counter.changes == []  # it only asked CloudFormation
    assert preview_address(session, alice) == on_preview

    # the CLI: exit 1, the protection named, as JSON too; a dry run says it would refuse
    argv = ["deploy", str(deployed), "--network", "cloudformation", "--yes", "--allow-interruption"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"preview is protected by {ALICE}" in err and "Traceback" not in err
    assert main([*argv, "--json"]) == 1
    problem = json.loads(capsys.readouterr().out)
    assert problem["error"] == "deploy_protected" and problem["protections"][0]["reason"] == "interview"
    main(["deploy", str(deployed), "--network", "cloudformation", "--dry-run", "--allow-interruption"])
    assert "deploy would refuse (exit 1) whatever the flags: preview is protected" in capsys.readouterr().out
    assert counter.changes == []

    with pytest.raises(DeployProtectedError, match="destroy refused, nothing was changed"):
        destroy(model, gateway=helpers.gateway(session))
    assert counter.changes == []
    assert preview_address(session, alice) == on_preview

    # unprotected, the deploy goes through; a protection of Live, which it does not touch, is no bar
    assert alice.unprotect("preview") is not None
    alice.protect("live", reason="main-stage stays")
    deploy(model, network="cloudformation", gateway=helpers.gateway(session), allow_interruption=True)
    assert preview_address(session, alice) != on_preview
