"""Loopback HTTP fakes of OpenAI, Gemini and SerpAPI that speak the real wire formats."""

from tests.support.fakes.gemini_fake import FakeGemini
from tests.support.fakes.http_fake import Delay, Failure, RecordedRequest, StreamBreak
from tests.support.fakes.openai_fake import FakeOpenAI
from tests.support.fakes.serpapi_fake import FakeSerpApi

__all__ = [
    "Delay",
    "Failure",
    "FakeGemini",
    "FakeOpenAI",
    "FakeSerpApi",
    "RecordedRequest",
    "StreamBreak",
]
