"""``Settings`` for activities under test: every provider is a fake, data in a folder."""

from pathlib import Path

from pydantic import SecretStr

from settings import Settings
from tests.support.fakes.gemini_fake import FakeGemini
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.openai_fake import FakeOpenAI
from tests.support.fakes.serpapi_fake import FakeSerpApi


def provider_settings(
    data_dir: Path, openai: FakeOpenAI, gemini: FakeGemini, serpapi: FakeSerpApi
) -> Settings:
    """``Settings`` pointing at the fakes, with an embedded Chroma and blobs in ``data_dir``."""
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        chroma_url=None,
        openai_api_key=SecretStr(OPENAI_KEY),
        openai_base_url=f"{openai.url}/v1",
        gemini_api_key=SecretStr(GEMINI_KEY),
        gemini_base_url=gemini.url,
        serpapi_api_key=SecretStr(SERPAPI_KEY),
        serpapi_base_url=serpapi.url,
        provider_timeout_seconds=5.0,
    )
