"""Driving the builder in Chromium: logging in and taking screenshots.

Screenshots of each screen go to ``$TEST_OUTPUT_DIR/screenshots`` (default
``test-output/screenshots``), to be looked at.
"""

import os
from pathlib import Path

from playwright.sync_api import Page

from tests.support.live_stack import ADMIN_EMAIL, ADMIN_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("TEST_OUTPUT_DIR", "test-output")) / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def log_in(page: Page, url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Workflows").wait_for()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
