"""Property: every valid topology renders to Terraform that python-hcl2 parses and CloudFormation
that cfn-lint passes (for each stack's own region) with no error or warning. CI-sized (cfn-lint is
slow: 3% of the profile's examples, 4 in ``ci``); a long run:
``pytest tests/fuzz/test_fuzz_render.py --hypothesis-profile long``.

Regions are drawn from every MediaConnect region; and one derandomized example per region (that
region drawn in, as hub or ingest region) runs in every CI run, so a region-specific failure cannot
wait for a long run to be found (issue 19: me-central-1)."""

from __future__ import annotations

import functools
import json
from typing import Any

import hcl2
import pytest
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hypothesis_budget import examples
from streamfabric.rendering import render
from streamfabric.topology.loading import parse_topology

from .strategies import REGIONS, valid_topology


@functools.cache
def _runner(region: str) -> Runner:
    return Runner(ConfigMixIn(regions=[region]))


def _lint(text: str, region: str) -> list[str]:
    template, errors = decode_str(text)
    matches = errors or list(_runner(region).validate_template(template))
    return [str(m) for m in matches if m.rule.id[0] in ("E", "W")]


def _check(doc: dict[str, Any], only_region: str | None = None) -> int:
    model = parse_topology(json.dumps(doc), "fuzz.json")
    terraform = render(model, network="terraform")
    for path, text in terraform.items():
        if path.endswith(".tf"):
            assert isinstance(hcl2.loads(text), dict), path
    files = render(model, network="cloudformation")
    manifest = json.loads(files["cloudformation/manifest.json"])
    linted = 0
    for stack in manifest["stacks"]:
        text = files.get(stack["template"])
        if text is None or (only_region and stack["region"] != only_region):
            continue
        assert _lint(text, stack["region"]) == [], stack["name"]
        linted += 1
    return linted


# Generating a whole multi-region topology is slow by Hypothesis's measure (too_slow); nothing else
# is suppressed.
@settings(max_examples=examples(0.03), suppress_health_check=[HealthCheck.too_slow])
@given(valid_topology(max_regions=3, max_ingests=4))
def test_valid_topologies_render_to_files_the_real_tools_accept(doc: dict[str, Any]) -> None:
    assert _check(doc) >= 2  # at least a network and a flows stack


@pytest.mark.parametrize("region", REGIONS)
@settings(
    max_examples=1,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_a_drawn_topology_in_every_region(region: str, data: st.DataObject) -> None:
    """The region's own stacks of a topology drawn with it (deterministic per region)."""
    doc = data.draw(valid_topology(max_regions=3, max_ingests=4, include=region))
    assert region in {doc["hub"]["region"], *(r["region"] for r in doc["regions"])}
    assert _check(doc, only_region=region) >= 2  # that region's network and flows stacks
