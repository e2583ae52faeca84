"""``streamfabric demo`` end to end: then the final state, checked with the test's own describe calls."""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from ci_skip import skip_unless_ci
from streamfabric.cli.demo import DemoResult, run_demo

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
        audit = client("s3", "us-east-1").list_objects_v2(
            Bucket="streamfabric-demo", Prefix="festival/festival.audit/"
        )
        seen["audit"] = [
            json.loads(
                client("s3", "us-east-1").get_object(Bucket="streamfabric-demo", Key=o["Key"])["Body"].read()
            )
            for o in audit.get("Contents", [])
        ]
        seen["functions"] = [
            f["FunctionName"] for f in client("lambda", "eu-west-1").list_functions()["Functions"]
        ]
        assert result.api_url is not None
        with urllib.request.urlopen(f"{result.api_url}/status", timeout=30) as resp:
            seen["api_status"] = json.loads(resp.read())
        with urllib.request.urlopen(f"{result.api_url}/thumbnails/main-stage", timeout=30) as resp:
            seen["thumbnail"] = resp.read()

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
    ] == [
        ("switch", "live", "nyc-studio", "switched"),
        ("switch", "preview", "boston-remote", "switched"),
        ("take", "live+preview", "boston-remote", "switched"),
        ("switch", "live", "main-stage", "refused"),  # its encoder was stopped: no signal
        ("switch", "live", "main-stage", "switched"),  # --force
        ("switch", "live", "boston-remote", "switched"),  # back
    ]
    refused = next(r for r in seen["audit"] if r["outcome"] == "refused")
    assert refused["evidence"]["connected"] is False
    assert "refused (no_signal)" in text
    assert all(i["signal"]["bitrate_bps"] > 1e6 for i in seen["api_status"]["ingests"])
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
