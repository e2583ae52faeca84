"""The control API's stack: cfn-lint clean, checkov clean, IAM by default, least privilege."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode_str

from streamfabric.rendering import render
from streamfabric.rendering.api import render_api
from streamfabric.topology.model import ControlApi, SourceInfo, Topology

S3_SOURCE = SourceInfo("s3://shows-bucket/festival/festival.json", "0" * 64, "v1")


def variants(festival: Topology) -> dict[str, Topology]:
    cognito = ControlApi(auth="cognito", panel=True)
    no_panel = ControlApi(auth="iam", panel=False)
    return {
        "local-iam": dataclasses.replace(festival, control_api=no_panel),
        "local-panel": festival,  # auth iam, panel true: scripts keep IAM, the browser gets Cognito
        "s3-iam": dataclasses.replace(festival, source=S3_SOURCE, control_api=no_panel),
        "s3-cognito": dataclasses.replace(festival, source=S3_SOURCE, control_api=cognito),
    }


def template(model: Topology) -> dict[str, Any]:
    ((path, text),) = render_api(model).items()
    assert path == f"cloudformation/api-{model.hub.region}.yaml"
    decoded, problems = decode_str(text)
    assert not problems
    return dict(decoded)


def resources(model: Topology, kind: str) -> dict[str, Any]:
    return {k: v for k, v in template(model)["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_has_nothing_to_say(festival: Topology) -> None:
    for name, model in variants(festival).items():
        ((_, text),) = render_api(model).items()
        matches = lint(text, config=ManualArgs(regions=[model.hub.region]))
        assert [str(m) for m in matches] == [], name


def test_checkov_finds_no_failed_check(festival: Topology, tmp_path: Path, checkov: Any) -> None:
    for name, model in variants(festival).items():
        ((_, text),) = render_api(model).items()
        (tmp_path / f"{name}.yaml").write_text(text)
    (report,) = checkov(tmp_path, "cloudformation")
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 0


def test_every_method_of_the_script_api_needs_iam(festival: Topology) -> None:
    for model in variants(festival).values():
        methods = resources(model, "AWS::ApiGateway::Method")
        script = {k: m for k, m in methods.items() if m["Properties"]["RestApiId"] == {"Ref": "Api"}}
        assert script and all(m["Properties"]["AuthorizationType"] == "AWS_IAM" for m in script.values())


def test_cognito_mode_leaves_only_the_panel_page_public(festival: Topology) -> None:
    model = variants(festival)["s3-cognito"]
    methods = resources(model, "AWS::ApiGateway::Method")
    public = {k: m["Properties"]["HttpMethod"] for k, m in methods.items()
              if m["Properties"]["AuthorizationType"] == "NONE"}  # fmt: skip
    assert public == {"PanelApiRootGet": "GET"}
    proxy = methods["PanelApiProxyAny"]["Properties"]
    assert proxy["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert proxy["AuthorizerId"] == {"Ref": "PanelApiAuthorizer"}
    assert resources(model, "AWS::Cognito::UserPool")["PanelUserPool"]["Properties"][
        "AdminCreateUserConfig"
    ] == {"AllowAdminCreateUserOnly": True}
    assert "PanelUserPool" not in template(variants(festival)["s3-iam"])["Resources"]
    assert "PanelUserPool" in template(variants(festival)["local-panel"])["Resources"]


def test_the_function_may_switch_only_the_two_hub_flows(festival: Topology) -> None:
    model = variants(festival)["s3-iam"]
    (role,) = resources(model, "AWS::IAM::Role").values()
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    switch = by_sid["SwitchTheHubFlows"]
    assert switch["Action"] == "mediaconnect:UpdateFlowSource"
    flows = [r["Fn::Sub"] for r in switch["Resource"]]
    assert flows == [
        "arn:${AWS::Partition}:mediaconnect:eu-west-1:${AWS::AccountId}:flow:*:festival-live",
        "arn:${AWS::Partition}:mediaconnect:eu-west-1:${AWS::AccountId}:flow:*:festival-preview",
        # UpdateFlowSource also authorizes against the source (tests/render/test_iam_policies.py)
        "arn:${AWS::Partition}:mediaconnect:eu-west-1:${AWS::AccountId}:source:*:standby",
    ]
    actions = [
        a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert not any(a.endswith("*") for a in actions)
    params = template(model)["Parameters"]
    assert (params["TopologyBucket"]["Default"], params["TopologyKey"]["Default"]) == (
        "shows-bucket", "festival/festival.json"
    )  # fmt: skip
    assert params["StateKey"]["Default"] == "festival/festival.state.json"
    assert params["AuditPrefix"]["Default"] == "festival/festival.audit/"


def test_disabled_api_renders_nothing(festival: Topology) -> None:
    model = dataclasses.replace(festival, control_api=ControlApi(enabled=False))
    assert render_api(model) == {}
    assert not any(p.startswith("cloudformation/api-") for p in render(model))


def test_render_includes_the_api_stack_and_is_deterministic(festival: Topology) -> None:
    first, second = render(festival), render(festival)
    assert first == second
    assert "cloudformation/api-eu-west-1.yaml" in first
    assert any(p.startswith("terraform/") for p in first)


@pytest.mark.parametrize("network", ["terraform", "cloudformation"])
def test_render_both_network_modes(festival: Topology, network: str) -> None:
    files = render(festival, network=network)  # type: ignore[arg-type]
    assert ("terraform/versions.tf" in files) == (network == "terraform")
    assert "cloudformation/manifest.json" in files


def test_stages_are_throttled_and_log_access_and_cors_names_only_the_panel(festival: Topology) -> None:
    from streamfabric.rendering.api import LAMBDA_HANDLER, LAMBDA_RUNTIME, THROTTLE_BURST, THROTTLE_RATE

    for name, model in variants(festival).items():
        stages = resources(model, "AWS::ApiGateway::Stage")
        assert stages, name
        for stage in stages.values():
            props = stage["Properties"]
            assert props["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
            (setting,) = props["MethodSettings"]
            assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (
                THROTTLE_RATE,
                THROTTLE_BURST,
            )
        (function,) = resources(model, "AWS::Lambda::Function").values()
        props = function["Properties"]
        assert (props["Runtime"], props["Handler"]) == ({"Ref": "CodeRuntime"}, LAMBDA_HANDLER)
        assert template(model)["Parameters"]["CodeRuntime"]["Default"] == LAMBDA_RUNTIME
        assert "Layers" not in props  # the package carries Powertools and pydantic
        env = props["Environment"]["Variables"]
        origin = env.get("STREAMFABRIC_PANEL_ORIGIN")
        if "PanelApi" in template(model)["Resources"]:
            assert origin == {"Fn::Sub": "https://${PanelApi}.execute-api.${AWS::Region}.amazonaws.com"}
        else:
            assert origin is None, name
    assert THROTTLE_BURST <= 2 * THROTTLE_RATE <= 20  # a few operators, not a fleet


def _statements(model: Topology) -> dict[str, Any]:
    (role,) = resources(model, "AWS::IAM::Role").values()
    return {s["Sid"]: s for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}


def test_an_audit_uri_without_a_trailing_slash_is_still_a_prefix(festival: Topology) -> None:
    """``s3://bucket/fest`` must not give the function PutObject on ``bucket/festival/...``."""
    model = variants(festival)["s3-iam"]
    fest = dataclasses.replace(
        model, state=dataclasses.replace(model.state, audit_log="s3://shows-bucket/fest")
    )
    params = template(fest)["Parameters"]
    assert params["AuditPrefix"]["Default"] == "fest/"
    assert params["AuditPrefix"]["AllowedPattern"].endswith("/)?$")
    append = _statements(fest)["AppendToTheAuditLog"]
    assert append["Action"] == "s3:PutObject"
    assert append["Condition"] == {"StringEquals": {"s3:if-none-match": "*"}}  # no overwrite


def test_the_function_reads_only_this_topologys_flows(festival: Topology) -> None:
    """Never ``festival-*``: that would match another topology's flows, ``festival-2-<ingest>``."""
    model = variants(festival)["s3-iam"]
    read = _statements(model)["ReadTheFlows"]
    names = {r["Fn::Sub"].rsplit(":", 1)[1] for r in read["Resource"]}
    assert names == {"festival-live", "festival-preview"} | {f"festival-{i.name}" for i in model.ingests}
    assert not any("*" in name for name in names)


def test_the_user_pool_has_operators_and_viewers_and_no_password_flows(festival: Topology) -> None:
    model = variants(festival)["s3-cognito"]
    groups = {g["Properties"]["GroupName"] for g in resources(model, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"operators", "viewers"}
    (client,) = resources(model, "AWS::Cognito::UserPoolClient").values()
    assert client["Properties"]["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert "email" not in client["Properties"]["WriteAttributes"]
    (pool,) = resources(model, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    required = dataclasses.replace(model, control_api=dataclasses.replace(model.control_api, mfa="required"))
    (pool,) = resources(required, "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "ON"
