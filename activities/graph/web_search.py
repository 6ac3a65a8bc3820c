"""The ``search_web`` activity: organic results from SerpAPI (``google-search-results``).

Each search is one ``provider_call`` (provider ``serpapi``, the engine as its model,
operation ``search``).
"""

import asyncio
from typing import Any

from serpapi import SerpApiClient
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.providers.errors import (
    REQUEST_ERROR,
    UNAVAILABLE,
    from_http_status,
    from_transport_error,
    is_transport_error,
    missing_api_key,
    retry_after_seconds,
)
from activities.storage.blobs import WEB_RESULT_LIST, BlobStore
from activities.storage.step_records import StepRecords
from settings import Settings
from telemetry.provider_metrics import provider_call
from workflows.step_io import WebResult, WebSearchInput, WebSearchOutput

# The parameter that sets the number of results differs per SerpAPI engine.
_COUNT_PARAMETER = {"google": "num", "bing": "count", "duckduckgo": None}

# SerpAPI answers "no results" with HTTP 200 and an error message: that is an empty list.
_NO_RESULTS_MARKER = "hasn't returned any results"


class _SerpApiSearch(SerpApiClient):
    """The library's client pointed at ``backend`` (an instance attribute, so the class
    attribute ``SerpApiClient.BACKEND`` shared by every thread stays untouched)."""

    def __init__(self, params: dict[str, Any], *, backend: str, timeout: float) -> None:
        super().__init__(params, timeout=timeout)
        self.BACKEND = backend.rstrip("/")


class WebSearchActivities:
    """Web search through SerpAPI."""

    def __init__(
        self,
        settings: Settings,
        *,
        blobs: BlobStore | None = None,
        records: StepRecords | None = None,
    ) -> None:
        self._settings = settings
        self._blobs = blobs or BlobStore(settings)
        self._records = records or StepRecords(settings)

    @activity.defn(name="search_web")
    async def search_web(self, input: WebSearchInput) -> WebSearchOutput:
        """Return up to ``num_results`` organic results for the query (a search this
        activity completed before a crash is not paid for again: ``StepRecords``).

        Raises:
            ApplicationError: As ``_find``.
        """
        return await self._records.once(input, WebSearchOutput, lambda: self._find(input))

    async def _find(self, input: WebSearchInput) -> WebSearchOutput:
        """Return up to ``num_results`` organic results for the query.

        Raises:
            ApplicationError: Non-retryable for a missing or rejected key or an unknown
                engine; retryable for 429, 5xx, timeouts and connection failures.
        """
        key = self._settings.serpapi_api_key
        if key is None or not key.get_secret_value():
            raise missing_api_key("serpapi", "SERPAPI_API_KEY")
        if input.engine not in _COUNT_PARAMETER:
            raise ApplicationError(
                f"serpapi engine '{input.engine}' is not supported",
                type=REQUEST_ERROR,
                non_retryable=True,
            )
        params: dict[str, Any] = {
            "engine": input.engine,
            "q": input.query,
            "api_key": key.get_secret_value(),
        }
        count_parameter = _COUNT_PARAMETER[input.engine]
        if count_parameter:
            params[count_parameter] = input.num_results
        # The engine is one of _COUNT_PARAMETER's: a bounded label.
        with provider_call(
            "serpapi", input.engine, "search", enabled=self._settings.metrics_enabled
        ):
            answer = await asyncio.to_thread(self._search, params)
        results = [
            WebResult(
                title=str(item.get("title", "")),
                link=str(item["link"]),
                snippet=str(item.get("snippet", "")),
            )
            for item in answer.get("organic_results", [])
            if item.get("link")
        ][: input.num_results]
        return WebSearchOutput(results=self._blobs.inline_or_store(results, WEB_RESULT_LIST))

    def _search(self, params: dict[str, Any]) -> dict[str, Any]:
        # SerpAPI takes the key in the query string, and requests' errors quote the URL:
        # every message that leaves here is redacted and no exception is chained, since
        # both would be recorded in the workflow history.
        key = str(params["api_key"])

        def redacted(text: object) -> str:
            return str(text).replace(key, "***")

        search = _SerpApiSearch(
            {**params, "output": "json"},
            backend=self._settings.serpapi_base_url,
            timeout=self._settings.provider_timeout_seconds,
        )
        try:
            response = search.get_response()
        except Exception as error:
            if is_transport_error(error):
                raise from_transport_error("serpapi", error, detail=redacted(error)) from None
            raise ApplicationError(
                f"serpapi request failed: {redacted(error)}", type=UNAVAILABLE
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise from_http_status(
                "serpapi",
                response.status_code if response.status_code >= 400 else 502,
                f"not a JSON answer: {redacted(response.text[:200])!r}",
            )
        message = answer.get("error")
        if response.status_code >= 400:
            raise from_http_status(
                "serpapi",
                response.status_code,
                redacted(message or response.reason),
                retry_after_seconds=retry_after_seconds(response.headers),
            )
        if message and _NO_RESULTS_MARKER not in str(message):
            raise ApplicationError(f"serpapi search failed: {redacted(message)}", type=UNAVAILABLE)
        return answer
