"""The operator's control panel: one page (plain HTML, CSS and JavaScript, no build step) served by the
control API at ``GET /`` — by the Lambda in AWS, and by ``streamfabric serve`` and the sandbox locally.

The files ship in the package (read with importlib.resources). ``page(config)`` is what ``GET /``
answers: ``index.html`` with the stylesheet, the script and the panel's configuration inlined, so the
page is one request that needs nothing else before the operator has signed in (in AWS the panel API
leaves only ``GET /`` unauthenticated), and a Content-Security-Policy that allows exactly those
inline blocks (by hash), the API itself and, in Cognito mode, the user pool's token endpoint.

Configuration (``panel_config()``): ``{"auth": "none"}`` locally; in AWS, when the API stack sets
``STREAMFABRIC_AUTH=cognito``, ``{"auth": "cognito", "cognito": {"domain", "client_id", "scopes"}}``
and the page signs in with the OAuth2 authorization-code flow with PKCE against the hosted UI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from importlib import resources
from typing import Any

CONTENT_TYPES: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "panel.css": "text/css; charset=utf-8",
    "panel.js": "text/javascript; charset=utf-8",
}

# The markers in index.html that page() replaces (each must occur exactly once).
_CSS_TAG = '<link rel="stylesheet" href="panel/panel.css">'
_JS_TAG = '<script src="panel/panel.js" defer></script>'
_CONFIG_TAG = '<script type="application/json" id="panel-config">{"auth": "none"}</script>'


def asset(name: str) -> tuple[bytes, str]:
    """The bytes and Content-Type of one of the panel's files; ``KeyError`` for any other name."""
    content_type = CONTENT_TYPES[name]  # only these names: never a path from the request
    data = resources.files(__package__).joinpath(name).read_bytes()
    return data, content_type


def panel_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the page needs to know: how to sign in. ``STREAMFABRIC_AUTH=cognito`` (set by the API
    stack in Cognito mode) with ``STREAMFABRIC_COGNITO_DOMAIN`` (the hosted UI's https:// URL) and
    ``STREAMFABRIC_COGNITO_CLIENT_ID``; anything else means no sign-in (local)."""
    env = os.environ if environ is None else environ
    if env.get("STREAMFABRIC_AUTH", "").lower() != "cognito":
        return {"auth": "none"}
    domain = env.get("STREAMFABRIC_COGNITO_DOMAIN", "").rstrip("/")
    client_id = env.get("STREAMFABRIC_COGNITO_CLIENT_ID", "")
    if not domain.startswith(("https://", "http://127.0.0.1", "http://localhost")) or not client_id:
        # Misconfigured: say so on the page rather than sending the operator somewhere wrong.
        return {"auth": "cognito", "error": "the API's Cognito settings are missing or invalid"}
    return {
        "auth": "cognito",
        "cognito": {"domain": domain, "client_id": client_id, "scopes": ["openid", "email"]},
    }


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _inline(html: str, marker: str, replacement: str) -> str:
    if html.count(marker) != 1:
        raise RuntimeError(f"panel index.html must contain {marker!r} exactly once")
    return html.replace(marker, replacement)


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def page(config: Mapping[str, Any] | None = None) -> tuple[str, dict[str, str]]:
    """The page ``GET /`` answers, and its response headers (Content-Type, CSP, no caching)."""
    config = panel_config() if config is None else config
    html = asset("index.html")[0].decode("utf-8")
    css = asset("panel.css")[0].decode("utf-8")
    js = asset("panel.js")[0].decode("utf-8")
    if "</style" in css.lower() or "</script" in js.lower():
        raise RuntimeError("panel assets must not close their own inline element")
    # JSON in a data block: "<" escaped so no value can end the element.
    config_json = json.dumps(dict(config), sort_keys=True).replace("<", "\\u003c")
    html = _inline(html, _CSS_TAG, f"<style>{css}</style>")
    html = _inline(html, _JS_TAG, f"<script>{js}</script>")
    html = _inline(
        html, _CONFIG_TAG, f'<script type="application/json" id="panel-config">{config_json}</script>'
    )
    connect = ["'self'"]
    cognito = config.get("cognito")
    if isinstance(cognito, Mapping) and isinstance(cognito.get("domain"), str):
        connect.append(_origin(cognito["domain"]))  # the token endpoint (code exchange, refresh)
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_sha256(js)}",
            f"style-src {_sha256(css)}",
            "img-src 'self' data: blob:",  # thumbnails: fetched with the token, shown as blob: URLs
            f"connect-src {' '.join(connect)}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Type": CONTENT_TYPES["index.html"],
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
    return html, headers


__all__ = ["CONTENT_TYPES", "asset", "page", "panel_config"]
