"""A deploy (or destroy) interrupted at every mutating call in turn converges when run again: no
duplicate stack, flow, VPC interface, output or network interface, and then nothing left to do.

The topology is examples/minimal.json under a new name per step (each run has its own stacks and
flows), on a network given as Terraform outputs: every call deploy makes is a flow stack's change
set or a post-step, and stacks of every kind go through the same change-set code.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from streamfabric.deployment import deploy, destroy
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import Topology

from . import helpers
from .conftest import EXAMPLES

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def named(name: str, directory: Path) -> Topology:
    doc = json.loads((EXAMPLES / "minimal.json").read_text())
    doc["name"] = name
    doc["control_api"] = {"enabled": False}  # only flow stacks
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc))
    return parse_topology(path.read_bytes(), str(path))


def ours(items: list[dict[str, Any]], key: str, model: Topology) -> list[dict[str, Any]]:
    return [item for item in items if str(item.get(key, "")).startswith(f"{model.name}-")]


def assert_single(sess: boto3.session.Session, model: Topology) -> None:
    """Exactly one of everything the deploy makes for ``model``, all of it in place."""
    for net in model.networks:
        cfn = sess.client("cloudformation", region_name=net.region)
        stacks = ours(cfn.describe_stacks()["Stacks"], "StackName", model)
        assert len(stacks) == len({s["StackName"] for s in stacks}) == 1, stacks
        assert all(s["StackStatus"] == "CREATE_COMPLETE" for s in stacks)
        mc = sess.client("mediaconnect", region_name=net.region)
        flows = ours(mc.list_flows()["Flows"], "Name", model)
        assert all(n == 1 for n in Counter(f["Name"] for f in flows).values()), flows
        enis = sess.client("ec2", region_name=net.region).describe_network_interfaces()["NetworkInterfaces"]
        for flow in flows:
            described = mc.describe_flow(FlowArn=flow["FlowArn"])["Flow"]
            assert described["Status"] == "ACTIVE"
            assert len(described["VpcInterfaces"]) == 1
            outputs = [o["Name"] for o in described["Outputs"]]
            assert len(outputs) == len(set(outputs))
            assert len([e for e in enis if f"flow {flow['Name']} " in e.get("Description", "")]) == 1


@pytest.fixture()
def network(moto_aws: str, tmp_path: Path) -> dict[str, object]:
    model = named("net", tmp_path)
    helpers.create_example_secrets(model, moto_aws)
    return helpers.create_network(helpers.session(), model, moto_aws)


def test_deploy_interrupted_at_every_step_converges(
    network: dict[str, object], tmp_path: Path, session: boto3.session.Session
) -> None:
    counter = helpers.CallCounter(session)  # before the gateway makes its clients
    gateway = helpers.CrashingGateway(session, crash_at=None)
    deploy(named("ref", tmp_path), network_outputs=network, gateway=gateway, max_workers=1)
    steps = list(gateway.mutations)
    assert len(steps) == 14  # 2 flow stacks x (create + execute change set) + 10 post-step calls
    assert len(counter.mutating) == 14

    for k, step in enumerate(steps, start=1):
        model = named(f"crash{k}", tmp_path)
        gateway.mutations, gateway.crash_at = [], k
        with pytest.raises(helpers.Crash):
            deploy(model, network_outputs=network, gateway=gateway, max_workers=1)
        assert gateway.mutations[k - 1] == step
        # An exception (unlike a kill) lets the deploy finish asking CloudFormation (the other
        # stacks' reviews) and discard the change sets it made: nothing is executed or changed after
        # the failed call.
        cleanup = {
            "cloudformation.create_change_set",
            "cloudformation.delete_change_set",
            "cloudformation.delete_stack",
        }
        assert set(gateway.mutations[k:]) <= cleanup, gateway.mutations[k:]
        gateway.crash_at = None
        deploy(model, network_outputs=network, gateway=gateway, max_workers=1)
        assert_single(session, model)
        counter.reset()
        again = deploy(model, network_outputs=network, gateway=gateway)
        assert counter.mutating == [], f"after a crash at step {k} ({step})"
        assert again.plan.empty
        # gone again: MediaConnect allows 20 flows per Region (the emulator enforces the quota)
        destroy(model, gateway=gateway, max_workers=1)


def test_destroy_interrupted_at_every_step_converges(
    network: dict[str, object], tmp_path: Path, session: boto3.session.Session
) -> None:
    gateway = helpers.CrashingGateway(session, crash_at=None)
    reference = named("dref", tmp_path)
    deploy(reference, network_outputs=network, gateway=gateway)
    gateway.mutations = []
    destroy(reference, gateway=gateway, max_workers=1)
    steps = list(gateway.mutations)
    assert len(steps) == 12  # ingest: stop, 2 detach, remove; hubs: stop, standby, remove; 2 stacks

    for k, step in enumerate(steps, start=1):
        model = named(f"d{k}", tmp_path)
        deploy(model, network_outputs=network, gateway=gateway)
        gateway.mutations, gateway.crash_at = [], k
        with pytest.raises(helpers.Crash):
            destroy(model, gateway=gateway, max_workers=1)
        assert gateway.mutations[-1] == step
        gateway.crash_at = None
        destroy(model, gateway=gateway, max_workers=1)
        for net in model.networks:
            assert (
                ours(
                    session.client("mediaconnect", region_name=net.region).list_flows()["Flows"],
                    "Name",
                    model,
                )
                == []
            )
            stacks = session.client("cloudformation", region_name=net.region).describe_stacks()["Stacks"]
            assert ours(stacks, "StackName", model) == []
            enis = session.client("ec2", region_name=net.region).describe_network_interfaces()[
                "NetworkInterfaces"
            ]
            assert [e for e in enis if f"flow {model.name}-" in e.get("Description", "")] == []
        assert not Path(f"{tmp_path}/{model.name}.state.json").exists()
