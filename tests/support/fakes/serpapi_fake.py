"""A fake SerpAPI speaking its real wire format (what ``google-search-results`` calls).

Route: ``GET /search`` (the library's default path; ``/search.json`` is accepted too).
Point the library at it with ``SERPAPI_BASE_URL=fake.url``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.fakes.http_fake import FakeHttpServer, RecordedRequest, Reply

SearchParams = dict[str, str]
"""The query parameters of a search request (``q``, ``engine``, ``api_key``, ...)."""

_DEFAULT_MESSAGES = {
    401: "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key",
    429: "Your account has run out of searches.",
    500: "Internal Server Error.",
    503: "Service Unavailable.",
}


def numbered_results(params: SearchParams) -> list[dict[str, Any]]:
    """The default organic results: ``num`` (default 10) numbered hits for the query."""
    query = params.get("q", "")
    count = int(params.get("num") or params.get("count") or 10)
    return [
        {
            "position": i,
            "title": f"Result {i} for {query}",
            "link": f"https://example.com/{i}",
            "displayed_link": f"example.com › {i}",
            "snippet": f"Snippet {i} about {query}.",
        }
        for i in range(1, count + 1)
    ]


class FakeSerpApi(FakeHttpServer):
    """Fake SerpAPI server.

    Args:
        results: Organic results as a function of the query parameters.
        api_key: When set, requests must carry it as ``api_key``; others get SerpAPI's
            real 401 ``{"error": "Invalid API key..."}`` answer.
    """

    def __init__(
        self,
        *,
        results: Callable[[SearchParams], list[dict[str, Any]]] = numbered_results,
        api_key: str | None = None,
    ) -> None:
        super().__init__()
        self.results = results
        self.api_key = api_key

    @property
    def searches(self) -> list[SearchParams]:
        """Query parameters of the searches received, oldest first."""
        return [r.query for r in self.requests if r.path in ("/search", "/search.json")]

    def error_body(self, status: int, message: str | None) -> Any:
        return {"error": message or _DEFAULT_MESSAGES.get(status, f"HTTP {status}.")}

    def route(self, request: RecordedRequest) -> Reply:
        if request.method != "GET" or request.path not in ("/search", "/search.json"):
            return self.error_reply(404, "Not found.")
        params = request.query
        if self.api_key is not None and params.get("api_key") != self.api_key:
            return self.error_reply(401)
        if not params.get("q"):
            return self.error_reply(400, "Missing query `q` parameter.")
        organic = self.results(params)
        metadata = {
            "id": f"fake-{len(self.requests)}",
            "status": "Success",
            "json_endpoint": f"https://serpapi.com/searches/fake-{len(self.requests)}.json",
            "total_time_taken": 0.01,
        }
        body: dict[str, Any] = {
            "search_metadata": metadata,
            "search_parameters": {k: v for k, v in params.items() if k != "api_key"},
        }
        if organic:
            body["organic_results"] = organic
        else:  # SerpAPI's real answer to a query without results: HTTP 200 with an error
            body["error"] = "Google hasn't returned any results for this query."
        return Reply(200, body)
