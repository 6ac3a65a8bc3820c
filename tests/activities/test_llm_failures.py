"""generate_answer turns provider failures into retryable or non-retryable errors."""

import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.providers.clients import ProviderClients
from settings import Settings
from tests.support.activity_inputs import answer_input
from tests.support.connections import add_connection
from tests.support.fakes import Delay, Failure, FakeGemini, FakeOpenAI
from tests.support.fakes.listener import listener
from tests.support.fakes.unreachable import closed_port_url
from workflows.components import LlmProvider
from workflows.step_io import AnswerInput

GEMINI = {"provider": LlmProvider.GEMINI, "model": "gemini-2.0-flash"}


async def run_answer(settings: Settings, input: AnswerInput) -> ApplicationError:
    """Run generate_answer with ``settings`` and return the ApplicationError it raises."""
    clients = ProviderClients(settings)
    try:
        with pytest.raises(ApplicationError) as caught:
            await ActivityEnvironment().run(
                AnswerActivities(settings, clients=clients).generate_answer, input
            )
    finally:
        await clients.aclose()
    return caught.value


async def test_rejected_openai_key_fails_at_once_with_the_provider_message(
    fake_provider_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    settings = fake_provider_settings.model_copy(update={"openai_api_key": SecretStr("sk-wrong")})

    error = await run_answer(settings, answer_input())

    assert error.non_retryable is True
    assert error.type == "ProviderAuthError"
    assert error.message.startswith("openai rejected the API key (401): Incorrect API key provided")
    assert len(fake_openai.requests) == 1  # the SDK does not retry; Temporal decides


@pytest.mark.parametrize(
    ("status", "error_type", "retryable"),
    [
        (400, "ProviderRequestError", False),
        (403, "ProviderAuthError", False),
        (404, "ProviderRequestError", False),
        (422, "ProviderRequestError", False),
        (429, "ProviderRateLimited", True),
        (500, "ProviderUnavailable", True),
        (503, "ProviderUnavailable", True),
    ],
)
async def test_openai_http_errors_are_classified_by_status(
    answer_activities: AnswerActivities,
    fake_openai: FakeOpenAI,
    status: int,
    error_type: str,
    retryable: bool,
) -> None:
    fake_openai.script([Failure(status)])

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(answer_activities.generate_answer, answer_input())

    assert caught.value.type == error_type
    assert caught.value.non_retryable is not retryable
    assert f"({status})" in caught.value.message
    assert len(fake_openai.requests) == 1


async def test_openai_rate_limit_passes_retry_after_to_temporal_and_next_attempt_succeeds(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script([Failure(429, retry_after_seconds=2)])
    env = ActivityEnvironment()

    with pytest.raises(ApplicationError) as caught:
        await env.run(answer_activities.generate_answer, answer_input())
    output = await env.run(answer_activities.generate_answer, answer_input())

    assert caught.value.type == "ProviderRateLimited"
    assert caught.value.next_retry_delay == timedelta(seconds=2)
    assert output.text.startswith("Fake answer from gpt-4o-mini")


async def test_openai_timeout_is_retryable(
    fake_provider_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    settings = fake_provider_settings.model_copy(update={"provider_timeout_seconds": 0.3})
    fake_openai.script([Delay(5)])
    started = time.monotonic()

    error = await run_answer(settings, answer_input())

    assert time.monotonic() - started < 2
    assert error.non_retryable is False
    assert error.type == "ProviderUnavailable"
    assert "did not answer in time" in error.message


async def test_unreachable_connection_is_retryable(fake_provider_settings: Settings) -> None:
    add_connection(
        fake_provider_settings,
        name="local-llama",
        provider="openai-compatible",
        base_url=f"{closed_port_url()}/v1",
        allow_private_network=True,
    )
    error = await run_answer(
        fake_provider_settings,
        answer_input(
            provider=LlmProvider.OPENAI_COMPATIBLE, model="llama3.1", connection="local-llama"
        ),
    )

    assert error.non_retryable is False
    assert error.type == "ProviderUnavailable"
    assert error.message == "openai-compatible could not be reached"


async def test_a_step_recorded_with_a_server_url_is_refused_without_calling_it(
    fake_provider_settings: Settings,
) -> None:
    with FakeOpenAI() as listener:
        error = await run_answer(
            fake_provider_settings,
            answer_input(
                provider=LlmProvider.OPENAI_COMPATIBLE,
                model="llama3.1",
                base_url=f"{listener.url}/v1",
            ),
        )
        assert listener.requests == []

    assert error.non_retryable is True
    assert "names a server URL instead of a provider connection" in error.message


async def test_a_missing_connection_fails_at_once(fake_provider_settings: Settings) -> None:
    add_connection(fake_provider_settings, name="elsewhere", provider="openai")
    error = await run_answer(
        fake_provider_settings, answer_input(connection="gone-since-publishing")
    )

    assert error.non_retryable is True
    assert error.message == "provider connection 'gone-since-publishing' does not exist"


async def test_a_model_the_connection_does_not_allow_fails_without_a_call(
    fake_provider_settings: Settings,
) -> None:
    with FakeOpenAI(api_key="team-key") as provider:
        add_connection(
            fake_provider_settings,
            name="team-openai",
            provider="openai",
            base_url=f"{provider.url}/v1",
            api_key="team-key",
            models=["gpt-4o-mini"],
            allow_private_network=True,
        )
        error = await run_answer(
            fake_provider_settings, answer_input(connection="team-openai", model="gpt-4o")
        )
        assert provider.requests == []

    assert error.non_retryable is True
    assert "model 'gpt-4o' is not allowed on connection 'team-openai'" in error.message


async def test_an_upstream_error_body_that_is_not_the_providers_is_not_echoed(
    fake_provider_settings: Settings,
) -> None:
    page = "<html><title>Temporal UI</title><body>internal dashboard 10.0.0.7</body></html>"
    with listener(status=404, page=page) as other_service:
        add_connection(
            fake_provider_settings,
            name="misconfigured",
            provider="openai-compatible",
            base_url=f"{other_service.url}/v1",
            allow_private_network=True,
        )
        error = await run_answer(
            fake_provider_settings,
            answer_input(provider=LlmProvider.OPENAI_COMPATIBLE, connection="misconfigured"),
        )
        assert len(other_service.received) == 1

    assert error.non_retryable is True
    assert "Temporal" not in error.message and "10.0.0.7" not in error.message
    assert error.message == "openai-compatible rejected the request (404): no error details"


async def test_rejected_gemini_key_fails_at_once(
    fake_provider_settings: Settings, fake_gemini: FakeGemini
) -> None:
    settings = fake_provider_settings.model_copy(update={"gemini_api_key": SecretStr("wrong-key")})

    error = await run_answer(settings, answer_input(**GEMINI))

    assert error.non_retryable is True
    assert error.type == "ProviderAuthError"
    assert error.message == (
        "gemini rejected the API key (400): API key not valid. Please pass a valid API key."
    )
    assert len(fake_gemini.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_type", "retryable"),
    [
        (403, "ProviderAuthError", False),
        (404, "ProviderRequestError", False),
        (429, "ProviderRateLimited", True),
        (500, "ProviderUnavailable", True),
        (503, "ProviderUnavailable", True),
    ],
)
async def test_gemini_http_errors_are_classified_by_status(
    answer_activities: AnswerActivities,
    fake_gemini: FakeGemini,
    status: int,
    error_type: str,
    retryable: bool,
) -> None:
    fake_gemini.script([Failure(status)])

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(answer_activities.generate_answer, answer_input(**GEMINI))

    assert caught.value.type == error_type
    assert caught.value.non_retryable is not retryable
    assert caught.value.message.startswith("gemini ")
    assert len(fake_gemini.requests) == 1  # google-genai's own retries are off


async def test_gemini_timeout_is_retryable(
    fake_provider_settings: Settings, fake_gemini: FakeGemini
) -> None:
    settings = fake_provider_settings.model_copy(update={"provider_timeout_seconds": 0.3})
    fake_gemini.script([Delay(5)])

    error = await run_answer(settings, answer_input(**GEMINI))

    assert error.non_retryable is False
    assert error.type == "ProviderUnavailable"
    assert "gemini did not answer in time" in error.message
