"""Fixtures for the panel's browser tests: Debian's Chromium driven by Playwright (never a downloaded
browser build), the festival deployed into the moto server (the switching tests' ``world``), and the
local control API serving the panel on a free port of 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from switching.conftest import World, on_air_reset, world  # noqa: F401  (fixtures shared with tests/switching)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = os.environ.get("STREAMFABRIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAPTOP: ViewportSize = {"width": 1440, "height": 900}
OPERATOR = "arn:aws:iam::123456789012:user/carol"  # who the panel's requests are from (local server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright import sync_api
    except ImportError:
        from ci_skip import skip_unless_ci

        skip_unless_ci("the browser tests need playwright (pip install --group test)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def new_page(browser: Browser) -> Iterator[Any]:
    """A factory of pages in one fresh browser context (no storage shared between tests); each page
    fails the test on a script error or a Content-Security-Policy violation."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=LAPTOP, device_scale_factor=1, color_scheme="dark")
    problems: list[str] = []

    def make() -> Page:
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    try:
        yield make
    finally:
        context.close()
    assert problems == []


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
