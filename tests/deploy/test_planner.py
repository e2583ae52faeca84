"""The pure planners: whole plans compared, no AWS."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from streamfabric.deployment.manifest import stack_specs
from streamfabric.deployment.network import load_terraform_outputs
from streamfabric.deployment.observed import RemoteState
from streamfabric.deployment.plan.deploy import plan_deploy
from streamfabric.deployment.plan.destroy import plan_destroy
from streamfabric.deployment.plan.instructions import (
    AddVpcInterface,
    AttachOutput,
    DeleteNetworkInterface,
    DeleteRuntimeState,
    DeleteStack,
    DeployStack,
    DetachOutput,
    Phase,
    Plan,
    RemoveVpcInterface,
    RestoreStandbySource,
    SetCallerSource,
    StartFlow,
    StopFlow,
)
from streamfabric.deployment.plan.stacks import stack_tags
from streamfabric.deployment.plan.values import (
    FlowArn,
    FlowOutputArn,
    FlowSourceArn,
    InterfaceAddress,
    StackOutput,
)
from streamfabric.errors import DeployError
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES

HOP_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hop-AbCdEf"
ROLE = "arn:aws:iam::123456789012:role/mc"


@pytest.fixture(scope="module")
def model() -> Topology:
    return load_topology(str(EXAMPLES / "minimal.json"))


@pytest.fixture(scope="module")
def rendered(model: Topology) -> dict[str, str]:
    return samples.files(model)


def fresh(model: Topology) -> RemoteState:
    return RemoteState(secrets=samples.secrets(model))


def test_fresh_deploy_plans_every_stack_and_every_post_step(
    model: Topology, rendered: dict[str, str]
) -> None:
    specs = {s.name: s for s in stack_specs(rendered)}
    tags = (("streamfabric:topology", "minimal"),)
    camera_secret = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:minimal/camera-one-Zz9Zz9"

    def stack(
        name: str,
        parameters: tuple[tuple[str, object], ...] = (),
        after: tuple[str, ...] = (),
        caps: tuple[str, ...] = (),
    ) -> DeployStack:
        spec = specs[name]
        return DeployStack(
            stack=name,
            region=spec.region,
            kind=spec.kind,
            change_set_type="CREATE",
            template=spec.template,
            template_body=spec.template_body,
            parameters=parameters,
            tags=tags,
            capabilities=caps,
            reason="new stack",
            after=after,
        )  # type: ignore[arg-type]

    def net(region: str, key: str) -> StackOutput:
        return StackOutput(stack=f"minimal-network-{region}", region=region, key=key)

    iam = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM")
    hub, spoke = "us-east-1", "eu-west-2"
    # flows are found by the ARNs their flows stacks output, never by name
    ingest_arn = FlowArn(spoke, "minimal-camera-one", f"minimal-flows-{spoke}", "CameraOneFlowArn")
    live = FlowArn(hub, "minimal-live", f"minimal-flows-{hub}", "LiveFlowArn")
    preview = FlowArn(hub, "minimal-preview", f"minimal-flows-{hub}", "PreviewFlowArn")
    address = InterfaceAddress(spoke, "minimal-camera-one", "camera-one-vpc", ingest_arn)
    expected = Plan(
        (
            Phase("retire"),
            Phase(
                "stacks",
                (
                    stack("minimal-network-us-east-1", caps=iam),
                    stack("minimal-network-eu-west-2", caps=iam),
                    stack(
                        "minimal-flows-us-east-1",
                        (("RoleArn", net(hub, "RoleArn")), ("HopSecretArn", net(hub, "HopSecretArn"))),
                        ("stack:minimal-network-us-east-1",),
                    ),
                    stack(
                        "minimal-flows-eu-west-2",
                        (
                            ("RoleArn", net(spoke, "RoleArn")),
                            ("HopSecretArn", net(spoke, "HopSecretArn")),
                            ("SecretCameraOneArn", camera_secret),
                        ),
                        ("stack:minimal-network-eu-west-2",),
                    ),
                ),
            ),
            Phase(
                "post-steps",
                (
                    AddVpcInterface(
                        region=spoke,
                        flow="minimal-camera-one",
                        flow_arn=ingest_arn,
                        name="camera-one-vpc",
                        subnet_id=net(spoke, "SubnetId"),
                        security_group_id=net(spoke, "SecurityGroupId"),
                        role_arn=net(spoke, "RoleArn"),
                    ),
                    AttachOutput(
                        region=spoke,
                        flow="minimal-camera-one",
                        flow_arn=ingest_arn,
                        output="to-live",
                        output_arn=FlowOutputArn(spoke, "minimal-camera-one", "to-live", ingest_arn),
                        vpc_interface="camera-one-vpc",
                        after=("minimal-camera-one:add-vpc-interface:camera-one-vpc",),
                    ),
                    AttachOutput(
                        region=spoke,
                        flow="minimal-camera-one",
                        flow_arn=ingest_arn,
                        output="to-preview",
                        output_arn=FlowOutputArn(spoke, "minimal-camera-one", "to-preview", ingest_arn),
                        vpc_interface="camera-one-vpc",
                        after=("minimal-camera-one:attach-output:to-live",),
                    ),
                    StartFlow(
                        region=spoke,
                        flow="minimal-camera-one",
                        flow_arn=ingest_arn,
                        after=("minimal-camera-one:attach-output:to-preview",),
                    ),
                    AddVpcInterface(
                        region=hub,
                        flow="minimal-live",
                        flow_arn=live,
                        name="live-vpc",
                        subnet_id=net(hub, "SubnetId"),
                        security_group_id=net(hub, "SecurityGroupId"),
                        role_arn=net(hub, "RoleArn"),
                    ),
                    SetCallerSource(
                        region=hub,
                        flow="minimal-live",
                        flow_arn=live,
                        source_arn=FlowSourceArn(hub, "minimal-live", live),
                        vpc_interface="live-vpc",
                        ingest="camera-one",
                        address=address,
                        port=7000,
                        min_latency_ms=200,
                        secret_arn=net(hub, "HopSecretArn"),
                        role_arn=net(hub, "RoleArn"),
                        after=(
                            "minimal-live:add-vpc-interface:live-vpc",
                            "minimal-camera-one:add-vpc-interface:camera-one-vpc",
                        ),
                    ),
                    StartFlow(
                        region=hub, flow="minimal-live", flow_arn=live, after=("minimal-live:caller-source",)
                    ),
                    AddVpcInterface(
                        region=hub,
                        flow="minimal-preview",
                        flow_arn=preview,
                        name="preview-vpc",
                        subnet_id=net(hub, "SubnetId"),
                        security_group_id=net(hub, "SecurityGroupId"),
                        role_arn=net(hub, "RoleArn"),
                    ),
                    SetCallerSource(
                        region=hub,
                        flow="minimal-preview",
                        flow_arn=preview,
                        source_arn=FlowSourceArn(hub, "minimal-preview", preview),
                        vpc_interface="preview-vpc",
                        ingest="camera-one",
                        address=address,
                        port=7001,
                        min_latency_ms=200,
                        secret_arn=net(hub, "HopSecretArn"),
                        role_arn=net(hub, "RoleArn"),
                        after=(
                            "minimal-preview:add-vpc-interface:preview-vpc",
                            "minimal-camera-one:add-vpc-interface:camera-one-vpc",
                        ),
                    ),
                    StartFlow(
                        region=hub,
                        flow="minimal-preview",
                        flow_arn=preview,
                        after=("minimal-preview:caller-source",),
                    ),
                ),
            ),
            Phase("clean up"),
        )
    )
    assert plan_deploy(model, stack_specs(rendered), fresh(model), network=None) == expected


def test_a_deployed_topology_plans_nothing(model: Topology, rendered: dict[str, str]) -> None:
    plan = plan_deploy(model, stack_specs(rendered), samples.deployed(model, rendered), network=None)
    assert plan == Plan((Phase("retire"), Phase("stacks"), Phase("post-steps"), Phase("clean up")))
    assert plan.empty and plan.lines() == ["nothing to change"]


def test_terraform_network_parameters_come_from_the_outputs(model: Topology) -> None:
    rendered = samples.files(model, network="terraform")
    network = load_terraform_outputs(samples.terraform_outputs(model), model)
    plan = plan_deploy(model, stack_specs(rendered), fresh(model), network=network)
    (_, spoke_stack) = plan.phase("stacks").steps
    assert isinstance(spoke_stack, DeployStack)
    assert spoke_stack.parameters == (
        ("RoleArn", ROLE),
        ("HopSecretArn", "arn:aws:secretsmanager:eu-west-2:123456789012:secret:hop-AbCdEf"),
        (
            "SecretCameraOneArn",
            "arn:aws:secretsmanager:eu-west-2:123456789012:secret:minimal/camera-one-Zz9Zz9",
        ),
    )
    assert spoke_stack.after == ()
    add = plan.phase("post-steps").steps[0]
    assert isinstance(add, AddVpcInterface) and add.subnet_id == "subnet-eu-west-2"
    deployed = samples.deployed(model, rendered, network="terraform")
    assert plan_deploy(model, stack_specs(rendered), deployed, network=network).empty


@pytest.mark.parametrize(
    ("change", "change_set_type", "reason", "replace_stack"),
    [
        ({"template_body": "Resources: {}\n"}, "UPDATE", "template changed", False),
        (
            {"parameters": {"RoleArn": "arn:aws:iam::123456789012:role/other"}},
            "UPDATE",
            "parameters changed: RoleArn",
            False,
        ),
        ({"tags": {}}, "UPDATE", "tags changed", False),
        ({"status": "ROLLBACK_COMPLETE"}, "CREATE", "ROLLBACK_COMPLETE: delete and create again", True),
        (
            {"status": "REVIEW_IN_PROGRESS", "template_body": None},
            "CREATE",
            "REVIEW_IN_PROGRESS (never executed): delete and create again",
            True,
        ),
    ],
)
def test_a_stack_differs(
    model: Topology,
    rendered: dict[str, str],
    change: dict[str, object],
    change_set_type: str,
    reason: str,
    replace_stack: bool,
) -> None:
    remote = samples.deployed(model, rendered)
    name = "minimal-flows-us-east-1"
    state = remote.stacks[name]
    if "parameters" in change:
        change = {"parameters": {**state.parameters, **change["parameters"]}}  # type: ignore[dict-item]
    remote = replace(remote, stacks={**remote.stacks, name: replace(state, **change)})  # type: ignore[arg-type]
    plan = plan_deploy(model, stack_specs(rendered), remote, network=None)
    (step,) = plan.phase("stacks").steps
    assert isinstance(step, DeployStack)
    assert (step.stack, step.change_set_type, step.reason, step.replace) == (
        name,
        change_set_type,
        reason,
        replace_stack,
    )
    assert step.parameters == tuple(remote.stacks[name].parameters.items()) or "parameters" in reason
    assert step.tags == stack_tags(model)
    assert plan.phase("post-steps").steps == ()


def test_a_no_echo_parameter_is_not_a_change(model: Topology, rendered: dict[str, str]) -> None:
    remote = samples.deployed(model, rendered)
    state = remote.stacks["minimal-flows-eu-west-2"]
    masked = replace(state, parameters={**state.parameters, "SecretCameraOneArn": "****"})
    remote = replace(remote, stacks={**remote.stacks, state.name: masked})
    assert plan_deploy(model, stack_specs(rendered), remote, network=None).empty


def test_a_network_stack_update_makes_its_dependents_use_references(
    model: Topology, rendered: dict[str, str]
) -> None:
    remote = samples.deployed(model, rendered)
    state = remote.stacks["minimal-network-us-east-1"]
    remote = replace(remote, stacks={**remote.stacks, state.name: replace(state, template_body="changed")})
    steps = plan_deploy(model, stack_specs(rendered), remote, network=None).phase("stacks").steps
    assert [(s.stack, s.reason, s.after) for s in steps] == [  # type: ignore[union-attr]
        ("minimal-network-us-east-1", "template changed", ()),
        (
            "minimal-flows-us-east-1",
            "parameters come from stacks deployed first",
            ("stack:minimal-network-us-east-1",),
        ),
    ]


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_FAILED", "UPDATE_IN_PROGRESS"])
def test_a_stack_needing_attention_stops_the_plan(
    model: Topology, rendered: dict[str, str], status: str
) -> None:
    remote = samples.deployed(model, rendered)
    state = remote.stacks["minimal-flows-us-east-1"]
    remote = replace(remote, stacks={**remote.stacks, state.name: replace(state, status=status)})
    with pytest.raises(DeployError, match=f"minimal-flows-us-east-1 is {status}"):
        plan_deploy(model, stack_specs(rendered), remote, network=None)


def test_missing_network_output_of_a_deployed_network_stack_is_an_error(
    model: Topology, rendered: dict[str, str]
) -> None:
    remote = samples.deployed(model, rendered)
    state = remote.stacks["minimal-network-us-east-1"]
    remote = replace(remote, stacks={**remote.stacks, state.name: replace(state, outputs={})})
    with pytest.raises(
        DeployError, match="comes from stack minimal-network-us-east-1, which has no output RoleArn"
    ):
        plan_deploy(model, stack_specs(rendered), remote, network=None)


def test_fresh_terraform_mode_needs_the_outputs(model: Topology) -> None:
    with pytest.raises(DeployError, match=r"network.us-east-1.role_arn: give the network outputs"):
        plan_deploy(model, stack_specs(samples.files(model, network="terraform")), fresh(model), network=None)


def test_destroy_undoes_the_post_steps_then_deletes_stacks_in_reverse(
    model: Topology, rendered: dict[str, str], tmp_path: Path
) -> None:
    remote = replace(
        samples.deployed(model, rendered),
        runtime_state="{}",
        orphan_network_interfaces=(("eu-west-2", "eni-left"),),
    )
    plan = plan_destroy(model, stack_specs(rendered), remote, state_uri="minimal.state.json")
    spoke, hub = "eu-west-2", "us-east-1"
    ingest = "arn:flow:minimal-camera-one"
    hub_steps = tuple(
        step
        for role in ("live", "preview")
        for step in (
            StopFlow(region=hub, flow=f"minimal-{role}", flow_arn=f"arn:flow:minimal-{role}"),
            RestoreStandbySource(
                region=hub,
                flow=f"minimal-{role}",
                flow_arn=f"arn:flow:minimal-{role}",
                source_arn=f"arn:source:minimal-{role}",
                port=7000,
                whitelist_cidr="10.10.0.0/16",
                after=(f"minimal-{role}:stop",),
            ),
            RemoveVpcInterface(
                region=hub,
                flow=f"minimal-{role}",
                flow_arn=f"arn:flow:minimal-{role}",
                name=f"{role}-vpc",
                after=(f"minimal-{role}:standby-source",),
            ),
        )
    )
    assert plan.phase("undo post-steps").steps == (
        StopFlow(region=spoke, flow="minimal-camera-one", flow_arn=ingest),
        DetachOutput(
            region=spoke,
            flow="minimal-camera-one",
            flow_arn=ingest,
            output="to-live",
            output_arn="arn:output:minimal-camera-one:to-live",
            after=("minimal-camera-one:stop",),
        ),
        DetachOutput(
            region=spoke,
            flow="minimal-camera-one",
            flow_arn=ingest,
            output="to-preview",
            output_arn="arn:output:minimal-camera-one:to-preview",
            after=("minimal-camera-one:detach-output:to-live",),
        ),
        RemoveVpcInterface(
            region=spoke,
            flow="minimal-camera-one",
            flow_arn=ingest,
            name="camera-one-vpc",
            after=("minimal-camera-one:detach-output:to-preview",),
        ),
        *hub_steps,
        DeleteNetworkInterface(region=spoke, network_interface_id="eni-left"),
    )
    flows = ("delete-stack:minimal-flows-eu-west-2", "delete-stack:minimal-flows-us-east-1")
    assert plan.phase("stacks").steps == (  # flows stacks, then the spokes' networks, the hub's last
        DeleteStack(stack="minimal-flows-eu-west-2", region=spoke),
        DeleteStack(stack="minimal-flows-us-east-1", region=hub),
        DeleteStack(stack="minimal-network-eu-west-2", region=spoke, after=flows),
        DeleteStack(
            stack="minimal-network-us-east-1",
            region=hub,
            after=(*flows, "delete-stack:minimal-network-eu-west-2"),
        ),
    )
    assert plan.phase("runtime state").steps == (DeleteRuntimeState(uri="minimal.state.json"),)


def test_destroy_of_nothing_is_empty(model: Topology, rendered: dict[str, str]) -> None:
    assert plan_destroy(model, stack_specs(rendered), RemoteState(), state_uri="x").empty


def test_templates_differing_only_in_the_generated_header_are_the_same() -> None:
    from streamfabric.deployment.plan.stacks import same_template

    body = 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n'
    one = "# Generated by streamfabric\n# Topology: /a/festival.json\n# SHA-256: 1111\n" + body
    other = "# Generated by streamfabric\n# Topology: /b/festival.json\n# SHA-256: 2222\n" + body
    assert same_template(one, other)
    assert not same_template(one, other.replace("Resources: {}", "Resources: {X: {}}"))
    assert not same_template(None, other)
