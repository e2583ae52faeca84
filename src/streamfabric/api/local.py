"""Run the control API on 127.0.0.1: a WSGI app that turns each HTTP request into the API Gateway
(REST) event the Lambda handler receives, so ``streamfabric serve``, the sandbox and the tests run
exactly the handler that runs in AWS. No sign-in locally: the caller is ``local:<user>``.
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
    """The WSGI application around the resolver; also answers GET /openapi.json."""

    def __init__(self, switcher: Switcher, caller: str | None = None) -> None:
        self.switcher = switcher
        self.caller = caller or f"local:{getpass.getuser()}"
        self.app: APIGatewayRestResolver = build_app(lambda: switcher)
        self._openapi: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.method == "GET" and request.path == "/openapi.json":
            if self._openapi is None:
                self._openapi = openapi_document(self.app)
            response = Response(self._openapi, content_type="application/json")
            return response(environ, start_response)
        result = self.app.resolve(to_event(request, self.caller), _Context())  # type: ignore[arg-type]
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
        headers: list[tuple[str, str]] = []
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((key, v) for v in values)
        for key, value in (result.get("headers") or {}).items():
            headers.append((key, value))
        response = Response(data, status=int(result.get("statusCode", 500)), headers=headers)
        return response(environ, start_response)


class LocalServer:
    """The local API on a thread: ``with LocalServer(switcher) as url: ...``."""

    def __init__(
        self, switcher: Switcher, *, host: str = "127.0.0.1", port: int = 0, caller: str | None = None
    ):
        self.api = LocalApi(switcher, caller)
        self._server: BaseWSGIServer = make_server(host, port, self.api, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
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
