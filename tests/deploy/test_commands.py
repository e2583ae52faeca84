"""``streamfabric deploy`` / ``destroy`` end to end through the CLI, against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streamfabric.cli.main import main
from streamfabric.topology.loading import load_topology

from . import helpers
from .conftest import copy_example

pytestmark = pytest.mark.integration


@pytest.fixture()
def topology(moto_aws: str, tmp_path: Path) -> Path:
    path = copy_example("minimal", tmp_path)
    helpers.create_example_secrets(load_topology(str(path)), moto_aws)
    return path


def stacks(region: str) -> list[str]:
    cfn = helpers.session().client("cloudformation", region_name=region)
    return sorted(s["StackName"] for s in cfn.describe_stacks()["Stacks"])


def test_deploy_dry_run_then_deploy_then_nothing_to_do(
    topology: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", str(topology), "--network", "cloudformation", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "plan (dry run, nothing will change):" in out
    assert (
        "    create stack minimal-flows-eu-west-2 (eu-west-2) from cloudformation/flows-eu-west-2.yaml" in out
    )
    assert stacks("us-east-1") == []

    assert main(["deploy", str(topology), "--network", "cloudformation", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "minimal-network-us-east-1: CREATE_COMPLETE" in out  # plain progress lines (not a TTY)
    assert "minimal-live: start: done" in out
    assert f"runtime state {topology.with_suffix('.state.json')} (written)" in out
    assert stacks("us-east-1") == [
        "minimal-api-us-east-1",  # the control API (no function until a Lambda package is given)
        "minimal-flows-us-east-1",
        "minimal-network-us-east-1",
        "minimal-peering-us-east-1",
    ]

    assert main(["deploy", str(topology), "--network", "cloudformation", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plan"][0] == "nothing to change" and report["executed"] == []
    assert report["runtime_state_written"] is False


def test_destroy_needs_confirmation(topology: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy", str(topology), "--network", "cloudformation", "--yes"]) == 0
    capsys.readouterr()
    assert main(["destroy", str(topology)]) == 2  # stdin is not a terminal, and no --yes
    captured = capsys.readouterr()
    assert "delete stack minimal-network-us-east-1 (us-east-1)" in captured.out
    assert (
        "destroy deletes everything in the plan above: confirm on a terminal, or pass --yes" in captured.err
    )
    assert "minimal-network-us-east-1" in stacks("us-east-1")

    assert main(["destroy", str(topology), "--yes"]) == 0
    assert stacks("us-east-1") == [] and stacks("eu-west-2") == []
    assert not topology.with_suffix(".state.json").exists()
    assert main(["destroy", str(topology), "--yes"]) == 0
    assert "nothing to destroy" in capsys.readouterr().out


@pytest.fixture()
def failing_hub_network(topology: Path) -> Iterator[None]:
    """The hub network stack's creation fails the way CloudFormation reports it: ExecuteChangeSet is
    accepted, a resource is CREATE_FAILED with its reason, the stack rolls back to ROLLBACK_COMPLETE."""
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        if change_set.stack.name != "minimal-network-us-east-1":
            original(self, change_set_name, stack_name)
            return
        stack = change_set.stack
        stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
        stack.events.append(
            type(stack.events[-1])(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id="HopSecret",
                physical_resource_id="",
                resource_type="AWS::SecretsManager::Secret",
                resource_status="CREATE_FAILED",
                resource_status_reason="minimal/internal-hop/srt-passphrase already exists",
                resource_properties=None,
            )
        )
        stack._add_stack_event("ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
        change_set.execution_status = "EXECUTE_COMPLETE"

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    try:
        yield
    finally:
        CloudFormationBackend.execute_change_set = original  # type: ignore[method-assign]


def test_a_failing_stack_exits_non_zero_with_its_events(
    topology: Path, failing_hub_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", str(topology), "--network", "cloudformation", "--yes"]) == 1
    captured = capsys.readouterr()
    secret = "minimal/internal-hop/srt-passphrase"
    reason = f"HopSecret (AWS::SecretsManager::Secret) CREATE_FAILED: {secret} already exists"
    assert (
        "minimal-network-us-east-1: FAILED: stack minimal-network-us-east-1: cloudformation waiter"
        in captured.out
    )
    assert f"    {reason}" in captured.out
    assert (
        "error: stack minimal-network-us-east-1: cloudformation waiter stack_create_complete failed"
        in captured.err
    )
    assert f"  {reason}" in captured.err
    assert "minimal-flows-us-east-1" not in stacks("us-east-1")  # nothing that depends on it started


def test_deploy_without_network_outputs_is_refused(
    topology: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", str(topology), "--yes"]) == 1
    assert "give --network-outputs FILE" in capsys.readouterr().err
