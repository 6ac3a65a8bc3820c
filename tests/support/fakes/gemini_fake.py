"""A fake Gemini Developer API speaking the real REST wire format (what google-genai calls).

Routes: ``POST /{version}/models/{model}:generateContent``, ``:streamGenerateContent?alt=sse``,
``:embedContent`` and ``:batchEmbedContents`` (google-genai 3.x calls ``version`` ``v1``;
``v1beta`` and ``v1alpha`` are accepted too; its ``embed_content`` always uses
``batchEmbedContents``). Point the SDK at it with ``GEMINI_BASE_URL=fake.url`` (no version
suffix). A streamed generation is one ``GenerateContentResponse`` Server-Sent Event per word
token, the last with ``finishReason`` and the whole ``usageMetadata``, as Gemini streams.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.fakes.embedding_vectors import hashed_embedding
from tests.support.fakes.http_fake import (
    FakeHttpServer,
    RecordedRequest,
    Reply,
    StreamFrame,
    sse_event,
    word_tokens,
)

GenerateRequest = dict[str, Any]
"""The parsed JSON body of a ``generateContent`` or ``streamGenerateContent`` request."""

_GENERATE_METHODS = ("generateContent", "streamGenerateContent")

_MODEL_METHOD = re.compile(
    r"^/(?P<version>v1|v1beta|v1alpha)/models/(?P<model>[^:/]+):(?P<method>\w+)$"
)

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DEFAULT_MESSAGES = {
    401: "Request had invalid authentication credentials.",
    403: "Method doesn't allow unregistered callers.",
    404: "models/unknown is not found for API version v1beta.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
}
_INVALID_KEY_MESSAGE = "API key not valid. Please pass a valid API key."


def _texts(content: dict[str, Any]) -> list[str]:
    return [str(p.get("text", "")) for p in content.get("parts", []) if "text" in p]


def echo_answer(request: GenerateRequest, model: str) -> str:
    """The default answer: names the model and repeats the last line of the last turn."""
    last = "\n".join(_texts(request["contents"][-1])).strip().splitlines() or [""]
    return f"Fake answer from {model}: {last[-1]}"


class FakeGemini(FakeHttpServer):
    """Fake Gemini server.

    Args:
        answer: Text of every generation, or a function of (request body, model name).
        embedding_dimension: Length of embedding vectors unless ``outputDimensionality``
            is requested.
        api_key: When set, requests must carry it (``x-goog-api-key`` header or ``key``
            query parameter); others get Gemini's real 400 ``API_KEY_INVALID`` answer.
        token_delay_seconds: Pause between the tokens of a streamed generation.
        first_token_delay_seconds: Pause before its first token.
    """

    def __init__(
        self,
        *,
        answer: str | Callable[[GenerateRequest, str], str] = echo_answer,
        embedding_dimension: int = 64,
        api_key: str | None = None,
        token_delay_seconds: float = 0.0,
        first_token_delay_seconds: float = 0.0,
    ) -> None:
        super().__init__(
            token_delay_seconds=token_delay_seconds,
            first_token_delay_seconds=first_token_delay_seconds,
        )
        self.answer = answer
        self.embedding_dimension = embedding_dimension
        self.api_key = api_key

    @property
    def generate_requests(self) -> list[GenerateRequest]:
        """Bodies of the ``generateContent`` and ``streamGenerateContent`` requests received,
        oldest first."""
        return [r.body for r in self.requests if r.path.endswith(_GENERATE_METHODS)]

    def error_body(self, status: int, message: str | None) -> Any:
        name = _STATUS_NAMES.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")
        return {
            "error": {
                "code": status,
                "message": message or _DEFAULT_MESSAGES.get(status, "Request failed."),
                "status": name,
            }
        }

    def route(self, request: RecordedRequest) -> Reply:
        match = _MODEL_METHOD.match(request.path)
        if request.method != "POST" or match is None:
            return self.error_reply(404, f"Method not found: {request.path}")
        if self.api_key is not None and self.api_key not in (
            request.headers.get("x-goog-api-key"),
            request.query.get("key"),
        ):
            return self._invalid_api_key()
        model, method = match["model"], match["method"]
        body = request.body or {}
        if method == "generateContent":
            return self._generate(body, model, streamed=False)
        if method == "streamGenerateContent":
            if request.query.get("alt") != "sse":
                return self.error_reply(400, "this fake streams only Server-Sent Events (alt=sse)")
            return self._generate(body, model, streamed=True)
        if method == "embedContent":
            return Reply(200, {"embedding": self._embed(body)})
        if method == "batchEmbedContents":
            return Reply(200, {"embeddings": [self._embed(r) for r in body.get("requests", [])]})
        return self.error_reply(404, f"Method not found: {method}")

    def _invalid_api_key(self) -> Reply:
        body = self.error_body(400, _INVALID_KEY_MESSAGE)
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ]
        return Reply(400, body)

    def _generate(self, body: GenerateRequest, model: str, *, streamed: bool) -> Reply:
        contents = body.get("contents") or []
        if not contents:
            return self.error_reply(
                400, "* GenerateContentRequest.contents: contents is not specified"
            )
        text = self.answer(body, model) if callable(self.answer) else self.answer
        prompt_parts = [t for c in contents for t in _texts(c)]
        prompt_parts += _texts(body.get("systemInstruction") or {})
        prompt_tokens = sum(len(t.split()) for t in prompt_parts)
        output_tokens = len(text.split())
        usage = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": prompt_tokens + output_tokens,
        }
        tail = {"modelVersion": model, "responseId": f"fake-{len(self.requests)}"}
        if streamed:
            stream = _events(text, usage, tail)
            return Reply(200, None, stream=stream, content_type="text/event-stream")
        return Reply(
            200, {"candidates": [_candidate(text, "STOP")], "usageMetadata": usage, **tail}
        )

    def _embed(self, request: dict[str, Any]) -> dict[str, list[float]]:
        text = " ".join(_texts(request.get("content") or {}))
        dimension = int(request.get("outputDimensionality") or self.embedding_dimension)
        return {"values": hashed_embedding(text, dimension)}


def _candidate(text: str, finish_reason: str | None) -> dict[str, Any]:
    content = {"parts": [{"text": text}], "role": "model"}
    finished = {"finishReason": finish_reason} if finish_reason else {}
    return {"content": content, **finished, "index": 0}


def _events(text: str, usage: dict[str, int], tail: dict[str, str]) -> list[StreamFrame]:
    """Gemini's stream of ``text``: one response per token, each with the prompt's usage so
    far; the last one also has ``finishReason`` and the whole usage."""
    tokens = word_tokens(text) or [""]
    prompt_usage = {k: usage["promptTokenCount"] for k in ("promptTokenCount", "totalTokenCount")}
    frames = []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        event = {
            "candidates": [_candidate(token, "STOP" if last else None)],
            "usageMetadata": usage if last else prompt_usage,
            **tail,
        }
        frames.append(sse_event(event, carries_token=bool(token), separator="\r\n\r\n"))
    return frames
