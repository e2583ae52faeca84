"""The router engine's rendered stacks deploy in the sandbox's CloudFormation (the Router types'
models), through plain boto3: router inputs in their regions, the hub's outputs into its flows."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from streamfabric.rendering import render
from streamfabric.topology.loading import load_topology

ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/festival-mediaconnect"


def _secret(region: str, name: str) -> str:
    return f"arn:aws:secretsmanager:{region}:123456789012:secret:{name}-AbCdEf"


def _deploy(aws: str, files: dict[str, str]) -> dict[str, str]:
    stacks = json.loads(files["cloudformation/manifest.json"])["stacks"]
    made = {}
    for stack in stacks:
        cfn = boto3.client("cloudformation", region_name=stack["region"], endpoint_url=aws)
        values = {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(files[stack["parameters"]])}
        params = [
            {
                "ParameterKey": key,
                "ParameterValue": value or (ROLE if key == "RoleArn" else _secret(stack["region"], key)),
            }
            for key, value in values.items()
        ]
        cfn.create_stack(StackName=stack["name"], TemplateBody=files[stack["template"]], Parameters=params)
        status = cfn.describe_stacks(StackName=stack["name"])["Stacks"][0]["StackStatus"]
        events = cfn.describe_stack_events(StackName=stack["name"])["StackEvents"]
        reasons = [e.get("ResourceStatusReason") for e in events if "FAILED" in e["ResourceStatus"]]
        assert status == "CREATE_COMPLETE", (stack["name"], status, reasons)
        made[stack["name"]] = stack["region"]
    return made


def test_festival_router_deploys_and_a_take_feeds_the_live_flow(aws: str) -> None:
    model = load_topology(str(ROOT / "examples" / "festival-router.json"))
    made = _deploy(aws, render(model))
    mc = boto3.client("mediaconnect", region_name="eu-west-1", endpoint_url=aws)
    inputs = mc.list_router_inputs()["RouterInputs"]
    assert sorted((i["Name"], i["RegionName"], i["State"]) for i in inputs) == sorted(
        (f"festival-{i.name}", i.region, "STANDBY") for i in model.ingests
    )
    outputs = mc.list_router_outputs()["RouterOutputs"]
    assert sorted((o["Name"], o["RegionName"], o["OutputType"]) for o in outputs) == [
        ("festival-live", "eu-west-1", "MEDIACONNECT_FLOW"),
        ("festival-preview", "eu-west-1", "MEDIACONNECT_FLOW"),
    ]
    live = next(o for o in outputs if o["Name"] == "festival-live")
    main_stage = next(i for i in inputs if i["Name"] == "festival-main-stage")
    assert (
        mc.take_router_input(RouterOutputArn=live["Arn"], RouterInputArn=main_stage["Arn"])["RoutedState"]
        == "ROUTING"
    )
    assert mc.get_router_output(Arn=live["Arn"])["RouterOutput"]["RoutedState"] == "ROUTED"
    flow_arn = mc.get_router_output(Arn=live["Arn"])["RouterOutput"]["Configuration"]["MediaConnectFlow"][
        "FlowArn"
    ]
    source = mc.describe_flow(FlowArn=flow_arn)["Flow"]["Source"]
    assert source["ConnectedRouterOutputArn"] == live["Arn"]

    nyc = next(i for i in inputs if i["Name"] == "festival-nyc-studio")
    mc.take_router_input(RouterOutputArn=live["Arn"], RouterInputArn=nyc["Arn"])
    mc.get_router_output(Arn=live["Arn"])
    ingest = boto3.client("cloudformation", region_name="us-east-1", endpoint_url=aws)
    ingest.delete_stack(StackName="festival-router-us-east-1")  # nyc-studio is on air: refused
    status = ingest.describe_stacks(StackName="festival-router-us-east-1")["Stacks"][0]["StackStatus"]
    assert status == "DELETE_FAILED"
    events = ingest.describe_stack_events(StackName="festival-router-us-east-1")["StackEvents"]
    reasons = [e.get("ResourceStatusReason") or "" for e in events if e["ResourceStatus"] == "DELETE_FAILED"]
    assert any("routed" in reason for reason in reasons), reasons
    for name, region in made.items():
        boto3.client("cloudformation", region_name=region, endpoint_url=aws).delete_stack(StackName=name)
    assert mc.list_router_inputs()["RouterInputs"] == []
    assert mc.list_router_network_interfaces()["RouterNetworkInterfaces"] == []
    with pytest.raises(ClientError):
        mc.describe_flow(FlowArn=flow_arn)
