"""Test-session settings and the provider fakes, shared by every package.

Each fake fixture starts a fresh server per test that requires the key of
``tests/support/fakes/keys.py`` (a wrong key gets the provider's real rejection).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import Settings
from tests.support.fakes import FakeGemini, FakeOpenAI, FakeSerpApi
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.provider_settings import provider_settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: the quick, narrow failures show first, and Playwright's event
    loop never overlaps a test that starts its own with ``asyncio.run``."""
    items.sort(key=lambda item: "/tests/e2e/browser/" in str(item.path))


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI server requiring ``OPENAI_KEY``."""
    with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    """A fake Gemini server requiring ``GEMINI_KEY``."""
    with FakeGemini(api_key=GEMINI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_serpapi() -> Iterator[FakeSerpApi]:
    """A fake SerpAPI server requiring ``SERPAPI_KEY``."""
    with FakeSerpApi(api_key=SERPAPI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_provider_settings(
    tmp_path: Path, fake_openai: FakeOpenAI, fake_gemini: FakeGemini, fake_serpapi: FakeSerpApi
) -> Settings:
    """Settings for activities under test: every provider is a fake, data in ``tmp_path``."""
    return provider_settings(tmp_path, fake_openai, fake_gemini, fake_serpapi)
