"""Log in, see the dashboard, create, rename, duplicate, search and archive workflows."""

import re

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import VIEWPORT, screenshot


def test_wrong_password_shows_the_apis_message(browser: Browser, builder_url: str) -> None:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(builder_url + "/")
    expect(page).to_have_url(builder_url + "/login")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("password")
    screenshot(page, "01-login-error")
    context.close()


def test_dashboard_creates_renames_duplicates_and_archives(
    page: Page, builder_url: str, admin: httpx.Client
) -> None:
    page.get_by_role("button", name="New workflow").click()
    page.get_by_label("Name", exact=True).fill("Support bot")
    page.get_by_label("Description").fill("Answers refund questions")
    page.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/workflows/[0-9a-f-]+$"))
    page.get_by_role("link", name="Workflows").click()

    card = page.get_by_test_id("workflow-card").filter(has_text="Support bot")
    expect(card).to_contain_text("never run")
    card.get_by_role("button", name="Rename").click()
    page.get_by_label("Name", exact=True).fill("Refund bot")
    page.get_by_role("button", name="Save").click()
    card = page.get_by_test_id("workflow-card").filter(has_text="Refund bot")
    expect(card).to_be_visible()
    card.get_by_role("button", name="Duplicate").click()
    expect(
        page.get_by_test_id("workflow-card").filter(has_text="Refund bot (copy)")
    ).to_be_visible()

    page.get_by_label("Search").fill("refund bot (copy)")  # case-insensitive
    expect(page.get_by_test_id("workflow-card")).to_have_count(1)
    screenshot(page, "02-dashboard-search")
    page.get_by_label("Search").fill("")

    copy = page.get_by_test_id("workflow-card").filter(has_text="Refund bot (copy)")
    copy.get_by_role("button", name="Archive").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()
    expect(page.get_by_test_id("workflow-card").filter(has_text="Refund bot (copy)")).to_have_count(
        0
    )
    names = [w["name"] for w in admin.get("/workflows").json()]
    assert "Refund bot" in names and "Refund bot (copy)" not in names
    archived = [w["name"] for w in admin.get("/workflows", params={"archived": "true"}).json()]
    assert "Refund bot (copy)" in archived
    screenshot(page, "03-dashboard")
