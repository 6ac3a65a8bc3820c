"""The LLM adapters stream answers through the real SDKs, handing on each text delta as it
arrives; a stream that breaks mid-way is a retryable error saying how far it got."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import httpx
import pytest
from temporalio.exceptions import ApplicationError

from activities.graph.llm_gemini import complete_with_gemini
from activities.graph.llm_openai import complete_with_openai
from activities.graph.prompt import Completion, Prompt
from activities.providers.clients import ProviderClients
from activities.providers.connections import ConnectionSource, ResolvedConnection
from settings import Settings
from tests.support.fakes import Failure, FakeGemini, FakeOpenAI, StreamBreak
from tests.support.fakes.http_fake import FIRST_TOKEN_TIMES_PATH
from tests.support.fakes.keys import OPENAI_KEY
from workflows.components import LlmProvider

ANSWER = "Refunds take fourteen days from the day the parcel reaches us."
PROMPT = Prompt(system="Be brief.", history=[], user_message="How long do refunds take?")
PROVIDERS = ["openai", "openai-compatible", "gemini"]


@dataclass
class Streamer:
    """One provider's adapter, called through its SDK against its fake."""

    provider: str
    fake: FakeOpenAI | FakeGemini
    clients: ProviderClients

    @property
    def model(self) -> str:
        return "gemini-2.0-flash" if self.provider == "gemini" else "gpt-4o-mini"

    async def complete(self, on_delta: Callable[[str], None] | None = None) -> Completion:
        if self.provider == "gemini":
            return await complete_with_gemini(
                self.clients.gemini(),
                PROMPT,
                model=self.model,
                temperature=0.2,
                max_tokens=300,
                on_delta=on_delta,
            )
        connection = ResolvedConnection(
            name="local-llama",
            provider=LlmProvider(self.provider),
            base_url=f"{self.fake.url}/{'v1' if self.provider == 'openai' else 'ollama/v1'}",
            source=ConnectionSource.ENVIRONMENT,
            api_key=OPENAI_KEY,
        )
        return await complete_with_openai(
            self.clients.openai_for(connection),
            PROMPT,
            provider=self.provider,
            model=self.model,
            temperature=0.2,
            max_tokens=300,
            on_delta=on_delta,
        )


@pytest.fixture(params=PROVIDERS)
def streamer(
    request: pytest.FixtureRequest,
    provider_clients: ProviderClients,
    fake_openai: FakeOpenAI,
    fake_gemini: FakeGemini,
) -> Streamer:
    """Each provider in turn, its fake answering ``ANSWER``."""
    fake = fake_gemini if request.param == "gemini" else fake_openai
    fake.answer = ANSWER
    return Streamer(request.param, fake, provider_clients)


async def test_deltas_arrive_one_by_one_and_join_into_the_answer(streamer: Streamer) -> None:
    deltas: list[str] = []

    completion = await streamer.complete(deltas.append)

    assert completion.text == ANSWER
    assert "".join(deltas) == ANSWER
    assert len(deltas) == len(ANSWER.split()) > 1


async def test_the_request_asks_for_a_stream(streamer: Streamer) -> None:
    await streamer.complete()

    [request] = streamer.fake.requests
    if streamer.provider == "gemini":
        assert request.path == "/v1/models/gemini-2.0-flash:streamGenerateContent"
        assert request.query == {"alt": "sse"}
        assert request.body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 300}
        return
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    # OpenAI's current parameter; compatible servers only know the older one.
    limit, other = ("max_completion_tokens", "max_tokens")
    if streamer.provider == "openai-compatible":
        limit, other = other, limit
    assert request.body[limit] == 300
    assert other not in request.body


async def test_usage_and_model_come_from_the_stream(streamer: Streamer) -> None:
    completion = await streamer.complete()

    assert completion.model == streamer.model
    assert completion.usage.completion_tokens == len(ANSWER.split())
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


async def test_a_stream_broken_midway_is_retryable_and_says_how_far_it_got(
    streamer: Streamer,
) -> None:
    streamer.fake.script([StreamBreak(after_tokens=3)])
    deltas: list[str] = []

    with pytest.raises(ApplicationError) as caught:
        await streamer.complete(deltas.append)
    retried = await streamer.complete()

    error = caught.value
    assert error.type == "ProviderUnavailable"
    assert error.non_retryable is False
    assert error.message.startswith(f"the {streamer.provider} stream broke after 3 tokens: ")
    assert "incomplete chunked read" in error.message
    assert len(deltas) == 3
    assert error.details == ({"streamed_tokens": 3, "streamed_chars": len("".join(deltas))},)
    assert retried.text == ANSWER


async def test_a_stream_that_stalls_is_retryable_and_says_how_far_it_got(
    streamer: Streamer, fake_provider_settings: Settings
) -> None:
    settings = fake_provider_settings.model_copy(update={"provider_timeout_seconds": 0.3})
    streamer.clients = ProviderClients(settings)
    streamer.fake.token_delay_seconds = 2.0
    started = time.monotonic()

    try:
        with pytest.raises(ApplicationError) as caught:
            await streamer.complete()
    finally:
        await streamer.clients.aclose()

    assert time.monotonic() - started < 1.5
    assert caught.value.type == "ProviderUnavailable"
    assert caught.value.non_retryable is False
    assert caught.value.message == (
        f"the {streamer.provider} stream broke after 1 token: no data arrived in time"
    )


async def test_a_rate_limited_request_fails_as_before_without_any_delta(
    streamer: Streamer,
) -> None:
    streamer.fake.script([Failure(429, retry_after_seconds=2)])
    deltas: list[str] = []

    with pytest.raises(ApplicationError) as caught:
        await streamer.complete(deltas.append)

    assert caught.value.type == "ProviderRateLimited"
    assert caught.value.non_retryable is False
    assert caught.value.next_retry_delay == timedelta(seconds=2)
    assert caught.value.message.startswith(f"{streamer.provider} is rate limiting requests (429)")
    assert deltas == []


async def test_deltas_are_handed_on_as_the_tokens_arrive(streamer: Streamer) -> None:
    streamer.fake.first_token_delay_seconds = 0.2
    streamer.fake.token_delay_seconds = 0.05
    arrivals: list[float] = []
    started = time.monotonic()

    await streamer.complete(lambda _: arrivals.append(time.monotonic()))

    assert arrivals[0] - started > 0.15
    gaps = [later - earlier for earlier, later in pairwise(arrivals)]
    assert len(gaps) == len(ANSWER.split()) - 1
    assert min(gaps) > 0.03  # each handed on as it came, not all at the end


async def test_the_fake_records_when_each_streams_first_token_was_sent(
    streamer: Streamer,
) -> None:
    before = time.time()
    await streamer.complete()
    await streamer.complete()
    after = time.time()

    times = streamer.fake.first_token_times
    assert len(times) == 2
    assert before <= times[0] <= times[1] <= after
    async with httpx.AsyncClient() as http:
        served = await http.get(f"{streamer.fake.url}{FIRST_TOKEN_TIMES_PATH}")
    assert served.json() == times
    assert len(streamer.fake.requests) == 2  # reading them is not a provider request
