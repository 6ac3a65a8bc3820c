"""The three provider fakes started together, and where they listen."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.fakes.gemini_fake import FakeGemini
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.openai_fake import FakeOpenAI
from tests.support.fakes.serpapi_fake import FakeSerpApi


@dataclass
class FakeUrls:
    """Where the provider fakes listen (in this process or another)."""

    openai: str
    gemini: str
    serpapi: str


@dataclass
class Fakes:
    openai: FakeOpenAI
    gemini: FakeGemini
    serpapi: FakeSerpApi

    @property
    def urls(self) -> FakeUrls:
        return FakeUrls(self.openai.url, self.gemini.url, self.serpapi.url)


@contextmanager
def running_fakes() -> Iterator[Fakes]:
    """OpenAI, Gemini and SerpAPI fakes requiring the keys of ``keys.py``; stopped on exit."""
    with (
        FakeOpenAI(api_key=OPENAI_KEY) as openai,
        FakeGemini(api_key=GEMINI_KEY) as gemini,
        FakeSerpApi(api_key=SERPAPI_KEY) as serpapi,
    ):
        yield Fakes(openai, gemini, serpapi)
