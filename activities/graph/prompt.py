"""Assemble the provider-neutral prompt of the LLM step, and the shape of its completion.

The system instruction is the node's custom prompt (or a default); chat history comes
as prior turns; the last user message carries the numbered passages, the web results
and the question, so the model can cite ``[1]`` or ``[W1]``.
"""

from pydantic import BaseModel

from workflows.step_io import ChatTurn, Passage, TokenUsage, WebResult

DEFAULT_SYSTEM_INSTRUCTION = (
    "You are a helpful assistant. When context passages or web results are given, base "
    "your answer on them and cite them by number, like [1] or [W1]. If they do not "
    "contain the answer, say so before answering from general knowledge."
)


class Prompt(BaseModel):
    """What every provider is sent: a system instruction, prior turns, the new message."""

    system: str
    history: list[ChatTurn]
    user_message: str


class Completion(BaseModel):
    """A provider's answer: the text, the model that wrote it and the tokens it cost."""

    text: str
    model: str
    usage: TokenUsage


def build_prompt(
    *,
    query: str,
    custom_prompt: str,
    history: list[ChatTurn],
    passages: list[Passage],
    web_results: list[WebResult],
) -> Prompt:
    """Build the prompt for one LLM call.

    Args:
        query: The user's question.
        custom_prompt: The node's system instruction; empty means the default one.
        history: Earlier turns of the chat session, oldest first.
        passages: Retrieved passages, numbered ``[1]``, ``[2]``... with document and page.
        web_results: Web results, numbered ``[W1]``, ``[W2]``... with title, link, snippet.

    Returns:
        The assembled prompt.
    """
    sections = []
    if passages:
        numbered = (_passage(i, p) for i, p in enumerate(passages, 1))
        sections.append("Context passages:\n\n" + "\n\n".join(numbered))
    if web_results:
        numbered = (_web_result(i, r) for i, r in enumerate(web_results, 1))
        sections.append("Web results:\n\n" + "\n\n".join(numbered))
    user_message = "\n\n".join([*sections, f"Question: {query}"]) if sections else query
    return Prompt(
        system=custom_prompt.strip() or DEFAULT_SYSTEM_INSTRUCTION,
        history=list(history),
        user_message=user_message,
    )


def _passage(number: int, passage: Passage) -> str:
    source = passage.document
    if passage.page is not None:
        source += f", page {passage.page}"
    return f"[{number}] ({source})\n{passage.text.strip()}"


def _web_result(number: int, result: WebResult) -> str:
    lines = [f"[W{number}] {result.title}", result.link]
    if result.snippet:
        lines.append(result.snippet)
    return "\n".join(lines)
