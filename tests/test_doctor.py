"""``doctor``: against the emulator (STS, MediaConnect, S3), and botocore's Stubber for what moto
lacks (Service Quotas for MediaConnect, IAM SimulatePrincipalPolicy)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from deploy import helpers  # tests/deploy (tests/ is on sys.path)
from streamfabric.aws.gateway import AwsGateway
from streamfabric.cli.main import main
from streamfabric.reports.doctor import (
    REQUIRED_ACTIONS,
    check_mediaconnect,
    check_permissions,
    diagnose,
    flows_needed,
    principal_of,
)
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BUCKET = "festival-config"
ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/deployer/ci-run"


def _offline_gateway() -> AwsGateway:
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="eu-west-1")
    return AwsGateway(session)


def _quotas(gateway: AwsGateway, region: str, value: float | None) -> Stubber:
    """Service Quotas in ``region``: the account's flows quota (or none listed, then no default)."""
    stub = Stubber(gateway.client("service-quotas", region))
    if value is None:
        stub.add_response("list_service_quotas", {"Quotas": []}, {"ServiceCode": "mediaconnect"})
        stub.add_client_error("list_aws_default_service_quotas", "NoSuchResourceException")
    else:
        quota = {
            "ServiceCode": "mediaconnect",
            "QuotaName": "Flows",
            "QuotaCode": "L-F1A2B3C4",
            "Value": value,
        }
        stub.add_response("list_service_quotas", {"Quotas": [quota]}, {"ServiceCode": "mediaconnect"})
    stub.activate()
    return stub


def test_principal_of_a_caller() -> None:
    assert principal_of(ROLE_SESSION) == "arn:aws:iam::123456789012:role/deployer"
    assert principal_of("arn:aws:iam::123456789012:user/carol") == "arn:aws:iam::123456789012:user/carol"
    assert principal_of("arn:aws:iam::123456789012:root") is None


def test_permissions_denied_are_named_with_a_fix() -> None:
    gateway = _offline_gateway()
    stub = Stubber(gateway.client("iam"))
    results = [
        {
            "EvalActionName": action,
            "EvalDecision": "implicitDeny" if action.startswith("mediaconnect:Update") else "allowed",
        }
        for action in REQUIRED_ACTIONS
    ]
    stub.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": results, "IsTruncated": False},
        {"PolicySourceArn": "arn:aws:iam::123456789012:role/deployer", "ActionNames": list(REQUIRED_ACTIONS)},
    )
    with stub:
        finding = check_permissions(gateway, ROLE_SESSION)
    assert finding.status == "error"
    assert "mediaconnect:UpdateFlowOutput, mediaconnect:UpdateFlowSource" in finding.message
    assert finding.fix.startswith("grant arn:aws:iam::123456789012:role/deployer")


def test_permissions_are_skipped_when_simulation_is_not_allowed() -> None:
    gateway = _offline_gateway()
    stub = Stubber(gateway.client("iam"))
    stub.add_client_error("simulate_principal_policy", "AccessDenied", http_status_code=403)
    with stub:
        finding = check_permissions(gateway, ROLE_SESSION)
    assert (finding.status, finding.message) == ("skipped", "not simulated: AccessDenied")
    assert "iam:SimulatePrincipalPolicy" in finding.fix


def test_a_region_without_mediaconnect_is_an_error() -> None:
    finding, existing = check_mediaconnect(_offline_gateway(), "eu-south-9", offered=["eu-west-1"])
    assert (finding.status, existing) == ("error", set())
    assert "not offered in eu-south-9" in finding.message and finding.fix


@pytest.fixture()
def festival_on_s3(aws: str, tmp_path: Path) -> Topology:
    s3 = boto3.session.Session().client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="festival.json", Body=(EXAMPLES / "festival.json").read_bytes())
    return load_topology(f"s3://{BUCKET}/festival.json")


@pytest.mark.integration
def test_diagnose_against_the_emulator(festival_on_s3: Topology) -> None:
    model = festival_on_s3
    gateway = helpers.gateway(helpers.session())
    needed = flows_needed(model)
    assert needed["eu-west-1"] == (
        "festival-live",
        "festival-main-stage",
        "festival-preview",
        "festival-tent-stage",
    )
    stubs = [_quotas(gateway, "eu-west-1", 3), _quotas(gateway, "sa-east-1", None)]
    stubs += [_quotas(gateway, region, 20) for region in ("us-east-1", "ap-southeast-2")]
    findings = {f.check: f for f in diagnose(model, gateway)}
    for stub in stubs:
        stub.assert_no_pending_responses()

    assert findings["identity"].status == "ok" and "account 123456789012" in findings["identity"].message
    assert all(findings[f"mediaconnect {r}"].status == "ok" for r in needed)
    hub = findings["flows quota eu-west-1"]
    assert (hub.status, hub.message) == ("error", "4 flow(s) after the deploy, the quota is 3")
    assert "--quota-code L-F1A2B3C4 --desired-value 4 --region eu-west-1" in hub.fix
    assert findings["flows quota us-east-1"].message == "2 of 20 flow(s) after the deploy"
    assert findings["flows quota sa-east-1"].status == "skipped"
    [versioning] = [f for name, f in findings.items() if name.startswith("versioning")]
    assert versioning.check.startswith(f"versioning s3://{BUCKET} (topology, runtime state, audit log)")
    assert versioning.status == "warning"
    assert versioning.fix == (
        f"aws s3api put-bucket-versioning --bucket {BUCKET} --versioning-configuration Status=Enabled"
    )
    assert findings["permissions"].status == "skipped"  # moto's caller is not an IAM user or role


@pytest.mark.integration
def test_doctor_command_reports_json_and_exit_code(
    festival_on_s3: Topology, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = festival_on_s3.source.uri
    assert main(["doctor", uri, "--json"]) == 0  # warnings and skipped checks are not errors
    report = json.loads(capsys.readouterr().out)
    assert report["ready"] is True
    statuses = {f["check"]: f["status"] for f in report["findings"]}
    assert statuses["identity"] == "ok" and statuses["mediaconnect eu-west-1"] == "ok"

    s3 = boto3.session.Session().client("s3", region_name="us-east-1")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    assert main(["doctor", uri]) == 0
    out = capsys.readouterr().out
    assert f"✓ versioning s3://{BUCKET} (topology, runtime state, audit log): enabled" in out
    assert out.endswith("festival: ready to deploy\n")
