"""A fake OpenAI (and OpenAI-compatible) API speaking the real wire format.

Routes: ``POST {prefix}/v1/chat/completions`` and ``POST {prefix}/v1/embeddings``, so
``OPENAI_BASE_URL=fake.url + "/v1"`` works, and so does an OpenAI-compatible base URL
such as ``fake.url + "/ollama/v1"``. A chat request with ``"stream": true`` is answered
with ``chat.completion.chunk`` Server-Sent Events, one per word token, as OpenAI streams.
"""

from __future__ import annotations

import base64
import re
import struct
import time
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

ChatRequest = dict[str, Any]
"""The parsed JSON body of a chat completion request."""

CHAT_COMPLETIONS = "/v1/chat/completions"  # path suffixes, for script(...) and holding(...)
EMBEDDINGS = "/v1/embeddings"
_CHAT_PATH = re.compile(r"^(/.*)?/v1/chat/completions$")
_EMBEDDINGS_PATH = re.compile(r"^(/.*)?/v1/embeddings$")

_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
    ),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again in 1s.",
    ),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


def echo_answer(request: ChatRequest) -> str:
    """The default answer: names the model and repeats the last line of the last message."""
    last = str(request["messages"][-1].get("content", "")).strip().splitlines() or [""]
    return f"Fake answer from {request['model']}: {last[-1]}"


def _count_words(text: str) -> int:
    return len(text.split())


class FakeOpenAI(FakeHttpServer):
    """Fake OpenAI server.

    Args:
        answer: Text of every completion, or a function from the request body to it.
        embedding_dimension: Length of embedding vectors unless the request asks for
            ``dimensions``.
        api_key: When set, requests must carry ``Authorization: Bearer <api_key>``;
            others get OpenAI's real 401 ``invalid_api_key`` answer.
        token_delay_seconds: Pause between the tokens of a streamed answer.
        first_token_delay_seconds: Pause before its first token.
    """

    def __init__(
        self,
        *,
        answer: str | Callable[[ChatRequest], str] = echo_answer,
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
    def chat_requests(self) -> list[ChatRequest]:
        """Bodies of the chat completion requests received, oldest first."""
        return [r.body for r in self.requests if _CHAT_PATH.match(r.path)]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        """Bodies of the embedding requests received, oldest first."""
        return [r.body for r in self.requests if _EMBEDDINGS_PATH.match(r.path)]

    def error_body(self, status: int, message: str | None) -> Any:
        kind, code, default = _ERRORS.get(status, _ERRORS[500 if status >= 500 else 400])
        return {"error": {"message": message or default, "type": kind, "param": None, "code": code}}

    def route(self, request: RecordedRequest) -> Reply:
        if request.method != "POST" or not (
            _CHAT_PATH.match(request.path) or _EMBEDDINGS_PATH.match(request.path)
        ):
            return self.error_reply(404, f"Invalid URL ({request.method} {request.path})")
        if self.api_key is not None and request.headers.get("authorization") != (
            f"Bearer {self.api_key}"
        ):
            return self.error_reply(401)
        body = request.body or {}
        if not body.get("model"):
            return self.error_reply(400, "you must provide a model parameter")
        if _CHAT_PATH.match(request.path):
            return self._chat_completion(body)
        return self._embeddings(body)

    def _chat_completion(self, body: ChatRequest) -> Reply:
        messages = body.get("messages") or []
        if not messages:
            return self.error_reply(400, "'messages' must contain at least one message.")
        text = self.answer(body) if callable(self.answer) else self.answer
        prompt_tokens = sum(_count_words(str(m.get("content", ""))) for m in messages)
        completion_tokens = _count_words(text)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        head: dict[str, Any] = {
            "id": f"chatcmpl-fake{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
        }
        if body.get("stream") is True:
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            head["object"] = "chat.completion.chunk"
            stream = _chunks(head, text, usage if include_usage else None)
            return Reply(200, None, stream=stream, content_type="text/event-stream")
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": text, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
        return Reply(200, {**head, "choices": [choice], "usage": usage})

    def _embeddings(self, body: dict[str, Any]) -> Reply:
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not texts or not all(isinstance(t, str) and t for t in texts):
            return self.error_reply(400, "'input' must be a non-empty string or array of them.")
        dimension = int(body.get("dimensions") or self.embedding_dimension)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = hashed_embedding(text, dimension)
            encoded: Any = vector
            if as_base64:
                encoded = base64.b64encode(struct.pack(f"<{dimension}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(_count_words(t) for t in texts)
        return Reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )


def _chunks(head: dict[str, Any], text: str, usage: dict[str, int] | None) -> list[StreamFrame]:
    """OpenAI's stream of ``text``: the role, one chunk per token, the finish reason, then
    (when the request asked for ``stream_options.include_usage``) the usage, then ``[DONE]``."""

    def chunk(delta: dict[str, str], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**head, "choices": [choice]} | ({"usage": None} if usage else {})

    frames = [sse_event(chunk({"role": "assistant", "content": ""}))]
    frames += [sse_event(chunk({"content": t}), carries_token=True) for t in word_tokens(text)]
    frames.append(sse_event(chunk({}, "stop")))
    if usage:
        frames.append(sse_event({**head, "choices": [], "usage": usage}))
    frames.append(StreamFrame("data: [DONE]\n\n"))
    return frames
