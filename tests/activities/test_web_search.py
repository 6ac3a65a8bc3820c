"""search_web against the fake SerpAPI, through the real google-search-results library."""

import pytest
from pydantic import SecretStr
from serpapi import SerpApiClient
from temporalio.api.failure.v1 import Failure as FailureProto
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.web_search import WebSearchActivities
from settings import Settings
from tests.support.fakes import Delay, Failure, FakeSerpApi
from tests.support.fakes.keys import SERPAPI_KEY
from tests.support.fakes.unreachable import closed_port_url
from workflows.step_io import WebResult, WebSearchInput


def search(query: str = "refund rules", engine: str = "google", num: int = 3) -> WebSearchInput:
    return WebSearchInput(query=query, engine=engine, num_results=num)


async def test_google_search_returns_organic_results_as_web_results(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi
) -> None:
    activities = WebSearchActivities(fake_provider_settings)

    output = await ActivityEnvironment().run(activities.search_web, search())

    assert output.results == [
        WebResult(
            title=f"Result {i} for refund rules",
            link=f"https://example.com/{i}",
            snippet=f"Snippet {i} about refund rules.",
        )
        for i in (1, 2, 3)
    ]
    [params] = fake_serpapi.searches
    assert params["engine"] == "google"
    assert params["q"] == "refund rules"
    assert params["num"] == "3"
    assert params["api_key"] == SERPAPI_KEY
    assert SerpApiClient.BACKEND == "https://serpapi.com"  # the library's global is untouched


async def test_results_are_capped_and_results_without_a_link_are_skipped(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi
) -> None:
    fake_serpapi.results = lambda params: [
        {"position": 1, "title": "No link"},
        *({"position": i, "title": f"T{i}", "link": f"https://x.org/{i}"} for i in range(2, 9)),
    ]
    activities = WebSearchActivities(fake_provider_settings)

    output = await ActivityEnvironment().run(activities.search_web, search(engine="bing", num=2))

    assert output.results == [
        WebResult(title="T2", link="https://x.org/2"),
        WebResult(title="T3", link="https://x.org/3"),
    ]
    [params] = fake_serpapi.searches
    assert (params["engine"], params["count"]) == ("bing", "2")


async def test_a_query_without_results_returns_an_empty_list(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi
) -> None:
    fake_serpapi.results = lambda params: []
    activities = WebSearchActivities(fake_provider_settings)

    output = await ActivityEnvironment().run(activities.search_web, search())

    assert output.results == []


async def test_rejected_serpapi_key_fails_at_once(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi
) -> None:
    settings = fake_provider_settings.model_copy(update={"serpapi_api_key": SecretStr("bad")})

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(WebSearchActivities(settings).search_web, search())

    assert caught.value.non_retryable is True
    assert caught.value.type == "ProviderAuthError"
    assert caught.value.message.startswith("serpapi rejected the API key (401): Invalid API key.")


@pytest.mark.parametrize(
    ("status", "error_type"), [(429, "ProviderRateLimited"), (503, "ProviderUnavailable")]
)
async def test_serpapi_rate_limits_and_outages_are_retryable(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi, status: int, error_type: str
) -> None:
    fake_serpapi.script([Failure(status)])

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(
            WebSearchActivities(fake_provider_settings).search_web, search()
        )

    assert caught.value.non_retryable is False
    assert caught.value.type == error_type


async def test_serpapi_timeout_and_refused_connection_are_retryable(
    fake_provider_settings: Settings, fake_serpapi: FakeSerpApi
) -> None:
    fake_serpapi.script([Delay(5)])
    slow = fake_provider_settings.model_copy(update={"provider_timeout_seconds": 0.3})
    down = fake_provider_settings.model_copy(update={"serpapi_base_url": closed_port_url()})

    with pytest.raises(ApplicationError) as timed_out:
        await ActivityEnvironment().run(WebSearchActivities(slow).search_web, search())
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(WebSearchActivities(down).search_web, search())

    assert timed_out.value.message.startswith("serpapi did not answer in time")
    assert refused.value.message.startswith("serpapi could not be reached")
    assert not timed_out.value.non_retryable and not refused.value.non_retryable
    assert "api_key=***" in refused.value.message  # requests quotes the URL, key redacted
    for error in (timed_out.value, refused.value):  # nothing of the key reaches history
        failure = FailureProto()
        DataConverter.default.failure_converter.to_failure(
            error, DataConverter.default.payload_converter, failure
        )
        assert SERPAPI_KEY not in str(failure)


async def test_missing_serpapi_key_fails_at_once(fake_provider_settings: Settings) -> None:
    settings = fake_provider_settings.model_copy(update={"serpapi_api_key": None})

    with pytest.raises(ApplicationError, match="SERPAPI_API_KEY") as caught:
        await ActivityEnvironment().run(WebSearchActivities(settings).search_web, search())

    assert caught.value.non_retryable is True
