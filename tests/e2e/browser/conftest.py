"""Browser tests: Playwright drives Debian's chromium (by path, headless) against the real
stack, whose API serves the built web builder. Nothing is downloaded; only loopback.

Screenshots of each screen go to ``$TEST_OUTPUT_DIR/screenshots`` (default
``test-output/screenshots``), to be looked at.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.harness import ADMIN_EMAIL, ADMIN_PASSWORD, RunningStack

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("TEST_OUTPUT_DIR", "test-output")) / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


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


def log_in(page: Page, url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Workflows").wait_for()


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


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
