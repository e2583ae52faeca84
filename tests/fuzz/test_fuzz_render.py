"""Property: every valid topology renders to Terraform that python-hcl2 parses and CloudFormation
that cfn-lint passes with no error or warning. CI-sized (cfn-lint is slow: 3% of the profile's
examples, 4 in ``ci``); a long run:
``pytest tests/fuzz/test_fuzz_render.py --hypothesis-profile long``."""

from __future__ import annotations

import json
from typing import Any

import hcl2
from cfnlint.api import ManualArgs, lint
from hypothesis import HealthCheck, given, settings

from hypothesis_budget import examples
from streamfabric.render import render
from streamfabric.topology.loading import parse_topology

from .strategies import valid_topology


# Generating a whole multi-region topology is slow by Hypothesis's measure (too_slow); nothing else
# is suppressed.
@settings(max_examples=examples(0.03), suppress_health_check=[HealthCheck.too_slow])
@given(valid_topology(max_regions=3, max_ingests=4))
def test_valid_topologies_render_to_files_the_real_tools_accept(doc: dict[str, Any]) -> None:
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
        if text is None:
            continue
        matches = lint(text, config=ManualArgs(regions=[stack["region"]]))
        problems = [str(m) for m in matches if m.rule.id[0] in ("E", "W")]
        assert problems == [], stack["name"]
        linted += 1
    assert linted >= 2  # at least a network and a flows stack
