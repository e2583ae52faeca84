"""Run the control API on 127.0.0.1: a WSGI app that turns each HTTP request into the API Gateway
(REST) event the Lambda handler receives, so ``streamfabric serve``, the sandbox and the tests run
exactly the handler that runs in AWS. No sign-in locally: the caller is ``local:<user>``; instead,
only the operator's own panel and tools are answered (:mod:`.local_guard`).
"""

from __future__ import annotations

import base64
import getpass
import threading
import uuid
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from ..switching import Switcher
from .app import build_app, openapi_document
from .guard import precheck
from .local_guard import TOKEN_HEADER, new_token, refusal


class _Context:
    function_name = "streamfabric-local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:streamfabric-local"
    memory_limit_in_mb = 512
    aws_request_id = "local"
    log_group_name = "local"
    log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def to_event(request: Request, caller: str) -> dict[str, Any]:
    body = request.get_data()
    text = body.decode("utf-8", errors="surrogateescape") if body else None
    query = {k: request.args.getlist(k)[-1] for k in request.args}
    return {
        "resource": request.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": dict(request.headers.items()),
        "multiValueHeaders": {k: request.headers.getlist(k) for k in request.headers.keys()},  # noqa: SIM118
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: request.args.getlist(k) for k in request.args} or None,
        "pathParameters": None,
        "stageVariables": None,
        "body": text,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": request.path,
            "httpMethod": request.method,
            "path": request.path,
            "stage": "local",
            "requestId": uuid.uuid4().hex,
            "identity": {"userArn": caller, "sourceIp": request.remote_addr or "127.0.0.1"},
        },
    }


class LocalApi:
    """The WSGI application around the resolver; also answers GET /openapi.json. Before anything
    else it refuses what is not the operator's own panel or tools (:mod:`.local_guard`: Host,
    Sec-Fetch-Site, Origin, the per-run ``token``), then what no API request may be
    (:mod:`.guard`)."""

    def __init__(self, switcher: Switcher, caller: str | None = None, token: str | None = None) -> None:
        self.switcher = switcher
        self.caller = caller or f"local:{getpass.getuser()}"
        self.token = token or new_token()
        self.app: APIGatewayRestResolver = build_app(
            lambda: switcher, panel_extra={"local_token": self.token}
        )
        self._openapi: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The header a script sends with every request (the panel sends it itself)."""
        return {TOKEN_HEADER: self.token}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        headers = {k.lower(): v for k, v in request.headers.items()}
        port = environ.get("SERVER_PORT", "")
        refused = refusal(request.method, request.path, headers, port=port, token=self.token)
        if refused is not None:
            return _response(refused)(environ, start_response)
        if request.method == "GET" and request.path == "/openapi.json":
            if self._openapi is None:
                self._openapi = openapi_document(self.app)
            response = Response(self._openapi, content_type="application/json")
            return response(environ, start_response)
        event = to_event(request, self.caller)
        result = precheck(event) or self.app.resolve(event, _Context())  # type: ignore[arg-type]
        return _response(result)(environ, start_response)


def _response(result: dict[str, Any]) -> Response:
    """The HTTP response of an API Gateway proxy response."""
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    headers: list[tuple[str, str]] = []
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((key, v) for v in values)
    for key, value in (result.get("headers") or {}).items():
        headers.append((key, value))
    return Response(data, status=int(result.get("statusCode", 500)), headers=headers)


class LocalServer:
    """The local API on a thread: ``with LocalServer(switcher) as url: ...``."""

    def __init__(
        self,
        switcher: Switcher,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        caller: str | None = None,
        token: str | None = None,
    ):
        self.api = LocalApi(switcher, caller, token)
        self._server: BaseWSGIServer = make_server(host, port, self.api, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self.token = self.api.token
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="streamfabric-api", daemon=True
        )

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
