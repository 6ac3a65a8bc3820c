"""Turn provider failures into Temporal ``ApplicationError``s that say whether to retry.

Permanent failures (a rejected key, a bad request, a missing key) are non-retryable so a
run fails at once with a clear message; transient ones (429, 5xx, timeouts, refused
connections, an answer stream that broke mid-way) are retryable and Temporal's retry
policy backs off.
"""

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx2
import openai
import requests
from google.genai import errors as genai_errors
from temporalio.exceptions import ApplicationError

AUTH_ERROR = "ProviderAuthError"
REQUEST_ERROR = "ProviderRequestError"
RATE_LIMITED = "ProviderRateLimited"
UNAVAILABLE = "ProviderUnavailable"

# Longest wait we honour from a provider's Retry-After; beyond it the retry policy decides.
_MAX_RETRY_AFTER_SECONDS = 60.0
# Longest provider error message carried into a run's error.
_MAX_MESSAGE_CHARS = 300

_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    TimeoutError,
    ConnectionError,
    httpx2.TransportError,
    requests.Timeout,
    requests.ConnectionError,
)
# What the SDKs raise while an answer streams in: the connection dropped or stalled, an
# error event in the stream, an event that is not JSON.
_STREAM_BREAK_ERRORS: tuple[type[BaseException], ...] = (
    openai.OpenAIError,
    genai_errors.APIError,
    genai_errors.UnknownApiResponseError,
    json.JSONDecodeError,
    *_TRANSPORT_ERRORS,
)


def missing_api_key(provider: str, variable: str) -> ApplicationError:
    """A non-retryable error for a provider whose key is not configured on the worker.

    Args:
        provider: Provider name shown to the user, e.g. ``openai``.
        variable: The environment variable that holds the key, e.g. ``OPENAI_API_KEY``.
    """
    return ApplicationError(
        f"{provider} API key is not configured on the worker (set {variable})",
        type=AUTH_ERROR,
        non_retryable=True,
    )


def from_http_status(
    provider: str, status: int, message: str, *, retry_after_seconds: float | None = None
) -> ApplicationError:
    """Classify an HTTP error answer of a provider.

    Args:
        provider: Provider name shown to the user.
        status: HTTP status code of the answer.
        message: The provider's own error message.
        retry_after_seconds: The provider's ``Retry-After``, honoured for retryable errors.

    Returns:
        Non-retryable for 401/403 (``ProviderAuthError``) and other 4xx
        (``ProviderRequestError``); retryable for 429 (``ProviderRateLimited``) and
        408/409/5xx (``ProviderUnavailable``).
    """
    delay = None
    if retry_after_seconds is not None and retry_after_seconds >= 0:
        delay = timedelta(seconds=min(retry_after_seconds, _MAX_RETRY_AFTER_SECONDS))
    if status in (401, 403):
        return ApplicationError(
            f"{provider} rejected the API key ({status}): {message}",
            type=AUTH_ERROR,
            non_retryable=True,
        )
    if status == 429:
        return ApplicationError(
            f"{provider} is rate limiting requests (429): {message}",
            type=RATE_LIMITED,
            next_retry_delay=delay,
        )
    if status in (408, 409) or status >= 500:
        return ApplicationError(
            f"{provider} is unavailable ({status}): {message}",
            type=UNAVAILABLE,
            next_retry_delay=delay,
        )
    return ApplicationError(
        f"{provider} rejected the request ({status}): {message}",
        type=REQUEST_ERROR,
        non_retryable=True,
    )


def is_transport_error(error: BaseException) -> bool:
    """Whether ``error`` is a timeout or connection failure of any HTTP stack we use."""
    return isinstance(error, _TRANSPORT_ERRORS)


def from_transport_error(
    provider: str, error: BaseException, *, detail: str | None = None
) -> ApplicationError:
    """A retryable error for a timeout or a failed connection.

    Args:
        provider: Provider name shown to the user.
        error: The HTTP stack's exception.
        detail: Replaces ``str(error)`` in the message (e.g. with secrets redacted).
    """
    timed_out = isinstance(error, (TimeoutError, httpx2.TimeoutException, requests.Timeout))
    what = "did not answer in time" if timed_out else "could not be reached"
    detail = detail or str(error) or type(error).__name__
    return ApplicationError(f"{provider} {what}: {detail}", type=UNAVAILABLE)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The delay a provider asks for in ``Retry-After`` (seconds form only), if any."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: leave the back-off to the retry policy


def from_openai_error(provider: str, error: openai.OpenAIError) -> ApplicationError:
    """Classify an exception raised by the ``openai`` SDK.

    Args:
        provider: ``openai`` or ``openai-compatible`` (shown to the user).
        error: The SDK's exception.
    """
    if isinstance(error, openai.APIStatusError):
        return from_http_status(
            provider,
            error.status_code,
            summarised_message(error.body),
            retry_after_seconds=retry_after_seconds(error.response.headers),
        )
    if isinstance(error, openai.APITimeoutError):
        return ApplicationError(f"{provider} did not answer in time", type=UNAVAILABLE)
    if isinstance(error, openai.APIConnectionError):
        return ApplicationError(f"{provider} could not be reached", type=UNAVAILABLE)
    if isinstance(error, openai.APIResponseValidationError):
        return ApplicationError(
            f"{provider} answered with an unexpected response", type=UNAVAILABLE
        )
    return ApplicationError(
        f"{provider} request failed: {error}", type=REQUEST_ERROR, non_retryable=True
    )


def summarised_message(body: object) -> str:
    """The provider's own error message from a JSON error body, shortened; never the raw body.

    A server that is not the provider (a page, another service's port) answers with
    something else, which is not echoed back: a user must not read other services'
    answers through a run's error.
    """
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        if isinstance(message, str) and message.strip():
            flat = " ".join(message.split())
            return flat if len(flat) <= _MAX_MESSAGE_CHARS else flat[:_MAX_MESSAGE_CHARS] + "…"
    return "no error details"


def from_gemini_error(error: genai_errors.APIError) -> ApplicationError:
    """Classify an HTTP error raised by ``google-genai``.

    Gemini answers an invalid key with 400 ``API_KEY_INVALID`` rather than 401, so that
    case is reported as an authentication error too.
    """
    details = error.details
    # Google's error answers are {"error": {...}}; anything else is not echoed.
    message = summarised_message(details.get("error") if isinstance(details, dict) else None)
    if error.code == 400 and "API_KEY_INVALID" in str(error.details):
        return ApplicationError(
            f"gemini rejected the API key (400): {message}", type=AUTH_ERROR, non_retryable=True
        )
    headers = getattr(error.response, "headers", None) or {}
    return from_http_status(
        "gemini", error.code, message, retry_after_seconds=retry_after_seconds(headers)
    )


@contextmanager
def translated_gemini_errors() -> Iterator[None]:
    """Re-raises google-genai's API and transport errors as classified ``ApplicationError``s."""
    try:
        yield
    except genai_errors.APIError as error:
        raise from_gemini_error(error) from error
    except Exception as error:
        if is_transport_error(error):
            raise from_transport_error("gemini", error) from error
        raise


@dataclass
class StreamProgress:
    """An answer being streamed: its text so far, handed on delta by delta, and how far it
    got, for the error that says where it broke.

    Attributes:
        began: Whether the provider's answer began; errors before it are the request's.
        tokens: Text deltas received.
        chars: Characters in those deltas.
        on_delta: Called with each delta as it arrives.
    """

    began: bool = False
    tokens: int = 0
    chars: int = 0
    on_delta: Callable[[str], None] | None = None
    parts: list[str] = field(default_factory=list)

    def received(self, delta: str | None) -> None:
        """Takes one text delta (an empty one is no delta)."""
        if not delta:
            return
        self.tokens += 1
        self.chars += len(delta)
        self.parts.append(delta)
        if self.on_delta is not None:
            self.on_delta(delta)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def from_broken_stream(
    provider: str, error: BaseException | None, progress: StreamProgress
) -> ApplicationError:
    """A retryable ``ProviderUnavailable`` for an answer stream that broke after it began.

    Args:
        provider: Provider name shown to the user.
        error: What broke it, or ``None`` when the stream ended without finishing.
        progress: How far it got; carried in ``details`` as ``streamed_tokens`` and
            ``streamed_chars``.
    """
    reason = "it ended before the answer was finished"
    if error is not None:
        reason = _stream_break_reason(error)
    tokens = f"{progress.tokens} token" + ("" if progress.tokens == 1 else "s")
    return ApplicationError(
        f"the {provider} stream broke after {tokens}: {reason}",
        {"streamed_tokens": progress.tokens, "streamed_chars": progress.chars},
        type=UNAVAILABLE,
    )


@contextmanager
def broken_streams_classified(provider: str, progress: StreamProgress) -> Iterator[None]:
    """Re-raises an error that breaks a begun answer stream as ``from_broken_stream``;
    errors before ``progress.began`` pass through unchanged, to be classified as the
    request's."""
    try:
        yield
    except _STREAM_BREAK_ERRORS as error:
        if not progress.began:
            raise
        raise from_broken_stream(provider, error, progress) from error


def _stream_break_reason(error: BaseException) -> str:
    """What broke a stream, in words that never echo an upstream body beyond its message."""
    if isinstance(error, openai.APIError) and isinstance(error.body, dict):
        return summarised_message(error.body)  # an error event in the stream
    if isinstance(error, genai_errors.APIError):
        details = error.details
        return summarised_message(details.get("error") if isinstance(details, dict) else None)
    if isinstance(error, ValueError):
        return "an event in the stream could not be read"
    # The SDKs wrap transport errors ("Connection error."); the innermost one says more.
    chain = [error]
    while (cause := chain[-1].__cause__) is not None and cause not in chain:
        chain.append(cause)
    timeouts = (TimeoutError, openai.APITimeoutError, httpx2.TimeoutException, requests.Timeout)
    if any(isinstance(e, timeouts) for e in chain):
        return "no data arrived in time"
    return str(chain[-1]) or type(chain[-1]).__name__
