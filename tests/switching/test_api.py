"""The control API through HTTP (the local server running the Lambda handler's resolver)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streamfabric.api.app import build_app, openapi_document
from streamfabric.api.local import LocalServer

from .conftest import World

pytestmark = pytest.mark.integration

OPENAPI = Path(__file__).resolve().parents[2] / "src" / "streamfabric" / "api" / "openapi.json"


def local_token(url: str) -> str:
    """The local server's per-run token, read as the panel reads it: from its own page's
    configuration (GET /panel-config; never cached: another server may get the same port)."""
    parts = urllib.parse.urlsplit(url)
    with urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}/panel-config", timeout=30) as resp:
        return str(json.loads(resp.read())["local_token"])


def request(
    url: str,
    method: str = "GET",
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    token: bool = True,
) -> tuple[int, Any]:
    """One request with Content-Type: application/json and, unless ``token`` is false, the local
    server's token; ``headers`` adds to (or, with None values, removes) these."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    sent = {"Content-Type": "application/json"}
    if token:
        sent["X-Streamfabric-Token"] = local_token(url)
    sent.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.fixture()
def api(on_air_reset: World) -> Iterator[str]:
    with LocalServer(on_air_reset.switcher(), caller="arn:aws:iam::123456789012:user/carol") as url:
        yield url


def test_topology_status_switch_take_history(api: str, on_air_reset: World) -> None:
    code, topo = request(f"{api}/topology")
    assert code == 200 and topo["hub"] == "eu-west-1"
    assert [i["name"] for i in topo["ingests"]] == list(on_air_reset.model.ingest_names)
    assert "passphrase" not in json.dumps(topo)  # no secret references leak through the API

    code, status = request(f"{api}/status")
    assert code == 200
    assert (status["live"]["ingest"], status["preview"]["ingest"]) == ("main-stage", "tent-stage")

    code, result = request(f"{api}/switch", "POST", {"ingest": "sydney-stage", "target": "preview"})
    assert code == 200 and result["changed"] and result["previous"] == "tent-stage"
    code, take = request(f"{api}/take", "POST")
    assert code == 200 and (take["live"], take["preview"]) == ("sydney-stage", "main-stage")
    assert on_air_reset.hub_source("live")["Transport"]["SourceListenerAddress"] == (  # type: ignore[index]
        on_air_reset.switcher().state.ingests["sydney-stage"].private_ip
    )
    code, history = request(f"{api}/history?limit=5")
    assert code == 200
    assert [(h["action"], h["to"], h["caller"]) for h in history] == [
        ("switch", "sydney-stage", "arn:aws:iam::123456789012:user/carol"),
        ("take", "sydney-stage", "arn:aws:iam::123456789012:user/carol"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ingest"),
        ({"ingest": 7}, "ingest"),
        ({"ingest": "Main Stage"}, "ingest"),
        ({"ingest": "main-stage", "target": "side"}, "target"),
        ({"ingest": "main-stage", "force": "yes please"}, "force"),
        ({"ingest": "main-stage", "colour": "red"}, "colour"),
        ([], None),
    ],
)
def test_bad_bodies_get_400_naming_the_field(api: str, body: Any, field: str | None) -> None:
    code, problem = request(f"{api}/switch", "POST", body)
    assert code == 400, problem
    assert problem["error"] == "bad_request"
    if field:
        assert problem["field"] == field and field in problem["message"]


def test_malformed_json_is_400_not_500(api: str) -> None:
    code, problem = request(f"{api}/switch", "POST", raw=b'{"ingest": ')
    assert code == 400 and problem["error"] == "bad_request"


def test_unknown_ingest_is_404_and_conflict_is_409(api: str, on_air_reset: World) -> None:
    code, problem = request(f"{api}/switch", "POST", {"ingest": "glastonbury"})
    assert code == 404 and "sydney-stage" in problem["message"]

    on_air_reset.switcher(caller="arn:aws:iam::123456789012:user/alice").switch("nyc-studio", "live")
    code, problem = request(f"{api}/switch", "POST", {"ingest": "boston-remote", "expected": "main-stage"})
    assert code == 409
    assert problem["on_air"] == "nyc-studio" and problem["expected"] == "main-stage"
    assert problem["last_switch"]["caller"] == "arn:aws:iam::123456789012:user/alice"


def test_unknown_route_and_bad_query(api: str) -> None:
    assert request(f"{api}/nope")[0] == 404
    code, problem = request(f"{api}/history?limit=0")
    assert code == 400 and problem["field"] == "limit"


def test_the_openapi_document_in_the_repository_is_the_handlers() -> None:
    generated = (
        json.dumps(json.loads(openapi_document(build_app(lambda: None))), indent=2, sort_keys=True) + "\n"
    )
    if os.environ.get("STREAMFABRIC_UPDATE_GOLDEN") == "1":
        OPENAPI.write_text(generated)
    assert OPENAPI.read_text() == generated, "regenerate with STREAMFABRIC_UPDATE_GOLDEN=1"


def test_schemathesis_finds_no_server_error_or_undocumented_response(api: str) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from hypothesis_budget import examples

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    schema.config.update(base_url=api)
    checks = [
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.status_code_conformance,
        schemathesis.checks.content_type_conformance,
        schemathesis.checks.response_schema_conformance,
    ]
    failures: list[str] = []
    token = {"X-Streamfabric-Token": local_token(api)}
    for operation in schema.get_all_operations():
        op = operation.ok()

        # One example is one HTTP request to the local server: a sixth of the profile (25 in `ci`).
        @settings(max_examples=examples(1 / 6), suppress_health_check=[HealthCheck.too_slow])
        @given(case=op.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=token)
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:  # collect, so one run reports every operation
                failures.append(f"{case.method} {case.path}: {exc}")

        run()
    assert failures == []
