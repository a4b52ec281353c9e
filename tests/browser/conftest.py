"""The browser tier: the watch page and the report in Debian's Chromium, driven headless by
Playwright (its Python package only: no browser download). The browser is found at
$LNN_CHROMIUM or /usr/bin/chromium; without it these tests fail, naming what to install.
Screenshots go to $LNN_SCREENSHOTS when set, else to each test's tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_pages import Tab

CHROMIUM_ENV = "LNN_CHROMIUM"
CHROMIUM = "/usr/bin/chromium"  # Debian's package `chromium`
SCREENSHOTS_ENV = "LNN_SCREENSHOTS"
VIEWPORT = {"width": 1400, "height": 1000}


def chromium_path() -> Path:
    return Path(os.environ.get(CHROMIUM_ENV) or CHROMIUM)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if not path.is_file():
        pytest.fail(
            f"the browser tests need Chromium at {path}: install Debian's package "
            f"(apt-get install -y chromium) or set {CHROMIUM_ENV} to a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(path), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    opened = Tab(context, page)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(f"uncaught: {e}"))
    yield opened
    context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    chosen = os.environ.get(SCREENSHOTS_ENV)
    directory = Path(chosen) if chosen else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
