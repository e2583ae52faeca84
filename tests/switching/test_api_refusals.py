"""What the local API (``streamfabric serve``, ``demo --keep``) refuses, and that a refused request
changes nothing on air: each reproduction of a cross-site cut, replayed through HTTP against the
festival in the moto server; then the input rules every API request follows (api.guard), which
the Lambda handler applies too."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from streamfabric.api import handler
from streamfabric.api.guard import MAX_BODY
from streamfabric.api.local import LocalApi, LocalServer

from .conftest import World

pytestmark = pytest.mark.integration

CAROL = "arn:aws:iam::123456789012:user/carol"
MULTIPART = (
    '--X\r\nContent-Disposition: form-data; name="ingest"\r\n\r\nsao-paulo-stage\r\n'
    '--X\r\nContent-Disposition: form-data; name="force"\r\n\r\ntrue\r\n--X--\r\n'
)


@pytest.fixture()
def server(on_air_reset: World) -> Iterator[LocalServer]:
    server = LocalServer(on_air_reset.switcher(), caller=CAROL)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def send(
    server: LocalServer,
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One raw request (http.client: the Host header is the test's to choose)."""
    netloc = urllib.parse.urlsplit(server.url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=120)  # a take under a loaded machine
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": netloc, **(headers or {})}
        data = body.encode() if isinstance(body, str) else body
        if data is not None:
            sent["Content-Length"] = str(len(data))
        for key, value in sent.items():
            connection.putheader(key, value)
        connection.endheaders(data)
        response = connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        connection.close()


def on_air(world: World) -> tuple[object, object]:
    return world.hub_source("live")["Transport"], world.hub_source("preview")["Transport"]


def port(server: LocalServer) -> str:
    return server.url.rsplit(":", 1)[1]


REFUSALS: list[tuple[str, str, str, str | None, dict[str, str], int, str]] = [
    # fetch(url, {method: "POST", mode: "no-cors"}) from https://evil.example
    ("no-cors take", "POST", "/take", None, {"Origin": "https://evil.example"}, 403, "foreign_origin"),
    # an auto-submitting <form enctype="multipart/form-data"> in a sandboxed frame
    (
        "multipart form, Origin null",
        "POST",
        "/switch",
        MULTIPART,
        {"Origin": "null", "Content-Type": "multipart/form-data; boundary=X"},
        403,
        "foreign_origin",
    ),
    (
        "a cross-site fetch",
        "POST",
        "/take",
        "{}",
        {"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
        403,
        "cross_site_refused",
    ),
    (
        "another port of localhost",
        "POST",
        "/take",
        "{}",
        {"Sec-Fetch-Site": "same-site", "Content-Type": "application/json"},
        403,
        "cross_site_refused",
    ),
    (
        "a DNS-rebound name",
        "POST",
        "/take",
        "{}",
        {"Host": "attacker.example:{port}", "Content-Type": "application/json"},
        421,
        "misdirected_request",
    ),
    (
        "a rebound read",
        "GET",
        "/status",
        None,
        {"Host": "attacker.example:{port}"},
        421,
        "misdirected_request",
    ),
    (
        "no token",
        "POST",
        "/take",
        "{}",
        {"Content-Type": "application/json", "X-Streamfabric-Token": ""},
        403,
        "missing_token",
    ),
    (
        "a wrong token",
        "POST",
        "/take",
        "{}",
        {"Content-Type": "application/json", "X-Streamfabric-Token": "guess"},
        403,
        "missing_token",
    ),
    ("a read without the token", "GET", "/history", None, {"X-Streamfabric-Token": ""}, 403, "missing_token"),
    (
        "a thumbnail without the token",
        "GET",
        "/thumbnails/main-stage",
        None,
        {"X-Streamfabric-Token": ""},
        403,
        "missing_token",
    ),
    # with the token (a script on the machine), the body rules still hold
    ("no body type", "POST", "/take", None, {}, 415, "unsupported_media_type"),
    (
        "text/plain",
        "POST",
        "/switch",
        '{"ingest": "sao-paulo-stage", "force": true}',
        {"Content-Type": "text/plain"},
        415,
        "unsupported_media_type",
    ),
    (
        "urlencoded",
        "POST",
        "/switch",
        "ingest=sao-paulo-stage&force=true",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "unsupported_media_type",
    ),
    (
        "multipart",
        "POST",
        "/switch",
        MULTIPART,
        {"Content-Type": "multipart/form-data; boundary=X"},
        415,
        "unsupported_media_type",
    ),
    (
        "force 'yes'",
        "POST",
        "/switch",
        '{"ingest": "sao-paulo-stage", "force": "yes"}',
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    (
        "force 1",
        "POST",
        "/switch",
        '{"ingest": "sao-paulo-stage", "force": 1}',
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    (
        "force 'on'",
        "POST",
        "/take",
        '{"force": "on"}',
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    (
        "force 't'",
        "POST",
        "/take",
        '{"force": "t"}',
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    (
        "5,000 deep",
        "POST",
        "/switch",
        "[" * 5000 + "]" * 5000,
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    (
        "too large",
        "POST",
        "/switch",
        json.dumps({"ingest": "a" * MAX_BODY}),
        {"Content-Type": "application/json"},
        400,
        "bad_request",
    ),
    ("GET /switch", "GET", "/switch", None, {}, 405, "method_not_allowed"),
    ("DELETE /take", "DELETE", "/take", None, {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "headers", "status", "error"), REFUSALS, ids=[c[0] for c in REFUSALS]
)
def test_refused_and_nothing_changes_on_air(
    server: LocalServer,
    on_air_reset: World,
    what: str,
    method: str,
    path: str,
    body: str | None,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    before = on_air(on_air_reset)
    sent = {"X-Streamfabric-Token": server.token}
    sent.update({k: v.replace("{port}", port(server)) for k, v in headers.items()})
    sent = {k: v for k, v in sent.items() if v}
    code, response_headers, problem = send(server, method, path, body, sent)
    assert (code, problem["error"]) == (status, error), problem
    assert set(problem) >= {"error", "message"} and problem["message"]
    assert "Access-Control-Allow-Origin" not in response_headers
    if status == 405:
        assert response_headers["Allow"] == ("POST" if path in ("/switch", "/take") else "GET")
    assert on_air(on_air_reset) == before
    assert on_air_reset.switcher().history() == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_operators_own_requests_are_served(server: LocalServer, on_air_reset: World, host: str) -> None:
    netloc = f"{host}:{port(server)}"
    token = {"X-Streamfabric-Token": server.token, "Host": netloc}
    code, _, status = send(server, "GET", "/status", headers={**token, "Sec-Fetch-Site": "same-origin"})
    assert code == 200 and status["live"]["ingest"] == "main-stage"
    # The panel's take: same origin, JSON, the token; a take with nothing to say sends {}.
    panel = {**token, "Origin": f"http://{netloc}", "Content-Type": "application/json; charset=utf-8"}
    code, _, take = send(server, "POST", "/take", "{}", panel)
    assert code == 200 and take["live"] == "tent-stage", take
    # The page itself opens from a link on another site (a navigation), and carries the token.
    page = {
        "Host": netloc,
        "Sec-Fetch-Site": "cross-site",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
    }
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=30)
    connection.request("GET", "/", headers=page)
    response = connection.getresponse()
    assert response.status == 200 and server.token in response.read().decode()
    connection.close()


def test_each_run_has_its_own_token(on_air_reset: World) -> None:
    first, second = (LocalApi(on_air_reset.switcher()) for _ in range(2))
    assert first.token != second.token and len(first.token) >= 40


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status"),
    [
        ("POST", "/take", None, None, 415),
        ("POST", "/switch", "ingest=sao-paulo-stage&force=true", "application/x-www-form-urlencoded", 415),
        ("POST", "/switch", "[" * 5000 + "]" * 5000, "application/json", 400),
        ("POST", "/switch", '{"ingest": "sao-paulo-stage", "force": "yes"}', "application/json", 400),
        ("GET", "/take", None, None, 405),
    ],
    ids=["no body type", "urlencoded", "5,000 deep", "force yes", "GET /take"],
)
def test_the_lambda_handler_refuses_the_same(
    on_air_reset: World, method: str, path: str, body: str | None, content_type: str | None, status: int
) -> None:
    event = {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": content_type} if content_type else {},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {"resourcePath": path, "httpMethod": method, "path": path, "stage": "prod",
                           "requestId": "r", "identity": {"userArn": CAROL}},
    }  # fmt: skip
    before = on_air(on_air_reset)
    response = handler.lambda_handler(event, _Context())  # type: ignore[arg-type]
    assert response["statusCode"] == status
    problem = json.loads(response["body"])
    assert set(problem) >= {"error", "message"}
    assert on_air(on_air_reset) == before


class _Context:
    function_name = "streamfabric-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:streamfabric-test"
    aws_request_id = "test"
