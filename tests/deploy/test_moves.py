"""Moving a region's network is a planned replacement, named as such; one CloudFormation could not
carry out (the replacement subnet would reuse the old one's CIDR) is refused before any change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streamfabric.deployment.pipeline import rendered_stacks
from streamfabric.deployment.plan.deploy import plan_deploy
from streamfabric.errors import DeployError
from streamfabric.rendering.api import render_api
from streamfabric.rendering.cloudformation import render_cloudformation
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.model import Topology

from . import samples
from .conftest import EXAMPLES


def _festival(edit: Any = None) -> Topology:
    doc = json.loads((EXAMPLES / "festival.json").read_text())
    if edit is not None:
        edit(doc)
    return parse_topology(json.dumps(doc), "festival.json")


def _plan_after(edit: Any) -> list[str]:
    before = _festival()
    files = {**render_cloudformation(before, network="cloudformation"), **render_api(before)}
    remote = samples.deployed(before, files, every_output=True)
    after = _festival(edit)
    specs = rendered_stacks(after, "cloudformation", None)
    return list(plan_deploy(after, specs, remote, network=None).notes)


def test_moving_the_hubs_zone_with_its_old_subnet_cidr_is_refused_naming_the_field() -> None:
    with pytest.raises(DeployError) as refused:
        _plan_after(lambda d: d["hub"].update(availability_zone="eu-west-1b"))
    message = str(refused.value)
    assert message.startswith("deploy refused, nothing was changed:")
    assert "$.hub.subnet_cidr: moving eu-west-1's subnet to eu-west-1b replaces it" in message
    assert "InvalidSubnet.Conflict" in message and "inside 10.0.0.0/16" in message


def test_moving_the_hubs_zone_with_a_new_subnet_cidr_is_a_planned_replacement() -> None:
    notes = _plan_after(lambda d: d["hub"].update(availability_zone="eu-west-1b", subnet_cidr="10.0.2.0/24"))
    (move,) = [n for n in notes if n.startswith("moves ")]
    assert move.startswith("moves the hub's subnet from eu-west-1a to eu-west-1b: replaces the subnet")
    assert "festival-live" in move and "festival-preview" in move and "festival-main-stage" in move
    assert move.endswith("interrupts Live and Preview")


def test_a_spokes_move_names_its_cidr_by_its_place_in_regions() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["regions"][0]["availability_zone"] = d["regions"][0]["availability_zone"][:-1] + "b"

    with pytest.raises(DeployError, match=r"\$\.regions\[0\]\.subnet_cidr: moving "):
        _plan_after(edit)


def test_an_unmoved_topology_names_no_move() -> None:
    assert not [n for n in _plan_after(lambda d: None) if n.startswith("moves ")]


def test_diff_names_the_replacement_and_the_cidr_it_needs_offline() -> None:
    from streamfabric.deployment.plan.guard import offline_verdict

    old = _festival()
    same = _festival(lambda d: d["hub"].update(availability_zone="eu-west-1b"))
    lines = offline_verdict(old, same)
    assert (
        "would replace the hub's subnet and the flows of eu-west-1: interrupts Live and Preview "
        "(the hub moves)" in lines
    )
    assert any(
        "deploy would refuse: moving eu-west-1's subnet to eu-west-1b needs a new subnet_cidr" in x
        for x in lines
    )
    fresh = _festival(lambda d: d["hub"].update(availability_zone="eu-west-1b", subnet_cidr="10.0.2.0/24"))
    assert not any("deploy would refuse" in x for x in offline_verdict(old, fresh))
