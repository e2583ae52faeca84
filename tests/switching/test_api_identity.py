"""Who the API says called, and what the user pool's groups allow: the resolver as the Lambda runs
it, with a Cognito authorizer's claims in the event and a switcher that records its calls (no AWS:
what is checked is who may reach it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streamfabric.api.app import build_app
from streamfabric.api.identity import groups_of
from streamfabric.switching.results import SwitchResult, TakeResult


class RecordingSwitcher:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def switch(self, ingest: str, target: str, **kwargs: Any) -> SwitchResult:
        self.calls.append(("switch", kwargs.get("caller")))
        return SwitchResult(target, "main-stage", ingest, True, "r", 1.0)  # type: ignore[arg-type]

    def take(self, **kwargs: Any) -> TakeResult:
        self.calls.append(("take", kwargs.get("caller")))
        return TakeResult("tent-stage", "main-stage", "main-stage", "tent-stage", True, "r", 1.0)

    def history(self, limit: int) -> list[Any]:
        self.calls.append(("history", None))
        return []


def event(method: str, path: str, claims: dict[str, Any] | None, body: str | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"resourcePath": path, "httpMethod": method, "path": path, "stage": "prod",
                               "requestId": "r", "identity": {"userArn": None}}  # fmt: skip
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": context,
    }


DANA = {"sub": "8f0c-sub", "cognito:username": "dana", "email": "someone-else@festival.example"}


@pytest.mark.parametrize(
    ("groups", "method", "path", "body", "status"),
    [
        ("operators", "POST", "/switch", '{"ingest": "tent-stage"}', 200),
        ("operators", "POST", "/take", "{}", 200),
        ("operators", "GET", "/history", None, 200),
        ("[operators, viewers]", "POST", "/take", "{}", 200),
        ("viewers", "GET", "/history", None, 200),
        ("viewers", "POST", "/switch", '{"ingest": "tent-stage"}', 403),
        ("viewers", "POST", "/take", "{}", 403),
        (None, "GET", "/history", None, 403),
        (None, "POST", "/take", "{}", 403),
        ("admins", "POST", "/take", "{}", 403),
    ],
)
def test_the_groups_decide(groups: str | None, method: str, path: str, body: str | None, status: int) -> None:
    switcher = RecordingSwitcher()
    app = build_app(lambda: switcher)  # type: ignore[arg-type,return-value]
    claims = {**DANA, **({"cognito:groups": groups} if groups else {})}
    response = app.resolve(event(method, path, claims, body), None)  # type: ignore[arg-type]
    assert response["statusCode"] == status, response["body"]
    if status == 403:
        assert json.loads(response["body"])["error"] == "forbidden"
        assert switcher.calls == []


def test_the_audit_names_the_username_never_the_email() -> None:
    switcher = RecordingSwitcher()
    app = build_app(lambda: switcher)  # type: ignore[arg-type,return-value]
    app.resolve(event("POST", "/switch", {**DANA, "cognito:groups": "operators"}, '{"ingest": "a-b"}'), None)  # type: ignore[arg-type]
    no_username = {"sub": "8f0c-sub", "email": "x@y.example", "cognito:groups": "operators"}
    app.resolve(event("POST", "/take", no_username, "{}"), None)  # type: ignore[arg-type]
    assert switcher.calls == [("switch", "cognito:dana"), ("take", "cognito:8f0c-sub")]


def test_an_iam_caller_is_authorized_by_iam() -> None:
    switcher = RecordingSwitcher()
    app = build_app(lambda: switcher)  # type: ignore[arg-type,return-value]
    iam = event("POST", "/take", None, "{}")
    iam["requestContext"]["identity"] = {"userArn": "arn:aws:iam::123456789012:user/carol"}
    assert app.resolve(iam, None)["statusCode"] == 200  # type: ignore[arg-type]
    assert switcher.calls == [("take", "arn:aws:iam::123456789012:user/carol")]


@pytest.mark.parametrize(
    ("value", "groups"),
    [("operators", {"operators"}), ("[operators, viewers]", {"operators", "viewers"}),
     (["viewers"], {"viewers"}), ("a,b", {"a", "b"}), (None, set()), (7, set())],
)  # fmt: skip
def test_groups_as_api_gateway_passes_them(value: Any, groups: set[str]) -> None:
    assert groups_of({"cognito:groups": value} if value is not None else {}) == groups


def test_a_panel_user_sees_no_bucket_nor_key_in_an_error() -> None:
    from streamfabric.errors import StateError

    class Broken(RecordingSwitcher):
        def history(self, limit: int) -> list[Any]:
            raise StateError(
                "cannot read s3://shows-bucket/festival/festival.state.json: AccessDenied (Key=x.json)"
            )

    app = build_app(lambda: Broken())  # type: ignore[arg-type,return-value]
    viewer = app.resolve(event("GET", "/history", {**DANA, "cognito:groups": "viewers"}), None)  # type: ignore[arg-type]
    assert viewer["statusCode"] == 503
    message = json.loads(viewer["body"])["message"]
    assert "shows-bucket" not in message and "festival.state.json" not in message and "x.json" not in message
    iam = event("GET", "/history", None)
    assert "shows-bucket" in json.loads(app.resolve(iam, None)["body"])["message"]  # type: ignore[arg-type]
