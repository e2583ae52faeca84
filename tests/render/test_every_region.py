"""Every MediaConnect region (botocore's endpoint data), as the hub and as an ingest region, renders
CloudFormation that cfn-lint accepts *for that region* (its own per-region resource schemas).

About a minute on one core: one small topology per (region, role), every stack of that region linted
(network, peering or routes, flows, and the control API in the hub). Keep it that size."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from cfnlint.config import ConfigMixIn
from cfnlint.decode.decode import decode_str
from cfnlint.runner import Runner

from streamfabric.rendering import render
from streamfabric.topology.loading import parse_topology
from streamfabric.topology.region_support import tags_supported
from streamfabric.topology.semantic_check import mediaconnect_regions

pytestmark = pytest.mark.slow

REGIONS = sorted(mediaconnect_regions())


def _net(region: str, n: int) -> dict[str, Any]:
    return {
        "region": region,
        "vpc_cidr": f"10.{n}.0.0/16",
        "subnet_cidr": f"10.{n}.1.0/24",
        "availability_zone": f"{region}a",
    }


def small_topology(hub: str, spoke: str) -> dict[str, Any]:
    """A hub with an ingest and a tagged, encrypted output; a spoke region with an ingest; the API;
    a maintenance window (every flow's ``Maintenance``)."""
    return {
        "name": "every-region",
        "tags": {"project": "lint"},
        "hub": {
            **_net(hub, 0),
            "live": {
                "starts_on": "far",
                "outputs": [
                    {
                        "name": "encoder",
                        "protocol": "srt-listener",
                        "port": 5000,
                        "allowlist": ["198.51.100.0/24"],
                        "passphrase_secret": "every-region/encoder",
                    }
                ],
            },
            "preview": {"starts_on": "near", "outputs": []},
        },
        "regions": [_net(spoke, 1)],
        "ingests": [
            {
                "name": "near",
                "region": hub,
                "port": 5000,
                "allowlist": ["192.0.2.0/24"],
                "passphrase_secret": "every-region/near",
            },
            {
                "name": "far",
                "region": spoke,
                "port": 5000,
                "allowlist": ["192.0.2.0/24"],
                "passphrase_secret": "every-region/far",
            },
        ],
        "control_api": {"auth": "iam", "panel": True},
        "maintenance": {"day": "Tuesday", "start_hour": 4},
    }


@functools.cache
def _runner(region: str) -> Runner:
    """One cfn-lint runner per region (what ``cfnlint.api.lint`` builds per call: a quarter of the time)."""
    return Runner(ConfigMixIn(regions=[region]))


def _lint(template: str, region: str) -> tuple[str, ...]:
    decoded, errors = decode_str(template)
    matches = errors or list(_runner(region).validate_template(decoded))
    return tuple(
        f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches if not m.rule.id.startswith("I")
    )


@pytest.mark.parametrize("role", ["hub", "ingest"])
@pytest.mark.parametrize("region", REGIONS)
def test_cfn_lint_accepts_the_region_s_templates(region: str, role: str) -> None:
    other = "eu-west-1" if region != "eu-west-1" else "us-east-1"
    hub, spoke = (region, other) if role == "hub" else (other, region)
    model = parse_topology(json.dumps(small_topology(hub, spoke)), f"<{role} {region}>")
    files = render(model, network="cloudformation")
    stacks = [s for s in json.loads(files["cloudformation/manifest.json"])["stacks"] if s["region"] == region]
    kinds = {s["kind"] for s in stacks}
    assert {"network", "flows"} <= kinds and ("api" in kinds) == (role == "hub"), kinds
    tagged = tags_supported(region)
    for s in stacks:
        if s["kind"] == "flows":
            resources = decode_str(files[s["template"]])[0]["Resources"]
            mediaconnect = [r for r in resources.values() if r["Type"].startswith("AWS::MediaConnect::")]
            assert mediaconnect and all(("Tags" in r["Properties"]) == tagged for r in mediaconnect)
    problems = [
        f"{s['template']} ({region}): {p}" for s in stacks for p in _lint(files[s["template"]], region)
    ]
    assert not problems, "\n".join(problems)
