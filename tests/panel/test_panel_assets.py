"""The panel's files and routes without a browser: content types, the inlined page and its CSP, the
configuration (no sign-in locally, Cognito when the API stack says so), and nothing outside the API."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from streamfabric.api.local import LocalServer
from streamfabric.panel import CONTENT_TYPES, asset, page, panel_config

COGNITO_ENV = {
    "STREAMFABRIC_AUTH": "cognito",
    "STREAMFABRIC_COGNITO_DOMAIN": "https://festival-panel-123456789012.auth.eu-west-1.amazoncognito.com",
    "STREAMFABRIC_COGNITO_CLIENT_ID": "4example0client0id0abcdefgh",
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # The panel's routes never touch the switcher: no AWS needed here.
    with LocalServer(None, caller="local:test") as url:  # type: ignore[arg-type]
        yield url


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/panel/index.html", "text/html; charset=utf-8"),
        ("/panel/panel.css", "text/css; charset=utf-8"),
        ("/panel/panel.js", "text/javascript; charset=utf-8"),
        ("/panel-config", "application/json"),
    ],
)
def test_assets_are_served_with_their_content_types(server: str, path: str, content_type: str) -> None:
    status, headers, body = get(server + path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert body


@pytest.mark.parametrize("path", ["/panel/nope.js", "/panel/__init__.py", "/panel/..%2F..%2Fapi%2Fapp.py"])
def test_only_the_panels_files_are_served(server: str, path: str) -> None:
    status, headers, body = get(server + path)
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"] == "not_found"


def test_the_page_is_self_contained_and_its_csp_allows_exactly_its_inline_blocks(server: str) -> None:
    status, headers, body = get(server + "/")
    html = body.decode("utf-8")
    assert status == 200
    # One request: stylesheet, script and configuration are inlined.
    assert 'href="panel/panel.css"' not in html and 'src="panel/panel.js"' not in html
    inlined = json.loads(re.search(r'id="panel-config">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    assert inlined == {"auth": "none", "local_token": inlined["local_token"]}  # the local server's token
    assert len(inlined["local_token"]) >= 40
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'none'" and csp["connect-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and headers["X-Frame-Options"] == "DENY"
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        assert len(blocks) == 1
        digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
        assert csp[directive] == f"'sha256-{digest}'"


def test_no_reference_outside_the_api() -> None:
    """No CDN, web font, analytics or absolute URL anywhere in the page's files."""
    for name in CONTENT_TYPES:
        text = asset(name)[0].decode("utf-8")
        urls = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I)
        assert urls == [], f"{name} refers to {urls}"
        assert "@import" not in text and "@font-face" not in text


def test_asset_names_are_a_closed_list() -> None:
    for name in ("../api/app.py", "__init__.py", "panel.js/../__init__.py", ""):
        with pytest.raises(KeyError):
            asset(name)


def test_locally_there_is_no_sign_in() -> None:
    assert panel_config({}) == {"auth": "none"}
    assert panel_config({"STREAMFABRIC_AUTH": "iam"}) == {"auth": "none"}


def test_cognito_mode_configures_the_pkce_sign_in_and_allows_the_token_endpoint(
    monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    config = panel_config(COGNITO_ENV)
    assert config == {
        "auth": "cognito",
        "cognito": {
            "domain": COGNITO_ENV["STREAMFABRIC_COGNITO_DOMAIN"],
            "client_id": COGNITO_ENV["STREAMFABRIC_COGNITO_CLIENT_ID"],
            "scopes": ["openid", "email"],
        },
    }
    _, headers = page(config)
    assert (
        f"connect-src 'self' {COGNITO_ENV['STREAMFABRIC_COGNITO_DOMAIN']};"
        in (headers["Content-Security-Policy"])
    )
    for key, value in COGNITO_ENV.items():
        monkeypatch.setenv(key, value)
    status, _, body = get(server + "/panel-config")
    served = json.loads(body)
    assert status == 200 and served.pop("local_token") and served == config


@pytest.mark.parametrize(
    "env",
    [
        {"STREAMFABRIC_AUTH": "cognito"},
        {**COGNITO_ENV, "STREAMFABRIC_COGNITO_DOMAIN": "http://evil.example"},
        {**COGNITO_ENV, "STREAMFABRIC_COGNITO_CLIENT_ID": ""},
    ],
)
def test_a_broken_cognito_configuration_is_said_not_guessed(env: dict[str, str]) -> None:
    config: dict[str, Any] = panel_config(env)
    assert config["auth"] == "cognito" and "cognito" not in config and config["error"]


def test_no_value_can_close_the_configuration_block() -> None:
    html, _ = page({"auth": "none", "note": "</script><script>alert(1)</script>"})
    block = re.search(r'id="panel-config">(.*?)</script>', html, re.S)[1]  # type: ignore[index]
    assert "<" not in block and json.loads(block)["note"].startswith("</script>")
