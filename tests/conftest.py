"""Test-session settings shared by every package."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: the quick, narrow failures show first, and Playwright's event
    loop never overlaps a test that starts its own with ``asyncio.run``."""
    items.sort(key=lambda item: "/tests/e2e/browser/" in str(item.path))
