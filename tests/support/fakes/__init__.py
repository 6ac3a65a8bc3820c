"""Loopback HTTP fakes of OpenAI, Gemini and SerpAPI that speak the real wire formats."""

from tests.fakes.gemini_fake import FakeGemini
from tests.fakes.http_fake import Delay, Failure, RecordedRequest
from tests.fakes.openai_fake import FakeOpenAI
from tests.fakes.serpapi_fake import FakeSerpApi

__all__ = ["Delay", "Failure", "FakeGemini", "FakeOpenAI", "FakeSerpApi", "RecordedRequest"]
