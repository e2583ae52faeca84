"""What deploy reads before planning: the stack manifest and the Terraform network outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamfabric.deployment.manifest import stack_specs
from streamfabric.deployment.network import load_terraform_outputs
from streamfabric.errors import DeployError
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def model() -> Topology:
    return load_topology(str(EXAMPLES / "minimal.json"))


def manifest(*stacks: dict[str, object]) -> dict[str, str]:
    files = {"cloudformation/manifest.json": json.dumps({"stacks": list(stacks)})}
    files.update({f"cloudformation/{s['name']}.yaml": "Resources: {}\n" for s in stacks})
    return files


def entry(name: str, *depends: str) -> dict[str, object]:
    return {
        "name": name,
        "region": "us-east-1",
        "kind": "flows",
        "template": f"cloudformation/{name}.yaml",
        "depends_on": list(depends),
    }


def test_dependencies_first() -> None:
    specs = stack_specs(manifest(entry("c", "b"), entry("a"), entry("b", "a")))
    assert [s.name for s in specs] == ["a", "b", "c"]


def test_a_cycle_is_an_error() -> None:
    with pytest.raises(DeployError, match="dependency cycle: a -> b -> a"):
        stack_specs(manifest(entry("a", "b"), entry("b", "a")))


def test_an_unknown_dependency_is_an_error() -> None:
    with pytest.raises(DeployError, match="stack a depends on unknown stack"):
        stack_specs(manifest(entry("a", "zzz")))


def test_a_template_that_was_not_rendered_is_an_error() -> None:
    files = manifest(entry("a"))
    del files["cloudformation/a.yaml"]
    with pytest.raises(DeployError, match=r"template cloudformation/a\.yaml is not among the rendered files"):
        stack_specs(files)


def test_the_real_manifest_reads(model: Topology) -> None:
    from streamfabric.rendering import render

    specs = stack_specs(render(model, network="cloudformation"))
    assert specs[-1].kind == "api"
    assert [s.kind for s in specs][:2] == ["network", "network"]
    flows = next(s for s in specs if s.name == "minimal-flows-eu-west-2")
    assert flows.source("SecretCameraOneArn") == "deploy"
    assert flows.source("RoleArn") == "minimal-network-eu-west-2.RoleArn"


def test_terraform_outputs_from_a_file(model: Topology, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text(json.dumps(samples.terraform_outputs(model)))
    outputs = load_terraform_outputs(str(path), model)
    assert outputs.region("eu-west-2").subnet_id == "subnet-eu-west-2"
    assert all(n.known for n in outputs.regions)


def test_terraform_outputs_list_every_problem(model: Topology) -> None:
    doc = samples.terraform_outputs(model)
    regions = doc["regions"]["value"]  # type: ignore[index]
    del regions["eu-west-2"]
    regions["us-east-1"]["subnet_id"] = ""
    with pytest.raises(DeployError) as error:
        load_terraform_outputs(doc, model)
    assert str(error.value) == (
        "network outputs: regions.us-east-1.subnet_id: missing or empty; regions.eu-west-2: missing"
    )


def test_terraform_outputs_not_that_document(model: Topology, tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="cannot read the network outputs"):
        load_terraform_outputs(str(tmp_path / "missing.json"), model)
    with pytest.raises(DeployError, match="expected the `terraform output -json`"):
        load_terraform_outputs({"vpc": {"value": "x"}}, model)
