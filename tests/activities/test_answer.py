"""generate_answer against the fake OpenAI, OpenAI-compatible and Gemini servers."""

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.providers.clients import ProviderClients
from settings import Settings
from tests.support.activity_inputs import answer_input
from tests.support.connections import add_connection
from tests.support.fakes import FakeGemini, FakeOpenAI
from tests.support.fakes.keys import OPENAI_KEY
from workflows.components import LlmProvider
from workflows.step_io import ChatTurn, Passage, WebResult

PASSAGE = Passage(
    text="Refunds are paid within 14 days of receiving the returned item.",
    document="returns-policy.pdf",
    page=3,
    chunk_id="returns-policy:7",
    score=0.83,
)
WEB_RESULT = WebResult(
    title="Consumer refund rules",
    link="https://example.org/refunds",
    snippet="Shops must refund within 14 days.",
)


async def test_openai_answer_returns_text_model_and_token_usage(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI
) -> None:
    fake_openai.answer = "Refunds take 14 days [1]."

    output = await ActivityEnvironment().run(answer_activities.generate_answer, answer_input())

    assert output.text == "Refunds take 14 days [1]."
    assert output.model == "gpt-4o-mini"
    assert output.usage.completion_tokens == 5
    assert output.usage.prompt_tokens > 0
    assert output.usage.total_tokens == output.usage.prompt_tokens + 5
    assert output.context_used is False
    assert output.citations == [] and output.web_sources == []
    [request] = fake_openai.requests_to("/chat/completions")
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert request.body["temperature"] == 0.2
    assert request.body["max_completion_tokens"] == 300


async def test_openai_prompt_carries_custom_prompt_history_passages_and_web_results(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI
) -> None:
    history = [
        ChatTurn(role="user", content="I bought a kettle."),
        ChatTurn(role="assistant", content="How can I help with the kettle?"),
    ]
    output = await ActivityEnvironment().run(
        answer_activities.generate_answer,
        answer_input(
            custom_prompt="You are the returns desk of Acme.",
            history=history,
            passages=[PASSAGE],
            web_results=[WEB_RESULT],
        ),
    )

    [request] = fake_openai.chat_requests
    messages = request["messages"]
    assert messages[0] == {"role": "system", "content": "You are the returns desk of Acme."}
    assert messages[1:3] == [t.model_dump() for t in history]
    question = messages[3]
    assert question["role"] == "user"
    assert "[1] (returns-policy.pdf, page 3)\n" + PASSAGE.text in question["content"]
    assert "[W1] Consumer refund rules\nhttps://example.org/refunds\n" in question["content"]
    assert WEB_RESULT.snippet in question["content"]
    assert question["content"].endswith("Question: How long do refunds take?")
    assert output.context_used is True
    [citation] = output.citations
    assert (citation.document, citation.page, citation.chunk_id) == (
        "returns-policy.pdf",
        3,
        "returns-policy:7",
    )
    assert citation.snippet == PASSAGE.text[:200]
    assert output.web_sources == [WEB_RESULT]


async def test_a_connection_sends_its_own_key_to_its_own_url_and_never_the_openai_key(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    with FakeOpenAI(answer="local llama says hi") as compatible:
        add_connection(
            fake_provider_settings,
            name="local-llama",
            provider="openai-compatible",
            base_url=f"{compatible.url}/ollama/v1",
            api_key="llama-connection-key",
            allow_private_network=True,
        )
        output = await ActivityEnvironment().run(
            answer_activities.generate_answer,
            answer_input(
                provider=LlmProvider.OPENAI_COMPATIBLE, model="llama3.1", connection="local-llama"
            ),
        )

    assert output.text == "local llama says hi"
    assert output.model == "llama3.1"
    [request] = compatible.requests
    assert request.path == "/ollama/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer llama-connection-key"
    assert request.body["max_tokens"] == 300
    assert fake_openai.requests == []


async def test_gemini_answer_returns_text_and_usage_metadata(
    answer_activities: AnswerActivities, fake_gemini: FakeGemini
) -> None:
    fake_gemini.answer = "Fourteen days."
    output = await ActivityEnvironment().run(
        answer_activities.generate_answer,
        answer_input(
            provider=LlmProvider.GEMINI,
            model="gemini-2.0-flash",
            custom_prompt="Be brief.",
            history=[ChatTurn(role="assistant", content="Hello!")],
            passages=[PASSAGE],
        ),
    )

    assert output.text == "Fourteen days."
    assert output.model == "gemini-2.0-flash"
    assert output.usage.completion_tokens == 2
    assert output.usage.prompt_tokens > 0
    assert output.usage.total_tokens == output.usage.prompt_tokens + 2
    assert output.context_used is True
    [request] = fake_gemini.requests_to(":streamGenerateContent")
    assert request.path.endswith("/models/gemini-2.0-flash:streamGenerateContent")
    body = request.body
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert [c["role"] for c in body["contents"]] == ["model", "user"]
    assert PASSAGE.text in body["contents"][-1]["parts"][0]["text"]
    assert body["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 300}


async def test_answer_uses_the_default_instruction_without_a_custom_prompt(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI
) -> None:
    await ActivityEnvironment().run(answer_activities.generate_answer, answer_input())

    [request] = fake_openai.chat_requests
    assert "cite them by number" in request["messages"][0]["content"]
    assert request["messages"][-1] == {"role": "user", "content": "How long do refunds take?"}


@pytest.mark.parametrize("provider", [LlmProvider.OPENAI, LlmProvider.GEMINI])
async def test_answer_fails_clearly_when_the_provider_key_is_not_configured(
    fake_provider_settings: Settings, provider: LlmProvider
) -> None:
    settings = fake_provider_settings.model_copy(
        update={"openai_api_key": None, "gemini_api_key": None}
    )
    activities = AnswerActivities(settings, clients=ProviderClients(settings))

    with pytest.raises(ApplicationError, match="API key is not configured") as caught:
        await ActivityEnvironment().run(
            activities.generate_answer, answer_input(provider=provider, model="any")
        )

    assert caught.value.non_retryable is True
    assert caught.value.type == "ProviderAuthError"
