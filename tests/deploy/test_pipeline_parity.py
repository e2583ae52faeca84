"""``plan``, ``deploy --dry-run`` and ``deploy`` are one pipeline: for the same inputs they plan the
same instructions (the control API's package included) and give the same on-air verdict; they
differ by their executor alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy import helpers
from streamfabric.deployment import deploy, preview
from streamfabric.deployment.plan.guard import OnAirError
from streamfabric.deployment.plan.instructions import DeployStack, UploadApiPackage
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUCKET = "festival-config"


def _festival_on_s3(document: dict[str, object]) -> Topology:
    sess = helpers.session()
    s3 = sess.client("s3", region_name="eu-west-1")
    s3.put_object(Bucket=BUCKET, Key="festival.json", Body=json.dumps(document).encode())
    return load_topology(f"s3://{BUCKET}/festival.json", session=sess)


@pytest.mark.integration
def test_plan_dry_run_and_deploy_plan_the_same_instructions_and_verdict(aws: str, api_package: Path) -> None:
    sess = helpers.session()
    sess.client("s3", region_name="eu-west-1").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    document = json.loads((EXAMPLES / "festival.json").read_text())
    model = _festival_on_s3(document)
    helpers.create_example_secrets(model, aws)
    helpers.create_example_hosted_zone(model)
    gateway = helpers.gateway(sess)
    options = {"network": "cloudformation", "gateway": gateway, "api_package": api_package}

    planned = preview(model, **options)  # type: ignore[arg-type]
    dry = deploy(model, dry_run=True, **options)  # type: ignore[arg-type]
    done = deploy(model, **options)  # type: ignore[arg-type]
    assert planned.plan.steps == dry.plan.steps == done.plan.steps
    uploads = [s for s in dry.plan.steps if isinstance(s, UploadApiPackage)]
    assert [u.object_key for u in uploads] == [dry.api_code.key if dry.api_code else None]
    (api,) = [s for s in dry.plan.steps if isinstance(s, DeployStack) and s.kind == "api"]
    assert uploads[0].key in api.after  # the function's code is there before its stack
    assert dict(api.parameters)["CodeKey"] == uploads[0].object_key
    assert {s.stack for s in planned.stacks} == {
        s.stack for s in dry.plan.steps if isinstance(s, DeployStack)
    }
    assert planned.interruptions == dry.interruptions == done.interruptions == ()
    assert done.api_uploaded and uploads[0] in done.executed

    # Live and Preview are on air now: remove the ingest Live is on, and all three say so alike.
    live_on = model.hub.live.starts_on
    document["ingests"] = [i for i in document["ingests"] if i["name"] != live_on]  # type: ignore[attr-defined, index]
    document["hub"]["live"]["starts_on"] = document["hub"]["preview"]["starts_on"]  # type: ignore[index]
    edited = _festival_on_s3(document)
    planned = preview(edited, **options)  # type: ignore[arg-type]
    dry = deploy(edited, dry_run=True, **options)  # type: ignore[arg-type]
    with pytest.raises(OnAirError) as refused:
        deploy(edited, **options)  # type: ignore[arg-type]
    assert planned.plan.steps == dry.plan.steps
    assert planned.interruptions == dry.interruptions == refused.value.interruptions
    assert list(dict.fromkeys((i.role, i.ingest) for i in dry.interruptions)) == [("live", live_on)]
    assert planned.to_dict()["would_refuse"] is True
