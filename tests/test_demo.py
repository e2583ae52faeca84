"""``streamfabric demo`` end to end: then the final state, checked with the test's own describe calls."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from ci_skip import skip_unless_ci
from streamfabric.cli.demo import DemoResult, run_demo
from streamfabric.cli.main import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demo_runs_the_whole_job_and_leaves_what_it_says(
    monkeypatch: pytest.MonkeyPatch, api_package: Path
) -> None:
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    seen: dict[str, Any] = {}

    def inspect(result: DemoResult) -> None:
        session = boto3.session.Session(
            aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name="us-east-1"
        )

        def client(service: str, region: str) -> Any:
            return session.client(service, region_name=region, endpoint_url=result.endpoint)

        state = json.loads(
            client("s3", "us-east-1")
            .get_object(Bucket="streamfabric-demo", Key="festival/festival.state.json")["Body"]
            .read()
        )
        flows: dict[str, dict[str, Any]] = {}
        for region in ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"):
            mc = client("mediaconnect", region)
            for listed in mc.list_flows()["Flows"]:
                flows[listed["Name"]] = mc.describe_flow(FlowArn=listed["FlowArn"])["Flow"]
        seen["flows"] = flows
        seen["state"] = state
        seen["functions"] = [
            f["FunctionName"] for f in client("lambda", "eu-west-1").list_functions()["Functions"]
        ]
        assert result.api_url is not None
        token = {"X-Streamfabric-Token": result.api_token or ""}
        status = urllib.request.Request(f"{result.api_url}/status", headers=token)
        with urllib.request.urlopen(status, timeout=30) as resp:
            seen["api_status"] = json.loads(resp.read())
        thumbnail = urllib.request.Request(f"{result.api_url}/thumbnails/main-stage", headers=token)
        with urllib.request.urlopen(thumbnail, timeout=30) as resp:
            seen["thumbnail"] = resp.read()
        # Protect Live from the CLI: a second panel (the demo's API) and the CLI are refused
        for var, value in (("AWS_ENDPOINT_URL", result.endpoint), ("AWS_ACCESS_KEY_ID", "sandbox"),
                           ("AWS_SECRET_ACCESS_KEY", "sandbox")):  # fmt: skip
            monkeypatch.setenv(var, value)
        uri = "s3://streamfabric-demo/festival/festival.json"
        assert main(["protect", "live", uri, "--reason", "speech"]) == 0
        switch = urllib.request.Request(
            f"{result.api_url}/switch", data=b'{"ingest": "main-stage"}', method="POST",
            headers={"Content-Type": "application/json", **token},
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(switch, timeout=30)
        seen["panel_refused"] = (refused.value.code, json.loads(refused.value.read()))
        seen["cli_refused"] = main(["switch", "main-stage", uri])
        seen["live_after"] = client("mediaconnect", "eu-west-1").describe_flow(
            FlowArn=state["live"]["flow_arn"]
        )["Flow"]["Source"]["Transport"]["SourceListenerAddress"]
        assert main(["unprotect", "live", uri]) == 0
        audit = client("s3", "us-east-1").list_objects_v2(
            Bucket="streamfabric-demo", Prefix="festival/festival.audit/"
        )
        seen["audit"] = [
            json.loads(
                client("s3", "us-east-1").get_object(Bucket="streamfabric-demo", Key=o["Key"])["Body"].read()
            )
            for o in audit.get("Contents", [])
        ]

    out = io.StringIO()
    result = run_demo(keep=True, port=0, out=out, wait_forever=inspect, api_package=api_package)
    text = out.getvalue()

    flows, state = seen["flows"], seen["state"]
    assert len(flows) == 8 and all(f["Status"] == "ACTIVE" for f in flows.values())

    def on(role: str) -> str:
        address = flows[f"festival-{role}"]["Source"]["Transport"]["SourceListenerAddress"]
        (name,) = [n for n, ing in state["ingests"].items() if ing["private_ip"] == address]
        return str(name)

    # The demo put nyc-studio on Live and boston-remote on Preview, then took: they swapped.
    assert (on("live"), on("preview")) == ("boston-remote", "nyc-studio")
    assert (result.live, result.preview) == ("boston-remote", "nyc-studio")
    assert [
        (r["action"], r["target"], r["to"], r["outcome"])
        for r in sorted(seen["audit"], key=lambda r: r["time"])
    ] == [  # each update of a flow's source is preceded by its intent record (switching.recording)
        ("switch", "live", "nyc-studio", "intent"),
        ("switch", "live", "nyc-studio", "switched"),
        ("switch", "preview", "boston-remote", "intent"),
        ("switch", "preview", "boston-remote", "switched"),
        ("take", "live+preview", "boston-remote", "intent"),
        ("take", "live+preview", "boston-remote", "switched"),
        ("switch", "live", "main-stage", "refused"),  # its encoder was stopped: no signal
        ("switch", "live", "main-stage", "intent"),
        ("switch", "live", "main-stage", "switched"),  # --force
        ("switch", "live", "boston-remote", "intent"),
        ("switch", "live", "boston-remote", "switched"),  # back
        ("protect", "live", "", "protected"),  # from the CLI
        ("switch", "live", "main-stage", "refused"),  # from the panel's API: protected
        ("switch", "live", "main-stage", "refused"),  # from the CLI: protected
        ("unprotect", "live", "", "unprotected"),
    ]
    code, problem = seen["panel_refused"]
    assert code == 409 and problem["error"] == "protected" and "speech" in problem["message"]
    assert seen["cli_refused"] == 1
    assert seen["live_after"] == state["ingests"]["boston-remote"]["private_ip"]
    refused = next(r for r in seen["audit"] if r["outcome"] == "refused")  # the first: no signal
    assert refused["evidence"]["receiving"] is False  # the metadata: nothing arrives now
    assert "refused (no_signal)" in text
    # live by their metadata (the bitrate comes once CloudWatch has delivered, 60 s behind); the
    # ingest whose encoder the demo stopped and restarted may still show status's cached metadata
    assert sum(not i["signal"]["has_signal"] for i in seen["api_status"]["ingests"]) <= 1
    assert seen["thumbnail"][:3] == b"\xff\xd8\xff"
    assert seen["api_status"]["live"]["ingest"] == "boston-remote"
    assert seen["functions"] == ["festival-control-api"] == [result.api_function]
    assert "validating s3://streamfabric-demo/festival/festival.json" in text
    assert "export AWS_ENDPOINT_URL=" in text and "done" in text


def test_demo_through_terraform_deploys_the_flows_on_terraform_s_network_succeeds(
    monkeypatch: pytest.MonkeyPatch, api_package: Path
) -> None:
    from terraform_util import missing_reason

    reason = missing_reason()
    if reason:
        skip_unless_ci(reason)
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    regions = ("eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1")
    seen: dict[str, Any] = {}

    def inspect(result: DemoResult) -> None:
        session = boto3.session.Session(
            aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name="us-east-1"
        )

        def client(service: str, region: str) -> Any:
            return session.client(service, region_name=region, endpoint_url=result.endpoint)

        seen["stacks"] = sorted(
            s["StackName"]
            for region in regions
            for s in client("cloudformation", region).list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        )
        seen["vpcs"] = {
            region: [
                v["VpcId"]
                for v in client("ec2", region).describe_vpcs(
                    Filters=[{"Name": "tag:streamfabric:topology", "Values": ["festival"]}]
                )["Vpcs"]
            ]
            for region in regions
        }
        seen["flows"] = [
            client("mediaconnect", region).describe_flow(FlowArn=f["FlowArn"])["Flow"]
            for region in regions
            for f in client("mediaconnect", region).list_flows()["Flows"]
        ]

    out = io.StringIO()
    result = run_demo(
        keep=True, port=0, out=out, wait_forever=inspect, network="terraform", api_package=api_package
    )
    text = out.getvalue()
    # No network, peering or routes stack: Terraform made the network (tagged through default_tags).
    assert not [s for s in seen["stacks"] if "-flows-" not in s and "-api-" not in s], seen["stacks"]
    assert all(len(ids) == 1 for ids in seen["vpcs"].values()), seen["vpcs"]
    assert len(seen["flows"]) == 8 and all(f["Status"] == "ACTIVE" for f in seen["flows"])
    subnets = {v["SubnetId"] for f in seen["flows"] for v in f["VpcInterfaces"]}
    assert len(subnets) == 4
    assert (result.live, result.preview) == ("boston-remote", "nyc-studio")
    assert "terraform apply" in text and "terraform applied" in text


def test_demo_through_terraform_without_terraform_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamfabric.cli.main import main

    monkeypatch.setenv("PATH", str(tmp_path))  # no terraform there
    assert main(["demo", "--network", "terraform"]) == 1
    out, err = capsys.readouterr()
    assert "error: terraform is not on PATH" in err and "Traceback" not in err
    assert "starting the embedded AWS emulator" not in out  # refused before anything started
