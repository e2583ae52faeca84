"""Protect in the operator panel (Chromium, against the local control API on the festival deployed
into the moto server): the padlock on the protected tally, its button, the switches it refuses for
a second panel (409: a banner naming who protected it and why), and the history rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from streamfabric.api.local import LocalServer
from switching.conftest import World

from .conftest import OPERATOR

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.integration

DAVE = "arn:aws:iam::123456789012:user/dave"


@pytest.fixture()
def panels(on_air_reset: World) -> Iterator[tuple[str, str]]:
    """Two panels on two local APIs: carol's (the operator) and dave's (another identity)."""
    with (
        LocalServer(on_air_reset.switcher(), caller=OPERATOR) as carol,
        LocalServer(on_air_reset.switcher(), caller=DAVE) as dave,
    ):
        yield carol, dave


def open_panel(page: Page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/")
    expect(page.locator("#live-ingest")).to_have_text("main-stage")
    expect(page.locator("#connection")).to_have_attribute("data-state", "ok")


def test_a_padlock_on_the_protected_tally_and_a_second_panel_is_refused(
    panels: tuple[str, str], on_air_reset: World, new_page: Callable[[], Page]
) -> None:
    from playwright.sync_api import expect

    carol_url, dave_url = panels
    dave = new_page()
    dave.clock.install()
    open_panel(dave, dave_url)
    # dave's panel stops polling: it has not seen carol's protect when dave cuts
    dave.clock.pause_at(dave.evaluate("Date.now()") + 10)
    expect(dave.locator("html")).to_have_attribute("data-inflight", "0")

    carol = new_page()
    open_panel(carol, carol_url)
    expect(carol.locator("#live-lock")).to_be_hidden()
    carol.once("dialog", lambda dialog: dialog.accept("the headliner's speech"))
    carol.locator("#live-protect").click()
    lock = carol.locator("#live-lock")
    expect(lock).to_be_visible()
    expect(lock).to_contain_text("Protected by carol until")
    expect(lock).to_contain_text("the headliner's speech")
    expect(carol.locator("#tally-live")).to_have_class(re.compile("protected"))
    expect(carol.locator("#live-protect")).to_have_text("Unprotect Live")
    expect(carol.locator("#take")).to_be_disabled()
    expect(carol.locator('li.ingest[data-ingest="sydney-stage"] .to-live')).to_be_disabled()
    expect(carol.locator("#history-rows tr").first).to_contain_text("Protect Live")

    # dave's panel still shows Live unprotected: his cut is refused by the API, and says why
    dave.locator('li.ingest[data-ingest="sydney-stage"] .to-live').click()
    dave.locator("#confirm-ok").click()
    banner = dave.locator('.banner[data-kind="warning"]')
    expect(banner).to_contain_text("Not switched: Live is protected")
    expect(banner).to_contain_text(f"live is protected by {OPERATOR}")
    expect(banner).to_contain_text("the headliner's speech")
    expect(dave.locator("#live-lock")).to_be_visible()  # and it now shows the padlock
    main_stage = on_air_reset.switcher().state.ingests["main-stage"].private_ip
    assert on_air_reset.hub_source("live")["Transport"]["SourceListenerAddress"] == main_stage  # type: ignore[index]
    # nor can dave lift carol's protection
    dave.locator("#live-protect").click()
    expect(dave.locator('.banner[data-kind="warning"]')).to_contain_text("not_protector")
    dave.clock.resume()

    carol.locator("#live-protect").click()
    expect(carol.locator("#live-lock")).to_be_hidden()
    expect(carol.locator("#live-protect")).to_have_text("Protect Live")
    expect(carol.locator("#take")).to_be_enabled()
    expect(carol.locator("#history-rows tr").first).to_contain_text("Unprotect Live")
