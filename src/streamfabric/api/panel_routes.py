"""The operator panel's routes on the control API's resolver (``build_app`` registers them):

- ``GET /``: the page, self-contained (stylesheet, script and configuration inlined; see
  :func:`streamfabric.panel.page`), so it is the only route a browser needs before signing in;
- ``GET /panel/<name>``: ``index.html``, ``panel.css`` and ``panel.js`` as files (development, checks);
- ``GET /panel-config``: the page's configuration (how to sign in; locally, the per-run token) as JSON.

None of them is in the OpenAPI document: they are not part of the switching API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from ..panel import asset, page, panel_config

_NO_CACHE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def register_panel_routes(app: APIGatewayRestResolver, extra: Mapping[str, Any] | None = None) -> None:
    """``extra``: more of the page's configuration (the local server's per-run ``local_token``)."""

    def config() -> dict[str, Any]:
        return {**panel_config(), **(extra or {})}

    @app.get("/", include_in_schema=False)
    def panel_page() -> Response[str]:
        html, headers = page(config())
        content_type = headers.pop("Content-Type")
        return Response(HTTPStatus.OK.value, content_type, html, headers=headers)

    @app.get("/panel-config", include_in_schema=False)
    def get_panel_config() -> Response[str]:
        body = json.dumps(config(), sort_keys=True)
        return Response(HTTPStatus.OK.value, content_types.APPLICATION_JSON, body, headers=dict(_NO_CACHE))

    @app.get("/panel/<name>", include_in_schema=False)
    def panel_asset(name: str) -> Response[str]:
        try:
            data, content_type = asset(name)
        except KeyError:
            body = json.dumps({"error": "not_found", "message": f"no panel file {name!r}"})
            return Response(HTTPStatus.NOT_FOUND.value, content_types.APPLICATION_JSON, body)
        # Text, not bytes: API Gateway passes a base64 body through unless binary media types are set.
        return Response(HTTPStatus.OK.value, content_type, data.decode("utf-8"), headers=dict(_NO_CACHE))


__all__ = ["register_panel_routes"]
