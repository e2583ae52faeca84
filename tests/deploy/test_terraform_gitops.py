"""The README's GitOps path end to end, with real Terraform and the real AWS provider against the
emulator (``streamfabric sandbox serve``): render → ``terraform apply`` → ``terraform output -json``
→ ``streamfabric deploy --network-outputs`` → ``status``, ``switch`` → ``streamfabric destroy`` →
``terraform destroy``; then describe calls show nothing of the topology is left.

The emulator needs no provider setting of its own: the provider honours ``AWS_ENDPOINT_URL`` for
every service (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#aws_endpoint_url)
and the fake credentials are checked by the emulator's STS ``GetCallerIdentity``."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from streamfabric.cli.emulator import Served, serve
from streamfabric.cli.main import main
from streamfabric.sandbox.server import reset
from streamfabric.topology.loading import load_topology
from terraform_util import TerraformKit, resource_blocks

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Destroyed at once (the default recovery window keeps it 7 days, under the same name).
TF_VARS = {"hop_secret_recovery_window_days": "0"}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, f"streamfabric {' '.join(argv)} exited {code}:\n{out}\n{err}"
    return out


def leftovers(endpoint: str, regions: list[str], seeded: set[tuple[str, str]]) -> dict[str, Any]:
    """Everything in the emulator that is not a default resource or a seeded prerequisite."""
    session = boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name="us-east-1"
    )
    found: dict[str, Any] = {}

    def client(service: str, region: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint)

    for region in regions:
        ec2 = client("ec2", region)
        found[f"{region} vpcs"] = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
        found[f"{region} peerings"] = [
            p["VpcPeeringConnectionId"]
            for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
            if p["Status"]["Code"] != "deleted"  # AWS lists deleted peerings for a while
        ]
        found[f"{region} enis"] = [
            e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces()["NetworkInterfaces"]
        ]
        found[f"{region} flow logs"] = [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]]
        found[f"{region} security groups"] = [
            g["GroupId"]
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["GroupName"] != "default"
        ]
        found[f"{region} log groups"] = [
            g["logGroupName"] for g in client("logs", region).describe_log_groups()["logGroups"]
        ]
        found[f"{region} secrets"] = [
            s["Name"]
            for s in client("secretsmanager", region).list_secrets(IncludePlannedDeletion=True)["SecretList"]
            if (region, s["Name"]) not in seeded
        ]
        found[f"{region} flows"] = [
            f["FlowArn"] for f in client("mediaconnect", region).list_flows()["Flows"]
        ]
        found[f"{region} stacks"] = [
            s["StackName"]
            for s in client("cloudformation", region).list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        ]
    found["iam roles"] = [r["RoleName"] for r in client("iam", "us-east-1").list_roles()["Roles"]]
    return {k: v for k, v in found.items() if v}


def test_gitops_path_with_terraform_against_the_emulator_leaves_nothing_succeeds(
    terraform_kit: TerraformKit,
    moto_server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reset(moto_server)  # the emulator's backends are shared by every server in this process
    topology = tmp_path / "festival.json"
    shutil.copy(EXAMPLES / "festival.json", topology)
    model = load_topology(str(topology))
    regions = [n.region for n in model.networks]
    seeded = {(r, ref.name) for r, ref in model.secret_uses()}
    measured: dict[str, Any] = {}

    def gitops(served: Served) -> None:
        for name, value in served.environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        infra = tmp_path / "infra"
        cli(capsys, "render", str(topology), "--out", str(infra))
        files = {p.name: p.read_text() for p in (infra / "terraform").glob("*.tf")}
        tf = terraform_kit.terraform(terraform_kit.workdir(infra / "terraform"), served.environment)

        started = time.perf_counter()
        tf.apply(TF_VARS)
        measured["apply_s"] = time.perf_counter() - started
        in_state = tf.resources()
        managed = sorted(a for a in in_state if not a.startswith("data."))
        assert managed == resource_blocks(files)
        measured["resources"] = len(managed)
        assert not tf.plan_changes(TF_VARS), "a second plan right after apply proposes changes"
        # The hop passphrase is in Secrets Manager (hub and replicas) and nowhere in the state.
        hop = f"{model.name}/internal-hop/srt-passphrase"
        values = {
            region: boto3.client(
                "secretsmanager", region_name=region, endpoint_url=served.endpoint_url
            ).get_secret_value(SecretId=hop)["SecretString"]
            for region in regions
        }
        (passphrase,) = set(values.values())
        assert len(passphrase) == 32 and passphrase.isalnum()
        state = tf.run("state", "pull").stdout
        assert '"aws_secretsmanager_secret_version"' in state and passphrase not in state
        # A rotation: a higher hop_secret_version writes a new passphrase, again not into the state.
        tf_vars = {**TF_VARS, "hop_secret_version": "2"}
        tf.apply(tf_vars)
        hub_secrets = boto3.client(
            "secretsmanager", region_name=model.hub.region, endpoint_url=served.endpoint_url
        )
        rotated = hub_secrets.get_secret_value(SecretId=hop)["SecretString"]
        assert rotated != passphrase and len(rotated) == 32
        assert rotated not in tf.run("state", "pull").stdout
        assert not tf.plan_changes(tf_vars)

        network = tmp_path / "network.json"
        network.write_text(json.dumps(tf.output_json()), encoding="utf-8")
        cli(capsys, "deploy", str(topology), "--network-outputs", str(network), "--yes")
        status = json.loads(cli(capsys, "status", str(topology), "--json"))
        assert (status["live"]["ingest"], status["preview"]["ingest"]) == ("main-stage", "tent-stage")
        assert {i["name"]: i["state"] for i in status["ingests"]} == dict.fromkeys(
            model.ingest_names, "ACTIVE"
        )
        cli(capsys, "switch", "nyc-studio", str(topology))
        status = json.loads(cli(capsys, "status", str(topology), "--json"))
        assert status["live"]["ingest"] == "nyc-studio"
        # The flows run on Terraform's network: the hub's Live flow has its VPC interface in the
        # subnet `terraform output` named.
        outputs = json.loads(network.read_text())["regions"]["value"]
        mc = boto3.client("mediaconnect", region_name=model.hub.region, endpoint_url=served.endpoint_url)
        live = mc.describe_flow(FlowArn=status["live"]["flow_arn"])["Flow"]
        assert [v["SubnetId"] for v in live["VpcInterfaces"]] == [outputs[model.hub.region]["subnet_id"]]

        cli(capsys, "destroy", str(topology), "--network-outputs", str(network), "--yes")  # the README's
        started = time.perf_counter()
        tf.destroy(tf_vars)
        measured["destroy_s"] = time.perf_counter() - started
        assert tf.resources() == []
        assert leftovers(served.endpoint_url, regions, seeded) == {}
        assert not (tmp_path / "festival.state.json").exists()

    out = io.StringIO()
    serve(model, port=0, out=out, wait=gitops)
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in out.getvalue()
    print(f"\nterraform: {measured['resources']} resources, apply {measured['apply_s']:.1f} s, "
          f"destroy {measured['destroy_s']:.1f} s")  # fmt: skip


def test_leftovers_sees_what_terraform_left_fails(moto_server: str) -> None:
    """The final check can fail: a VPC and a secret left behind are reported."""
    reset(moto_server)
    try:
        ec2 = boto3.client("ec2", region_name="eu-west-1", endpoint_url=moto_server)
        ec2.create_vpc(CidrBlock="10.9.0.0/16")
        boto3.client("secretsmanager", region_name="eu-west-1", endpoint_url=moto_server).create_secret(
            Name="festival/internal-hop/srt-passphrase", SecretString="x"
        )
        found = leftovers(moto_server, ["eu-west-1"], set())
        assert set(found) == {"eu-west-1 vpcs", "eu-west-1 secrets"}
        assert found["eu-west-1 secrets"] == ["festival/internal-hop/srt-passphrase"]
    finally:
        reset(moto_server)
