"""Chat completions through the ``openai`` SDK (OpenAI and OpenAI-compatible servers),
streamed: each text delta is handed on as it arrives."""

from collections.abc import Callable

import openai
from openai import AsyncOpenAI, omit
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageParam

from activities.graph.prompt import Completion, Prompt
from activities.providers.errors import (
    StreamProgress,
    broken_streams_classified,
    from_broken_stream,
    from_openai_error,
)
from workflows.step_io import TokenUsage


async def complete_with_openai(
    client: AsyncOpenAI,
    prompt: Prompt,
    *,
    provider: str,
    model: str,
    temperature: float,
    max_tokens: int,
    on_delta: Callable[[str], None] | None = None,
) -> Completion:
    """Stream ``prompt``'s answer from a chat completions endpoint.

    Args:
        client: An SDK client with retries disabled.
        prompt: The assembled prompt.
        provider: ``openai`` or ``openai-compatible``, for error messages.
        model: Model name, e.g. ``gpt-4o-mini`` or ``llama3.1``.
        temperature: Sampling temperature.
        max_tokens: Upper bound of generated tokens.
        on_delta: Called with each non-empty text delta as it arrives (a refusal's text
            too); it must not block.

    Returns:
        The answer text (the deltas joined), the model the provider reports and the token
        usage of the stream's last chunk (zeros when the server sent none).

    Raises:
        ApplicationError: Classified by ``errors.from_openai_error`` when the request
            fails; a retryable ``ProviderUnavailable`` (``errors.from_broken_stream``)
            when the stream breaks or ends before its finish reason.
    """
    messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": prompt.system}]
    for turn in prompt.history:
        if turn.role == "user":
            messages.append({"role": "user", "content": turn.content})
        else:
            messages.append({"role": "assistant", "content": turn.content})
    messages.append({"role": "user", "content": prompt.user_message})
    # OpenAI's current parameter is max_completion_tokens (required by reasoning models);
    # compatible servers such as Ollama and older vLLM only know max_tokens.
    is_openai = provider == "openai"
    try:
        stream = await client.chat.completions.create(
            model=model,
            messages=messages,
            temperature=temperature,
            max_completion_tokens=max_tokens if is_openai else omit,
            max_tokens=omit if is_openai else max_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
    except openai.OpenAIError as error:
        raise from_openai_error(provider, error) from error
    progress = StreamProgress(began=True, on_delta=on_delta)
    reported_model = ""
    usage: CompletionUsage | None = None
    finished = False
    async with stream:
        with broken_streams_classified(provider, progress):
            async for chunk in stream:
                reported_model = reported_model or chunk.model
                usage = chunk.usage or usage
                if not chunk.choices:
                    continue  # the usage chunk
                choice = chunk.choices[0]
                finished = finished or choice.finish_reason is not None
                progress.received(choice.delta.content or choice.delta.refusal)
    if not finished:
        raise from_broken_stream(provider, None, progress)
    return Completion(
        text=progress.text,
        model=reported_model or model,
        usage=TokenUsage(
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            total_tokens=usage.total_tokens if usage else 0,
        ),
    )
