"""``Settings`` for activities under test: every provider is a fake, data in a folder."""

import shutil
import tempfile
from functools import cache
from pathlib import Path

from alembic import command
from pydantic import SecretStr

from settings import Settings
from tests.support.fakes.gemini_fake import FakeGemini
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.openai_fake import FakeOpenAI
from tests.support.fakes.serpapi_fake import FakeSerpApi
from tests.support.migrations import alembic_config


@cache
def _migrated_database() -> Path:
    """An embedded database at the latest migration, made once per test process."""
    path = Path(tempfile.mkdtemp(prefix="migrated-")) / "genai_stack.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    return path


def provider_settings(
    data_dir: Path, openai: FakeOpenAI, gemini: FakeGemini, serpapi: FakeSerpApi
) -> Settings:
    """``Settings`` pointing at the fakes, with an embedded Chroma, blobs and a migrated
    embedded database (where activities record paid steps) in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_database(), data_dir / "genai_stack.db")
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
