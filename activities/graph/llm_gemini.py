"""Content generation through ``google-genai`` (the Gemini Developer API)."""

from google import genai
from google.genai import types

from activities.graph.prompt import Completion, Prompt
from activities.providers.errors import translated_gemini_errors
from workflows.step_io import TokenUsage


async def complete_with_gemini(
    client: genai.Client,
    prompt: Prompt,
    *,
    model: str,
    temperature: float,
    max_tokens: int,
) -> Completion:
    """Send ``prompt`` to Gemini's ``generateContent``.

    Args:
        client: An SDK client with retries disabled.
        prompt: The assembled prompt; assistant turns become ``model`` turns.
        model: Model name, e.g. ``gemini-2.0-flash``.
        temperature: Sampling temperature.
        max_tokens: Upper bound of generated tokens (``max_output_tokens``).

    Returns:
        The answer text, the model version the provider reports and its token usage.

    Raises:
        ApplicationError: Classified by ``provider_errors``.
    """
    contents = [
        types.Content(
            role="user" if turn.role == "user" else "model",
            parts=[types.Part(text=turn.content)],
        )
        for turn in prompt.history
    ]
    contents.append(types.Content(role="user", parts=[types.Part(text=prompt.user_message)]))
    config = types.GenerateContentConfig(
        system_instruction=prompt.system,
        temperature=temperature,
        max_output_tokens=max_tokens,
    )
    with translated_gemini_errors():
        response = await client.aio.models.generate_content(
            model=model, contents=contents, config=config
        )
    usage = response.usage_metadata
    prompt_tokens = (usage.prompt_token_count or 0) if usage else 0
    completion_tokens = (usage.candidates_token_count or 0) if usage else 0
    return Completion(
        text=response.text or "",
        model=response.model_version or model,
        usage=TokenUsage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=(usage.total_token_count or 0) if usage else 0,
        ),
    )
