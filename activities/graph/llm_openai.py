"""Chat completions through the ``openai`` SDK (OpenAI and OpenAI-compatible servers)."""

import openai
from openai import AsyncOpenAI, omit
from openai.types.chat import ChatCompletionMessageParam

from activities.graph.prompt import Completion, Prompt
from activities.providers.errors import from_openai_error
from workflows.step_io import TokenUsage


async def complete_with_openai(
    client: AsyncOpenAI,
    prompt: Prompt,
    *,
    provider: str,
    model: str,
    temperature: float,
    max_tokens: int,
) -> Completion:
    """Send ``prompt`` to a chat completions endpoint.

    Args:
        client: An SDK client with retries disabled.
        prompt: The assembled prompt.
        provider: ``openai`` or ``openai-compatible``, for error messages.
        model: Model name, e.g. ``gpt-4o-mini`` or ``llama3.1``.
        temperature: Sampling temperature.
        max_tokens: Upper bound of generated tokens.

    Returns:
        The answer text, the model the provider reports and its token usage.

    Raises:
        ApplicationError: Classified by ``provider_errors.from_openai_error``.
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
        response = await client.chat.completions.create(
            model=model,
            messages=messages,
            temperature=temperature,
            max_completion_tokens=max_tokens if is_openai else omit,
            max_tokens=omit if is_openai else max_tokens,
        )
    except openai.OpenAIError as error:
        raise from_openai_error(provider, error) from error
    message = response.choices[0].message if response.choices else None
    text = (message.content or message.refusal or "") if message else ""
    usage = response.usage
    return Completion(
        text=text,
        model=response.model or model,
        usage=TokenUsage(
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            total_tokens=usage.total_tokens if usage else 0,
        ),
    )
