"""Calls to external providers (LLMs, embeddings, web search) timed, and their failures
counted by status, by one context manager every adapter wraps its request in::

    with provider_call("openai", model_label(settings, "openai", model), "embed",
                       enabled=settings.metrics_enabled):
        response = await client.embeddings.create(...)

The status of a failure comes from the ``ApplicationError`` the adapter raised
(``activities/providers/errors.py`` classifies every provider failure into one of the
types below; telemetry imports none of our other packages, so the names are repeated
here), or ``timeout`` when a timeout caused it.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.exceptions import ApplicationError

from settings import Settings
from telemetry.metrics import PROVIDER_ERRORS, PROVIDER_REQUEST_DURATION
from telemetry.prices import PriceTableError, price_table

# ApplicationError types of activities/providers/errors.py → the ``status`` label.
ERROR_STATUSES = {
    "ProviderAuthError": "unauthorized",
    "ProviderRequestError": "bad_request",
    "ProviderRateLimited": "rate_limited",
    "ProviderUnavailable": "unavailable",
}
OTHER_ERROR = "error"
TIMEOUT = "timeout"


def model_label(settings: Settings, provider: str, model: str) -> str:
    """A bounded ``model`` label for a model a user named: itself when the price table
    knows it, else ``other``."""
    try:
        return price_table(settings.prices_file).known_model(provider, model)
    except PriceTableError:  # reported where prices are used; a label must not fail a call
        return "other"


def error_status(error: BaseException) -> str:
    """The ``status`` label of a failed call: ``timeout`` when a timeout caused it, else the
    status of its ``ApplicationError`` type (``error`` for anything unclassified)."""
    if _caused_by_timeout(error):
        return TIMEOUT
    if isinstance(error, ApplicationError) and error.type:
        return ERROR_STATUSES.get(error.type, OTHER_ERROR)
    return OTHER_ERROR


def _caused_by_timeout(error: BaseException) -> bool:
    """Whether ``error`` or what it was raised from (adapters re-raise the SDK's exception
    as an ``ApplicationError``, some ``from None``) is a timeout of any HTTP stack."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        name = type(current).__name__
        if isinstance(current, TimeoutError) or "Timeout" in name:
            return True
        seen.append(current)
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def provider_call(provider: str, model: str, operation: str, *, enabled: bool) -> Iterator[None]:
    """Times the block as one call of ``provider`` and counts it as failed if it raises.

    Args:
        provider: ``openai``, ``gemini``, ``serpapi``, ``local``, ...
        model: A bounded label: ``model_label(...)`` for a model a user named, or a fixed
            name (a SerpAPI engine).
        operation: What the call does: ``chat``, ``embed``, ``search``.
        enabled: ``settings.metrics_enabled``; False records nothing.
    """
    if not enabled:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    except Exception as error:  # a cancelled call is no provider error, but it took time
        PROVIDER_ERRORS.labels(provider, model, error_status(error)).inc()
        raise
    finally:
        PROVIDER_REQUEST_DURATION.labels(provider, model, operation).observe(
            time.perf_counter() - started
        )
