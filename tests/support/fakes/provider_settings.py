"""Pytest fixtures for the provider fakes; import them into a conftest.py.

Each fake fixture starts a fresh server per test that requires the matching ``FAKE_*_KEY``
(a wrong key gets the provider's real rejection). ``fake_provider_settings`` is a
``Settings`` pointing at all three fakes with data in ``tmp_path``;
``fake_provider_env`` is the same configuration as environment variables, for a worker
started as a separate process.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from settings import Settings
from tests.fakes.gemini_fake import FakeGemini
from tests.fakes.openai_fake import FakeOpenAI
from tests.fakes.serpapi_fake import FakeSerpApi

FAKE_OPENAI_KEY = "sk-test-openai-key"
FAKE_GEMINI_KEY = "test-gemini-key"
FAKE_SERPAPI_KEY = "test-serpapi-key"


def provider_env(openai: FakeOpenAI, gemini: FakeGemini, serpapi: FakeSerpApi) -> dict[str, str]:
    """Environment variables that point a worker process's ``Settings`` at the fakes."""
    return {
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "OPENAI_BASE_URL": f"{openai.url}/v1",
        "GEMINI_API_KEY": FAKE_GEMINI_KEY,
        "GEMINI_BASE_URL": gemini.url,
        "SERPAPI_API_KEY": FAKE_SERPAPI_KEY,
        "SERPAPI_BASE_URL": serpapi.url,
    }


def provider_settings(
    data_dir: Path, openai: FakeOpenAI, gemini: FakeGemini, serpapi: FakeSerpApi
) -> Settings:
    """``Settings`` pointing at the fakes, with an embedded Chroma and blobs in ``data_dir``."""
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        chroma_url=None,
        openai_api_key=SecretStr(FAKE_OPENAI_KEY),
        openai_base_url=f"{openai.url}/v1",
        gemini_api_key=SecretStr(FAKE_GEMINI_KEY),
        gemini_base_url=gemini.url,
        serpapi_api_key=SecretStr(FAKE_SERPAPI_KEY),
        serpapi_base_url=serpapi.url,
        provider_timeout_seconds=5.0,
    )


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI server requiring ``FAKE_OPENAI_KEY``."""
    with FakeOpenAI(api_key=FAKE_OPENAI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    """A fake Gemini server requiring ``FAKE_GEMINI_KEY``."""
    with FakeGemini(api_key=FAKE_GEMINI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_serpapi() -> Iterator[FakeSerpApi]:
    """A fake SerpAPI server requiring ``FAKE_SERPAPI_KEY``."""
    with FakeSerpApi(api_key=FAKE_SERPAPI_KEY) as fake:
        yield fake


@pytest.fixture
def fake_provider_settings(
    tmp_path: Path, fake_openai: FakeOpenAI, fake_gemini: FakeGemini, fake_serpapi: FakeSerpApi
) -> Settings:
    """Settings for activities under test: every provider is a fake, data in ``tmp_path``."""
    return provider_settings(tmp_path, fake_openai, fake_gemini, fake_serpapi)


@pytest.fixture
def fake_provider_env(
    fake_openai: FakeOpenAI, fake_gemini: FakeGemini, fake_serpapi: FakeSerpApi
) -> dict[str, str]:
    """Environment variables pointing a worker subprocess at the fakes (add DATA_DIR etc.)."""
    return provider_env(fake_openai, fake_gemini, fake_serpapi)
