"""CORS: the Lambda answers cross-origin requests only from the panel's own origin."""

from __future__ import annotations

from typing import Any

from streamfabric.api.app import build_app
from streamfabric.switching import Switcher

PANEL = "https://abc123.execute-api.eu-west-1.amazonaws.com"


def _no_switcher() -> Switcher:
    raise AssertionError("a preflight must not reach a route")


def _preflight(origin: str) -> dict[str, Any]:
    return {
        "resource": "/{proxy+}", "path": "/switch", "httpMethod": "OPTIONS",
        "headers": {"Origin": origin, "Access-Control-Request-Method": "POST"},
        "multiValueHeaders": {"Origin": [origin], "Access-Control-Request-Method": ["POST"]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "OPTIONS", "path": "/prod/switch",
                           "stage": "prod", "requestId": "t", "identity": {}},
    }  # fmt: skip


def _allowed(response: dict[str, Any]) -> list[str]:
    headers = {k.lower(): v for k, v in (response.get("multiValueHeaders") or {}).items()}
    single = {k.lower(): [v] for k, v in (response.get("headers") or {}).items()}
    return list(headers.get("access-control-allow-origin") or single.get("access-control-allow-origin") or [])


def test_only_the_panels_origin_gets_cors_headers() -> None:
    app = build_app(_no_switcher, cors_origin=PANEL)
    assert _allowed(app.resolve(_preflight(PANEL), {})) == [PANEL]
    assert _allowed(app.resolve(_preflight("https://evil.example"), {})) == []


def test_without_a_panel_origin_there_are_no_cors_headers() -> None:
    app = build_app(_no_switcher)
    assert _allowed(app.resolve(_preflight(PANEL), {})) == []
