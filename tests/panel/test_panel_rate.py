"""The panel within the API stage's throttle: requests counted over a window in a real browser (a
count per second, not a time), slower while hidden, "slowing down" and no error on a 429, and a cut
the stage throttled sent again."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest

from streamfabric.rendering.api import THROTTLE_RATE
from switching.conftest import World

from .test_panel_browser import PageFactory, open_panel, panel  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration

WINDOW_S = 10.0
PANELS = 5  # director, producer, engineer, and two more: all within the stage's rate


def _count_requests(page: Any, seconds: float) -> list[str]:
    """The paths of the API requests the page makes in ``seconds`` (its decoded pictures' blob:
    URLs are not requests to the API)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.wait_for_timeout(seconds * 1000)
    return [urllib.parse.urlsplit(u).path for u in seen if not u.startswith(("blob:", "data:"))]


def test_an_open_panel_makes_at_most_one_request_a_second_and_fewer_when_hidden(
    panel: str,  # noqa: F811
    new_page: PageFactory,
) -> None:
    page = new_page()
    open_panel(page, panel)
    page.wait_for_timeout(1000)  # past the start (page, topology, first status and thumbnails)
    seen = _count_requests(page, WINDOW_S)
    rate = len(seen) / WINDOW_S
    assert rate <= 1.0, seen
    assert rate * PANELS <= THROTTLE_RATE, seen  # five panels fit the rendered stage throttle
    assert not any(p.startswith("/thumbnails/") for p in seen), (
        seen
    )  # one multiviewer request, not one a tile
    assert "/thumbnails" in seen and "/status" in seen

    page.evaluate(
        """() => { Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
                   document.dispatchEvent(new Event("visibilitychange")); }"""
    )
    page.wait_for_timeout(2500)  # the poll already scheduled runs once more
    hidden = _count_requests(page, WINDOW_S)
    assert len(hidden) / WINDOW_S <= 0.2, hidden
    assert "/thumbnails" not in hidden, hidden


def test_a_throttled_status_slows_down_without_an_error_and_a_throttled_take_is_sent_again(
    panel: str,  # noqa: F811
    on_air_reset: World,
    new_page: PageFactory,
) -> None:
    from playwright.sync_api import expect

    page = new_page()
    open_panel(page, panel)
    too_many = {"status": 429, "content_type": "application/json",
                "body": json.dumps({"message": "Too Many Requests"})}  # fmt: skip
    page.route("**/status", lambda route: route.fulfill(**too_many))
    expect(page.locator("#connection")).to_have_attribute("data-throttled", "true")
    expect(page.locator("#connection-text")).to_contain_text("slowing down")
    expect(page.locator('.banner[data-kind="connection"]')).to_have_count(0)
    page.unroute("**/status")

    throttled = {"left": 2}

    def first_twice_throttled(route: Any) -> None:
        if throttled["left"]:
            throttled["left"] -= 1
            route.fulfill(**too_many)
        else:
            route.continue_()

    page.route("**/take", first_twice_throttled)
    started = time.monotonic()
    page.keyboard.press("t")
    expect(page.locator("#live-ingest")).to_have_text("tent-stage")
    expect(page.locator("#preview-ingest")).to_have_text("main-stage")
    assert throttled["left"] == 0
    expect(page.locator('.banner[role="alert"]')).to_have_count(0)
    expect(page.locator("#connection")).to_have_attribute("data-throttled", "false", timeout=20_000)
    assert time.monotonic() - started < 20
