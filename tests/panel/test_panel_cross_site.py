"""A web page of another origin, open in the operator's browser (Debian's Chromium, headless, driven
by Playwright), tries everything a page can do without a CORS preflight against the local control
API: form posts (urlencoded, multipart, text/plain shaped as JSON), ``fetch`` with ``no-cors``,
image and script GETs. Nothing switches (the hub flows' sources in the moto server are as before,
the audit log is empty), every request the API saw was refused, and nothing was read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from werkzeug.serving import make_server

from streamfabric.api.local import LocalApi
from switching.conftest import World

from .conftest import OPERATOR

pytestmark = pytest.mark.integration

ATTACK = """<!doctype html><html><body>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<form id="urlencoded" method="post" action="{api}/switch" target="sink1">
  <input name="ingest" value="sao-paulo-stage"><input name="force" value="true"></form>
<form id="multipart" method="post" action="{api}/switch" target="sink2" enctype="multipart/form-data">
  <input name="ingest" value="sao-paulo-stage"><input name="force" value="true"></form>
<form id="plain" method="post" action="{api}/switch" target="sink3" enctype="text/plain">
  <input name='{{"ingest": "sao-paulo-stage", "force": true, "x": "' value='"}}'></form>
<script>
  window.results = {{}};
  function note(name, value) {{ window.results[name] = value; }}
  document.getElementById("urlencoded").submit();
  document.getElementById("multipart").submit();
  document.getElementById("plain").submit();
  fetch("{api}/take", {{method: "POST", mode: "no-cors"}}).then(
    function (r) {{ note("take", r.type + ":" + r.status); }}, function () {{ note("take", "error"); }});
  fetch("{api}/switch", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
    body: JSON.stringify({{ingest: "sao-paulo-stage", force: true}})}}).then(
    function (r) {{ note("switch", r.type + ":" + r.status); }}, function () {{ note("switch", "error"); }});
  fetch("{api}/status").then(function (r) {{ return r.text(); }}).then(
    function (t) {{ note("status", "read:" + t.slice(0, 40)); }},
    function () {{ note("status", "blocked"); }});
  var img = new Image();
  img.onload = function () {{ note("img", "loaded:" + img.naturalWidth); }};
  img.onerror = function () {{ note("img", "error"); }};
  img.src = "{api}/thumbnails/main-stage";
  ["status", "history"].forEach(function (path) {{
    var s = document.createElement("script");
    s.onload = function () {{ note("script-" + path, "loaded"); }};
    s.onerror = function () {{ note("script-" + path, "error"); }};
    s.src = "{api}/" + path;
    document.body.appendChild(s);
  }});
</script></body></html>"""
EXPECTED_RESULTS = {"take", "switch", "status", "img", "script-status", "script-history"}


class AttackerSite:
    """A page on another origin (another port of 127.0.0.1: another origin of the same site)."""

    def __init__(self, api: str) -> None:
        html = ATTACK.format(api=api).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def recorded_api(on_air_reset: World) -> Iterator[tuple[str, list[tuple[str, str, int]]]]:
    """The local API (as ``streamfabric serve`` runs it), recording each request's method, path
    and status."""
    api = LocalApi(on_air_reset.switcher(), caller=OPERATOR)
    seen: list[tuple[str, str, int]] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: Any, *rest: Any) -> Any:
            seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, *rest)

        return api(environ, start)

    server = make_server("127.0.0.1", 0, recording, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def _on_air(world: World) -> tuple[object, object]:
    return world.hub_source("live")["Transport"], world.hub_source("preview")["Transport"]


def test_a_page_of_another_origin_can_neither_cut_nor_read(
    recorded_api: tuple[str, list[tuple[str, str, int]]], on_air_reset: World, new_page: Any
) -> None:
    api, seen = recorded_api
    before = _on_air(on_air_reset)
    site = AttackerSite(api)
    try:
        page = new_page()
        page.goto(site.url)
        page.wait_for_function(
            f"() => window.results && {sorted(EXPECTED_RESULTS)!r}.every(k => k in window.results)"
        )
        deadline = time.monotonic() + 10  # the three form posts load in their frames
        while sum(1 for m, p, _ in seen if (m, p) == ("POST", "/switch")) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        results = page.evaluate("window.results")
    finally:
        site.close()

    # Nothing was read: the no-cors answers are opaque, the CORS read and the image fail, and the
    # scripts were refused (a 4xx answer is a script's load error).
    assert results["take"] == "opaque:0" and results["switch"] == "opaque:0"
    assert results["status"] == "blocked"
    assert results["img"] == "error"
    assert results["script-status"] == results["script-history"] == "error"
    # Every request reached the API and every one was refused.
    posts = [s for m, p, s in seen if (m, p) == ("POST", "/switch")]
    assert len(posts) == 4, seen  # urlencoded, multipart and text/plain forms, the no-cors fetch
    assert ("POST", "/take") in {(m, p) for m, p, _ in seen}
    assert seen and all(400 <= status < 500 for _, _, status in seen), seen
    # Nothing switched.
    assert _on_air(on_air_reset) == before
    assert on_air_reset.switcher().history() == []


def test_the_panel_itself_still_cuts(
    recorded_api: tuple[str, list[tuple[str, str, int]]], on_air_reset: World, new_page: Any
) -> None:
    """The same server, the operator's own panel: it reads its token from its page and cuts."""
    from playwright.sync_api import expect

    api, seen = recorded_api
    page = new_page()
    page.goto(api + "/")
    expect(page.locator("#live-ingest")).to_have_text("main-stage")
    expect(page.locator("#connection")).to_have_attribute("data-state", "ok")
    page.locator('li.ingest[data-ingest="sydney-stage"] .pick').click()
    expect(page.locator("#preview-ingest")).to_have_text("sydney-stage")
    assert ("POST", "/switch", 200) in seen
    assert all(status < 400 for _, _, status in seen), seen
