"""The SSRF guard: every address class refused in every spelling, at save and at call."""

import httpx2
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.providers.clients import GuardedTransport, ProviderClients
from activities.providers.url_guard import AddressPolicy, UrlRefused, check_url
from settings import Settings
from tests.support.activity_inputs import answer_input
from tests.support.connections import add_connection, set_private_network
from tests.support.fakes.listener import listener
from workflows.components import LlmProvider

DENY = AddressPolicy(allow_private_network=False)
LOCAL_OK = AddressPolicy(allow_private_network=True)

# (URL, the class the refusal names): loopback and private ones open to an administrator's
# "allow private network"; the others never.
PRIVATE = [
    ("http://127.0.0.1:11434/v1", "loopback"),
    ("http://localhost:11434/v1", "loopback"),  # a DNS name resolving to loopback
    ("http://2130706433/v1", "loopback"),  # 127.0.0.1 as one integer
    ("http://0x7f.1/v1", "loopback"),  # hex and short form
    ("http://0177.0.0.1/v1", "loopback"),  # octal
    ("http://[::1]:8000/v1", "loopback"),
    ("http://[::ffff:127.0.0.1]/v1", "loopback"),  # IPv4-mapped IPv6
    ("http://[64:ff9b::7f00:1]/v1", "loopback"),  # NAT64
    ("http://[2002:7f00:1::]/v1", "loopback"),  # 6to4
    ("http://10.1.2.3/v1", "private"),
    ("http://172.16.0.9/v1", "private"),
    ("http://192.168.1.20:8000/v1", "private"),
    ("http://100.64.0.1/v1", "private"),  # shared address space
    ("http://[fd12:3456::1]/v1", "private"),
]
NEVER = [
    ("http://169.254.169.254/latest/meta-data", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://100.100.100.200/", "metadata"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://0.0.0.0:8233/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
]
MALFORMED = [
    ("http://user:secret@api.example.com/v1", "credentials"),
    ("http://@127.0.0.1/v1", "credentials"),
    ("http://api.example.com/v1?key=1", "query"),
    ("http://api.example.com/v1#x", "query or fragment"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
    ("http://exa mple.com/", "spaces or control characters"),
    ("http://api.example.com:99999/", "malformed"),
    ("http:///v1", "no host"),
    ("http://no-such-host.invalid/v1", "does not resolve"),
]


@pytest.mark.parametrize(("url", "kind"), PRIVATE + NEVER)
def test_a_non_public_address_is_refused_by_default(url: str, kind: str) -> None:
    with pytest.raises(UrlRefused, match=f"is a {kind} address"):
        check_url(url, DENY)


@pytest.mark.parametrize(("url", "kind"), PRIVATE)
def test_an_administrator_can_open_loopback_and_private_networks(url: str, kind: str) -> None:
    assert check_url(url, LOCAL_OK) == url.rstrip("/")


@pytest.mark.parametrize(("url", "kind"), NEVER)
def test_metadata_link_local_unspecified_and_multicast_stay_closed(url: str, kind: str) -> None:
    with pytest.raises(UrlRefused, match=f"is a {kind} address"):
        check_url(url, LOCAL_OK)


@pytest.mark.parametrize(("url", "reason"), MALFORMED)
def test_urls_with_credentials_queries_or_other_schemes_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=reason):
        check_url(url, LOCAL_OK)


def test_a_public_address_passes() -> None:
    assert check_url("https://8.8.8.8/v1/", DENY) == "https://8.8.8.8/v1"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"])
async def test_the_guarded_pool_never_connects_to_a_refused_address(host: str) -> None:
    """The call-time layer: whatever the URL was when saved, no connection is opened."""
    with listener() as target:
        port = target.url.rsplit(":", 1)[1]
        async with httpx2.AsyncClient(transport=GuardedTransport(DENY)) as client:
            with pytest.raises(httpx2.ConnectError, match="loopback address"):
                await client.post(
                    f"http://{host}:{port}/v1/chat/completions",
                    headers={"Authorization": "Bearer server-held-key"},
                )
        assert target.received == []


async def test_the_guarded_pool_reaches_an_allowed_private_address_and_no_redirect() -> None:
    with listener(status=302, page="moved") as target:
        async with httpx2.AsyncClient(transport=GuardedTransport(LOCAL_OK)) as client:
            reply = await client.get(f"{target.url}/v1/models")
        assert reply.status_code == 302  # answered, and not followed
        assert len(target.received) == 1


async def test_a_connection_whose_host_now_resolves_to_loopback_is_refused_at_call_time(
    fake_provider_settings: Settings,
) -> None:
    """Saved while allowed, then (as after a DNS change) no longer: the run's LLM step fails
    at once, and neither a request nor the connection's key reaches the address."""
    with listener() as target:
        add_connection(
            fake_provider_settings,
            name="moved",
            provider="openai-compatible",
            base_url=f"{target.url}/v1",
            api_key="connection-secret",
            allow_private_network=True,
        )
        set_private_network(fake_provider_settings, "moved", allowed=False)
        clients = ProviderClients(fake_provider_settings)
        try:
            with pytest.raises(ApplicationError) as caught:
                await ActivityEnvironment().run(
                    AnswerActivities(fake_provider_settings, clients=clients).generate_answer,
                    answer_input(provider=LlmProvider.OPENAI_COMPATIBLE, connection="moved"),
                )
        finally:
            await clients.aclose()
        assert target.received == []

    assert caught.value.non_retryable is True
    assert "connection 'moved' is refused: 127.0.0.1 is a loopback address" in str(caught.value)
