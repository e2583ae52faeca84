"""The operator panel in a real browser (Debian's Chromium, headless, driven by Playwright) against the
local control API on the festival deployed into the moto server.

Every assertion is on the page's DOM, with Playwright's auto-waiting ``expect``; nothing sleeps.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from streamfabric.api.local import LocalApi, LocalServer
from switching.conftest import World

from .conftest import OPERATOR, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.integration

ALICE = "arn:aws:iam::123456789012:user/alice"
PageFactory = Callable[[], "Page"]


@pytest.fixture()
def panel(on_air_reset: World) -> Iterator[str]:
    """The local control API (``streamfabric serve``'s server) with Live on main-stage and Preview on
    tent-stage."""
    with LocalServer(on_air_reset.switcher(), caller=OPERATOR) as url:
        yield url


def tile(page: Page, ingest: str) -> Any:
    return page.locator(f'li.ingest[data-ingest="{ingest}"]')


def open_panel(page: Page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page.locator("#live-ingest")).to_have_text("main-stage")
    expect(page.locator("#preview-ingest")).to_have_text("tent-stage")
    expect(page.locator("#connection")).to_have_attribute("data-state", "ok")


def test_preview_take_history_and_conflict(panel: str, on_air_reset: World, new_page: PageFactory) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.clock.install()  # the page's timers under the test's control (see the conflict below)
    open_panel(page, panel)

    # Ingests grouped by region (the hub first), each with its health.
    expect(page.locator(".region-name")).to_have_text(
        ["eu-west-1hub", "us-east-1", "ap-southeast-2", "sa-east-1"]
    )
    expect(page.locator("li.ingest")).to_have_count(len(on_air_reset.model.ingests))
    expect(tile(page, "main-stage")).to_have_attribute("data-tally", "live")
    expect(tile(page, "tent-stage")).to_have_attribute("data-tally", "preview")
    expect(tile(page, "sydney-stage")).to_have_attribute("data-health", "ok")
    expect(tile(page, "sydney-stage").locator(".health")).to_have_text(re.compile("ACTIVE"))
    expect(page.locator("#show-name")).to_have_text("festival")
    screenshot(page, "01-loaded")

    # A click puts an ingest on Preview.
    tile(page, "sydney-stage").locator(".pick").click()
    expect(page.locator("#preview-ingest")).to_have_text("sydney-stage")
    expect(tile(page, "sydney-stage")).to_have_attribute("data-tally", "preview")
    expect(tile(page, "tent-stage")).to_have_attribute("data-tally", "none")
    expect(page.locator("#live-ingest")).to_have_text("main-stage")
    screenshot(page, "02-preview")

    # Take: Preview goes to Live, Live to Preview — on the hub flows themselves.
    page.get_by_role("button", name=re.compile("^Take")).click()
    expect(page.locator("#live-ingest")).to_have_text("sydney-stage")
    expect(page.locator("#preview-ingest")).to_have_text("main-stage")
    expect(tile(page, "sydney-stage")).to_have_attribute("data-tally", "live")
    sydney_ip = on_air_reset.switcher().state.ingests["sydney-stage"].private_ip
    assert on_air_reset.hub_source("live")["Transport"]["SourceListenerAddress"] == sydney_ip  # type: ignore[index]

    # The history shows the take (newest first) and who did it.
    first = page.locator("#history-rows tr").first
    expect(first).to_contain_text("Take: sydney-stage → Live, main-stage → Preview")
    expect(first.locator(".who")).to_have_text("carol")
    expect(first.locator(".result")).to_have_text("switched")
    expect(page.locator("#history-rows tr")).to_have_count(2)
    screenshot(page, "03-take")

    # A conflict: alice switches Preview behind the page's back; the page still shows main-stage
    # on Preview (its polling is paused), so the operator's click carries expected=main-stage.
    page.clock.pause_at(page.evaluate("Date.now()") + 10)
    # Pausing timers does not stop a poll already sent: let it land before alice switches.
    expect(page.locator("html")).to_have_attribute("data-inflight", "0")
    on_air_reset.switcher(caller=ALICE).switch("nyc-studio", "preview")
    expect(page.locator("#preview-ingest")).to_have_text("main-stage")
    tile(page, "boston-remote").locator(".pick").click()
    alert = page.locator('.banner[role="alert"][data-kind="conflict"]')
    expect(alert).to_contain_text("Conflict")
    expect(alert).to_contain_text("alice put nyc-studio on Preview")
    expect(alert).to_contain_text("Preview now carries nyc-studio, not main-stage")
    expect(alert).to_contain_text(ALICE)
    # Nothing was switched, and the page now shows the truth.
    expect(page.locator("#preview-ingest")).to_have_text("nyc-studio")
    expect(tile(page, "boston-remote")).to_have_attribute("data-tally", "none")
    expect(page.locator("#history-rows tr").first.locator(".result")).to_have_text("conflict")
    page.clock.resume()
    screenshot(page, "04-conflict")
    assert on_air_reset.switcher().status().preview.ingest == "nyc-studio"


def test_direct_live_switch_asks_first_and_the_keyboard_alone_runs_the_show(
    panel: str, on_air_reset: World, new_page: PageFactory
) -> None:
    from playwright.sync_api import expect

    page = new_page()
    open_panel(page, panel)

    def tab_to(selector: str, limit: int = 40) -> None:
        """Press Tab until the element has focus (Tab order reaches it)."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # Enter on an ingest: Preview.
    tab_to('li.ingest[data-ingest="boston-remote"] .pick')
    page.keyboard.press("Enter")
    expect(page.locator("#preview-ingest")).to_have_text("boston-remote")

    # "T": take.
    page.keyboard.press("t")
    expect(page.locator("#live-ingest")).to_have_text("boston-remote")
    expect(page.locator("#preview-ingest")).to_have_text("main-stage")

    # A number key: Preview (the 5th ingest is sydney-stage), Space works like Enter.
    page.keyboard.press("5")
    expect(page.locator("#preview-ingest")).to_have_text("sydney-stage")

    # Live directly: a confirmation first; Escape (the default, Cancel) changes nothing.
    tab_to('li.ingest[data-ingest="sao-paulo-stage"] .to-live')
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#confirm-live")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Put sao-paulo-stage on LIVE?")
    expect(dialog).to_contain_text("Live now carries boston-remote")
    expect(page.locator("#confirm-cancel")).to_be_focused()
    screenshot(page, "05-confirm-live")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator('li.ingest[data-ingest="sao-paulo-stage"] .to-live')).to_be_focused()
    expect(page.locator("#live-ingest")).to_have_text("boston-remote")

    # Again, and confirm with the keyboard.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#confirm-ok")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#live-ingest")).to_have_text("sao-paulo-stage")
    expect(tile(page, "sao-paulo-stage")).to_have_attribute("data-tally", "live")
    expect(page.locator("#history-rows tr").first).to_contain_text("Live: boston-remote → sao-paulo-stage")
    screenshot(page, "06-keyboard")
    assert on_air_reset.switcher().status().live.ingest == "sao-paulo-stage"


def test_errors_are_banners_and_a_lost_api_says_so(panel: str, new_page: PageFactory) -> None:
    from playwright.sync_api import expect

    page = new_page()
    open_panel(page, panel)

    # An API error (here 502, an AWS failure) is a banner quoting the API's message.
    page.route(
        "**/switch",
        lambda route: route.fulfill(
            status=502,
            content_type="application/json",
            body=json.dumps({"error": "switch_failed", "message": "switching preview failed: throttled"}),
        ),
    )
    tile(page, "nyc-studio").locator(".pick").click()
    alert = page.locator('.banner[role="alert"][data-kind="error"]')
    expect(alert).to_contain_text("Not switched (switch_failed)")
    expect(alert).to_contain_text("switching preview failed: throttled")
    expect(page.locator("#preview-ingest")).to_have_text("tent-stage")

    # The status stops answering: a banner, and the tallies say they are not current.
    page.route("**/status", lambda route: route.abort("connectionrefused"))
    lost = page.locator('.banner[role="alert"][data-kind="connection"]')
    expect(lost).to_contain_text("Status is not updating")
    expect(page.locator("#connection")).to_have_attribute("data-state", "stale", timeout=15_000)
    screenshot(page, "07-api-lost")
    page.unroute("**/status")
    expect(page.locator("#connection")).to_have_attribute("data-state", "ok")
    expect(lost).to_have_count(0)


def test_the_page_makes_no_request_outside_the_api(panel: str, new_page: PageFactory) -> None:
    from playwright.sync_api import expect

    page = new_page()
    requests: list[str] = []
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        requests.append(url)
        host = urllib.parse.urlsplit(url).hostname
        if host != "127.0.0.1" and not url.startswith(("data:", "blob:")):
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", guard)
    open_panel(page, panel)
    tile(page, "nyc-studio").locator(".pick").click()
    expect(page.locator("#preview-ingest")).to_have_text("nyc-studio")
    expect(page.locator("#history-rows tr").first).to_contain_text("nyc-studio")
    assert outside == []
    paths = {urllib.parse.urlsplit(u).path for u in requests if not u.startswith("blob:")}
    thumbnails = {p for p in paths if p.startswith("/thumbnails/")}
    allowed = {"/", "/status", "/topology", "/history", "/switch", "/take", "/thumbnails"}
    assert paths - thumbnails <= allowed, paths
    tiles = page.locator("li.ingest").evaluate_all("nodes => nodes.map(n => n.dataset.ingest)")
    assert thumbnails <= {f"/thumbnails/{name}" for name in tiles}, thumbnails


# ---------------------------------------------------------------------------------- Cognito sign-in
def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeHostedUi:
    """The user pool's hosted UI and token endpoint, as far as the panel uses them: /oauth2/authorize
    redirects back with a code (the operator "signs in"), /oauth2/token checks the PKCE verifier."""

    def __init__(self) -> None:
        self.authorize: list[dict[str, str]] = []
        self.tokens: list[dict[str, str]] = []
        self.id_token = ".".join(
            [
                _b64url(b'{"alg":"none"}'),
                _b64url(
                    json.dumps(
                        {"email": "dana@festival.example", "exp": 4102444800, "cognito:groups": ["operators"]}
                    ).encode()
                ),
                "sig",
            ]
        )
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path != "/oauth2/authorize":
                    self.send_error(404)
                    return
                outer.authorize.append(query)
                back = (
                    query["redirect_uri"]
                    + "?"
                    + urllib.parse.urlencode({"code": "the-code", "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                outer.tokens.append(form)
                challenge = outer.authorize[-1]["code_challenge"] if outer.authorize else ""
                verifier = form.get("code_verifier", "").encode()
                verified = _b64url(hashlib.sha256(verifier).digest()) == challenge
                ok = form.get("code") == "the-code" and verified
                tokens = {"id_token": outer.id_token, "refresh_token": "r", "expires_in": 3600}
                body = json.dumps(tokens if ok else {"error": "invalid_grant"}).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_cognito_mode_signs_in_with_pkce_and_sends_the_id_token(
    on_air_reset: World, new_page: PageFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect
    from werkzeug.serving import make_server

    hosted_ui = FakeHostedUi()
    monkeypatch.setenv("STREAMFABRIC_AUTH", "cognito")
    monkeypatch.setenv("STREAMFABRIC_COGNITO_DOMAIN", hosted_ui.url)
    monkeypatch.setenv("STREAMFABRIC_COGNITO_CLIENT_ID", "panel-client")
    api = LocalApi(on_air_reset.switcher(), caller=OPERATOR)
    seen: list[tuple[str, str]] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append((environ["PATH_INFO"], environ.get("HTTP_AUTHORIZATION", "")))
        return api(environ, start_response)

    server = make_server("127.0.0.1", 0, recording, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        page = new_page()
        page.goto(url + "/")
        expect(page.locator("#signin")).to_be_visible()
        expect(page.locator("#panel")).to_be_hidden()
        expect(page.locator("#signin-button")).to_be_focused()
        screenshot(page, "08-sign-in")
        page.keyboard.press("Enter")
        expect(page.locator("#live-ingest")).to_have_text("main-stage")
        expect(page.locator("#user-name")).to_have_text("dana@festival.example")
        expect(page.locator("#user-role")).to_have_text("operator")  # the user pool group
        expect(page.locator("#sign-out")).to_be_visible()
        assert page.url == url + "/"  # the single-use code is not left in the address bar

        [authorize] = hosted_ui.authorize
        assert authorize["response_type"] == "code" and authorize["client_id"] == "panel-client"
        assert authorize["code_challenge_method"] == "S256" and authorize["redirect_uri"] == url + "/"
        assert authorize["scope"] == "openid email"
        [exchange] = hosted_ui.tokens
        assert exchange["grant_type"] == "authorization_code" and exchange["redirect_uri"] == url + "/"

        tile(page, "nyc-studio").locator(".pick").click()
        expect(page.locator("#preview-ingest")).to_have_text("nyc-studio")
        api_calls = [(path, auth) for path, auth in seen if path != "/"]
        assert {path for path, _ in api_calls} >= {"/status", "/switch", "/history", "/topology"}
        assert {auth for _, auth in api_calls} == {f"Bearer {hosted_ui.id_token}"}
        assert seen[0] == ("/", "")  # only the page itself is fetched before signing in
    finally:
        server.shutdown()
        server.server_close()
        hosted_ui.close()


def test_an_ingest_that_is_not_active_says_so_and_is_switched_only_on_request(
    panel: str, on_air_reset: World, new_page: PageFactory
) -> None:
    from playwright.sync_api import expect

    client = on_air_reset.session().client("mediaconnect", region_name="sa-east-1")
    arn = on_air_reset.switcher().state.ingests["sao-paulo-stage"].flow_arn
    client.stop_flow(FlowArn=arn)
    try:
        page = new_page()
        open_panel(page, panel)
        sao_paulo = tile(page, "sao-paulo-stage")
        expect(sao_paulo).to_have_attribute("data-health", "bad")
        expect(sao_paulo.locator(".health")).to_have_text(re.compile("⚠ (STOPPING|STANDBY)"))
        expect(tile(page, "sydney-stage")).to_have_attribute("data-health", "ok")

        sao_paulo.locator(".pick").click()
        alert = page.locator('.banner[role="alert"][data-kind="warning"]')
        expect(alert).to_contain_text("Not switched: the ingest is not ready")
        expect(alert).to_contain_text("not ACTIVE")
        expect(page.locator("#preview-ingest")).to_have_text("tent-stage")
        expect(page.locator("#history-rows tr").first.locator(".result")).to_have_text("refused")
        screenshot(page, "09-not-active")

        alert.get_by_role("button", name="Switch anyway").click()
        expect(page.locator("#preview-ingest")).to_have_text("sao-paulo-stage")
        expect(alert).to_have_count(0)
    finally:
        client.start_flow(FlowArn=arn)


def test_a_flow_error_shows_on_the_tile(panel: str, on_air_reset: World, new_page: PageFactory) -> None:
    """The flow's errors come from DescribeFlow's Messages (beside Flow), set in the emulator."""
    from playwright.sync_api import expect

    from streamfabric.sandbox.mediaconnect import asynchronous

    state = on_air_reset.switcher().state
    asynchronous.set_flow_errors(state.ingests["sydney-stage"].flow_arn, ["Source: no SRT caller connected"])
    try:
        page = new_page()
        open_panel(page, panel)
        sydney = tile(page, "sydney-stage")
        expect(sydney).to_have_attribute("data-health", "bad")
        expect(sydney.locator(".health")).to_contain_text("Source: no SRT caller connected")
        expect(tile(page, "main-stage")).to_have_attribute("data-health", "ok")
    finally:
        asynchronous.set_flow_errors(state.ingests["sydney-stage"].flow_arn, [])


def test_multiviewer_shows_every_source_and_a_cut_to_no_signal_needs_confirmation(
    panel: str, on_air_reset: World, new_page: PageFactory
) -> None:
    from playwright.sync_api import expect

    from streamfabric.sandbox.server import signal

    arn = on_air_reset.switcher().state.ingests["sydney-stage"].flow_arn
    signal(on_air_reset.endpoint, arn, connected=False)
    try:
        page = new_page()
        open_panel(page, panel)
        for name in ("main-stage", "tent-stage", "nyc-studio"):
            thumb = tile(page, name).locator("img.thumb")
            expect(thumb).to_be_visible()
            expect(thumb).to_have_attribute("src", re.compile("^blob:"))
            assert thumb.evaluate("img => img.naturalWidth") == 480  # MediaConnect thumbnails are 480 x 270
            # the bitrate shows once CloudWatch delivers it (60 s behind): the metadata's resolution now
            badge = re.compile(r"(\d+\.\d Mb/s · )?1920x1080")
            expect(tile(page, name).locator(".badge")).to_have_text(badge)
        expect(page.locator("#live-thumb")).to_be_visible()
        expect(page.locator("#preview-thumb")).to_be_visible()
        sydney = tile(page, "sydney-stage")
        expect(sydney).to_have_attribute("data-signal", "none")
        expect(sydney.locator(".badge")).to_have_text("NO SIGNAL")
        expect(sydney.locator("img.thumb")).to_be_hidden()
        screenshot(page, "10-multiviewer")

        # Live… on a dead tile: the confirmation says so; Cancel changes nothing.
        sydney.locator(".to-live").click()
        dialog = page.locator("#confirm-live")
        expect(dialog).to_be_visible()
        expect(page.locator("#confirm-warning")).to_be_visible()
        expect(page.locator("#confirm-warning")).to_contain_text("NO SIGNAL")
        expect(page.locator("#confirm-ok")).to_have_text("Cut to no signal")
        screenshot(page, "11-confirm-no-signal")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(page.locator("#live-ingest")).to_have_text("main-stage")

        # Take with a dead Preview: the same confirmation, from the keyboard alone.
        sydney.locator(".pick").click()  # to Preview: refused (no signal) ...
        alert = page.locator('.banner[role="alert"][data-kind="warning"]')
        expect(alert).to_contain_text("Not switched: no signal")
        alert.get_by_role("button", name="Switch anyway").click()  # ... until the operator insists
        expect(page.locator("#preview-ingest")).to_have_text("sydney-stage")
        expect(page.locator("#preview-monitor")).to_have_attribute("data-signal", "none")
        page.keyboard.press("t")
        expect(dialog).to_be_visible()
        expect(page.locator("#confirm-warning-ingest")).to_have_text("sydney-stage")
        page.locator("#confirm-ok").click()
        expect(page.locator("#live-ingest")).to_have_text("sydney-stage")
        expect(page.locator("#live-monitor")).to_have_attribute("data-signal", "none")
        expect(page.locator("#live-badge")).to_have_text("NO SIGNAL")
        expect(page.locator("#history-rows tr").first.locator(".result")).to_have_text("switched")
        screenshot(page, "12-live-no-signal")
    finally:
        signal(on_air_reset.endpoint, arn, connected=True)
