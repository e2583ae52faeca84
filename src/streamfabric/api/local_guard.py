"""Who may talk to the local API (``streamfabric serve``, ``demo --keep``), which acts with the
operator's AWS credentials and has no sign-in: only the operator's own panel and tools, never a web
page of another origin that the operator happens to have open.

In order, each refusal with the API's error body ``{"error", "message"}``:

1. ``Host`` is ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT`` (PORT the server's), else
   421 ``misdirected_request``: a DNS-rebound name (``attacker.example:PORT``) is never served, so
   no page of another origin can read the API as its own;
2. ``Sec-Fetch-Site`` is not ``cross-site`` or ``same-site`` (another port of localhost is another
   origin of the same site), else 403 ``cross_site_refused``; only a top-level navigation (the
   operator following a link) may open the page itself;
3. an ``Origin``, when sent (every POST from a browser), is ``http://`` + that Host, else 403
   ``foreign_origin`` (``Origin: null``, a sandboxed frame's or a data: page's, included);
4. every API request (not the page and its files) carries the server's per-run token in
   :data:`TOKEN_HEADER`, else 403 ``missing_token``. The panel reads it from its own page (inlined
   configuration); a page of another origin can neither read it nor send a custom header without
   a CORS preflight, which the local API never grants (it sends no CORS headers at all).

Scripts on the operator's machine send the token ``serve`` prints.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from .guard import problem

TOKEN_HEADER = "X-Streamfabric-Token"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# The page, its configuration and its files (GET /panel/<name>, api.panel_routes): what a
# navigation may open, and what needs no token.
PAGE_PATHS = frozenset({"/", "/panel-config", "/openapi.json"})


def is_page(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith("/panel/")  # the route serves its 3 files only


def new_token() -> str:
    """A per-run token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def allowed_hosts(port: int | str) -> frozenset[str]:
    return frozenset(f"{host}:{port}" for host in LOCAL_HOSTS)


def _is_navigation(method: str, path: str, headers: Mapping[str, str]) -> bool:
    return (
        method == "GET"
        and is_page(path)
        and headers.get("sec-fetch-mode", "navigate") == "navigate"
        and headers.get("sec-fetch-dest", "document") == "document"
    )


def refusal(
    method: str, path: str, headers: Mapping[str, str], *, port: int | str, token: str
) -> dict[str, Any] | None:
    """Why the local API refuses this request (an API Gateway proxy response), or None.
    ``headers``: the request's headers, names in lower case."""
    host = headers.get("host", "")
    if host.lower() not in allowed_hosts(port):
        return problem(
            HTTPStatus.MISDIRECTED_REQUEST,
            "misdirected_request",
            f"the local API answers only to 127.0.0.1:{port}, localhost:{port} and [::1]:{port}",
        )
    site = headers.get("sec-fetch-site", "").lower()
    if site in ("cross-site", "same-site") and not _is_navigation(method, path, headers):
        return problem(
            HTTPStatus.FORBIDDEN,
            "cross_site_refused",
            "the local API answers only its own panel: a request from another site is refused",
        )
    origin = headers.get("origin")
    if origin is not None and origin.lower() != f"http://{host.lower()}":
        return problem(
            HTTPStatus.FORBIDDEN,
            "foreign_origin",
            f"the local API answers only its own panel (Origin http://{host}), not {origin[:100]!r}",
        )
    if not is_page(path):
        sent = headers.get(TOKEN_HEADER.lower(), "")
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return problem(
                HTTPStatus.FORBIDDEN,
                "missing_token",
                f"send the token streamfabric serve printed in the {TOKEN_HEADER} header "
                "(the panel does so itself)",
            )
    return None


__all__ = ["LOCAL_HOSTS", "PAGE_PATHS", "TOKEN_HEADER", "allowed_hosts", "is_page", "new_token", "refusal"]
