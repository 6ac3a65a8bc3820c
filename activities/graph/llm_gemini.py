"""Content generation through ``google-genai`` (the Gemini Developer API), streamed: each
text delta is handed on as it arrives."""

from collections.abc import Callable

from google import genai
from google.genai import types

from activities.graph.prompt import Completion, Prompt
from activities.providers.errors import (
    StreamProgress,
    broken_streams_classified,
    from_broken_stream,
    translated_gemini_errors,
)
from workflows.step_io import TokenUsage


async def complete_with_gemini(
    client: genai.Client,
    prompt: Prompt,
    *,
    model: str,
    temperature: float,
    max_tokens: int,
    on_delta: Callable[[str], None] | None = None,
) -> Completion:
    """Stream ``prompt``'s answer from Gemini's ``streamGenerateContent``.

    Args:
        client: An SDK client with retries disabled.
        prompt: The assembled prompt; assistant turns become ``model`` turns.
        model: Model name, e.g. ``gemini-2.0-flash``.
        temperature: Sampling temperature.
        max_tokens: Upper bound of generated tokens (``max_output_tokens``).
        on_delta: Called with each non-empty text delta as it arrives; it must not block.

    Returns:
        The answer text (the deltas joined), the model version the provider reports and
        the token usage of the stream's last chunk that has one (zeros when none did).

    Raises:
        ApplicationError: Classified by ``errors.translated_gemini_errors`` when the
            request fails; a retryable ``ProviderUnavailable``
            (``errors.from_broken_stream``) when the stream breaks or ends unfinished.
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
    progress = StreamProgress(on_delta=on_delta)
    reported_model = ""
    usage: types.GenerateContentResponseUsageMetadata | None = None
    finished = False
    # google-genai sends the request on the first read: until a chunk arrives, errors
    # are the request's and classified as such.
    with translated_gemini_errors(), broken_streams_classified("gemini", progress):
        stream = await client.aio.models.generate_content_stream(
            model=model, contents=contents, config=config
        )
        async for chunk in stream:
            progress.began = True
            reported_model = chunk.model_version or reported_model
            usage = chunk.usage_metadata or usage
            blocked = chunk.prompt_feedback is not None and chunk.prompt_feedback.block_reason
            candidate = chunk.candidates[0] if chunk.candidates else None
            finished = finished or bool(blocked) or bool(candidate and candidate.finish_reason)
            progress.received(_text(candidate))
    if not finished:
        raise from_broken_stream("gemini", None, progress)
    return Completion(
        text=progress.text,
        model=reported_model or model,
        usage=TokenUsage(
            prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
            completion_tokens=(usage.candidates_token_count or 0) if usage else 0,
            total_tokens=(usage.total_token_count or 0) if usage else 0,
        ),
    )


def _text(candidate: types.Candidate | None) -> str:
    """The answer text in one streamed candidate (thoughts and other parts left out)."""
    if candidate is None or candidate.content is None or not candidate.content.parts:
        return ""
    return "".join(p.text for p in candidate.content.parts if p.text and not p.thought)
