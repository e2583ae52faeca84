"""What every request must be before the resolver sees it, in Lambda and locally alike.

- a POST carries ``Content-Type: application/json`` (``charset`` allowed): anything else (a form's
  urlencoded, multipart or text/plain body, or no body type at all) is 415: a page of another site
  can send those without a CORS preflight, never ``application/json``. A take with nothing to
  say sends ``{}``;
- a body is at most :data:`MAX_BODY` bytes and nests at most :data:`MAX_DEPTH` arrays or objects
  (400): the API's bodies are flat objects, and a deeply nested one would exhaust the parser's
  recursion;
- a path the API serves with other methods answers 405 with ``Allow`` (:func:`allowed_methods`).

Every refusal has the API's error body, ``{"error", "message"}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

MAX_BODY = 16 * 1024
MAX_DEPTH = 8

# The API's routes and their methods (app.py, panel_routes.py; /openapi.json only locally).
ROUTES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), methods)
    for pattern, methods in (
        (r"/topology", ("GET",)),
        (r"/status", ("GET",)),
        (r"/switch", ("POST",)),
        (r"/take", ("POST",)),
        (r"/history", ("GET",)),
        (r"/thumbnails/[^/]+", ("GET",)),
        (r"/", ("GET",)),
        (r"/panel-config", ("GET",)),
        (r"/panel/[^/]+", ("GET",)),
        (r"/openapi\.json", ("GET",)),
    )
)


def allowed_methods(path: str) -> tuple[str, ...]:
    """The methods the API serves ``path`` with (empty: no such path)."""
    for pattern, methods in ROUTES:
        if pattern.fullmatch(path):
            return methods
    return ()


def problem(
    status: HTTPStatus, error: str, message: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway proxy response with the API's error body."""
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps({"error": error, "message": message}),
        "isBase64Encoded": False,
    }


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header of an API Gateway event, whatever its case."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if str(key).lower() == wanted:
            return str(value)
    return None


def is_json(content_type: str | None) -> bool:
    """``application/json``, with parameters or not, in any case."""
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def nesting_depth(text: str, limit: int) -> int:
    """How deeply ``text`` (JSON) nests arrays and objects, counting no further than ``limit + 1``
    (a linear scan: brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def precheck(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The refusal of a request that must not reach the resolver (None: let it through)."""
    method = str(event.get("httpMethod") or "").upper()
    wrong_method = method_not_allowed(method, str(event.get("path") or ""))
    if wrong_method is not None:
        return wrong_method
    body = event.get("body") or ""
    if method == "POST" and not is_json(header(event, "Content-Type")):
        return problem(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json ({} when there is nothing to say)",
        )
    if len(body) > MAX_BODY * (4 / 3 if event.get("isBase64Encoded") else 1):
        return problem(HTTPStatus.BAD_REQUEST, "bad_request", f"the body is larger than {MAX_BODY} bytes")
    if isinstance(body, str) and nesting_depth(body, MAX_DEPTH) > MAX_DEPTH:
        return problem(
            HTTPStatus.BAD_REQUEST, "bad_request", f"the body nests deeper than {MAX_DEPTH} levels"
        )
    return None


def method_not_allowed(method: str, path: str) -> dict[str, Any] | None:
    """405 with ``Allow`` when ``path`` is served, with other methods (None: it is not served)."""
    methods = allowed_methods(path)
    if not methods or method.upper() in methods or method.upper() == "OPTIONS":
        return None
    allow = ", ".join(methods)
    return problem(
        HTTPStatus.METHOD_NOT_ALLOWED,
        "method_not_allowed",
        f"{path} answers {allow}, not {method.upper()}",
        headers={"Allow": allow},
    )


__all__ = [
    "MAX_BODY",
    "MAX_DEPTH",
    "ROUTES",
    "allowed_methods",
    "header",
    "is_json",
    "method_not_allowed",
    "nesting_depth",
    "precheck",
    "problem",
]
