"""Browser tests: Playwright drives Debian's chromium (by path, headless) against the real
stack, whose API serves the built web builder. Nothing is downloaded; only loopback.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.browser import CHROMIUM, VIEWPORT, log_in
from tests.support.live_stack import RunningStack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Playwright's sync API runs an event loop for as long
    as it is open, and ``asyncio.run`` refuses to start inside one, so it is never kept
    open past the module (and browser tests run last, see tests/conftest.py)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def builder_url(running_stack: RunningStack) -> str:
    page = httpx.get(running_stack.api_url + "/")
    assert page.status_code == 200 and '<div id="root">' in page.text, (
        "the API does not serve the built builder: run `npm run build` in frontend/"
    )
    return running_stack.api_url


@pytest.fixture
def page(browser: Browser, builder_url: str) -> Iterator[Page]:
    """A fresh browser context at 1280×800, logged in as the administrator."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda err: errors.append(str(err)))
    log_in(opened, builder_url)
    yield opened
    context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"
