"""SDK clients for OpenAI, OpenAI-compatible servers and Gemini, built from the settings
(embeddings) or from a provider connection (a run's LLM step).

Clients are created on first use and reused: building one costs ~20 ms (an SSL
context), too much for every activity. An async HTTP connection pool belongs to the
event loop that opened it, so clients are kept per loop; all of a loop's clients for
environment connections share one ``httpx2`` pool, and an administrator connection's
clients share a pool whose every connection passes the SSRF guard (``url_guard``):
no redirects. Neither pool takes a proxy from the environment. SDK retries are off
everywhere: Temporal owns retries. With tracing on, each request is a client span
(``telemetry/http_spans.py``).
"""

import asyncio
import weakref
from dataclasses import dataclass, field

import httpcore2
import httpx2
from google import genai
from google.genai import types as genai_types
from openai import AsyncOpenAI

from activities.providers.connections import OPENAI_DEFAULT_BASE_URL, ResolvedConnection
from activities.providers.errors import missing_api_key
from activities.providers.url_guard import AddressPolicy, GuardedNetworkBackend
from settings import Settings
from telemetry.http_spans import TracedTransport
from workflows.components import LlmProvider

# OpenAI-compatible servers (Ollama, vLLM) usually ignore the key, but the SDK needs one.
OPENAI_COMPATIBLE_PLACEHOLDER_KEY = "not-needed"


class GuardedTransport(httpx2.AsyncHTTPTransport):
    """An ``httpx2`` transport whose connections pass ``GuardedNetworkBackend``."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(trust_env=False)  # a proxy from the environment would bypass it
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False),
            network_backend=GuardedNetworkBackend(policy),
        )


@dataclass
class _LoopClients:
    http: httpx2.AsyncClient
    guarded: dict[AddressPolicy, httpx2.AsyncClient] = field(default_factory=dict)
    openai: dict[tuple[str, str, AddressPolicy | None], AsyncOpenAI] = field(default_factory=dict)
    gemini: genai.Client | None = None
    gemini_by_connection: dict[tuple[str | None, str, AddressPolicy | None], genai.Client] = field(
        default_factory=dict
    )


class ProviderClients:
    """Per-process factory of provider SDK clients configured from ``Settings``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = (
            weakref.WeakKeyDictionary()
        )

    def openai(self) -> AsyncOpenAI:
        """The OpenAI client (``settings.openai_base_url`` or the public API).

        Raises:
            ApplicationError: Non-retryable, when ``OPENAI_API_KEY`` is not set.
        """
        key = self._settings.openai_api_key
        if key is None or not key.get_secret_value():
            raise missing_api_key("openai", "OPENAI_API_KEY")
        base_url = self._settings.openai_base_url or OPENAI_DEFAULT_BASE_URL
        return self._openai_client(base_url, key.get_secret_value(), None)

    def openai_for(self, connection: ResolvedConnection) -> AsyncOpenAI:
        """A client for an OpenAI or OpenAI-compatible connection, with its own key only.

        Raises:
            ApplicationError: Non-retryable, when an ``openai`` connection has no key.
        """
        key = connection.api_key
        if not key:
            if connection.provider == LlmProvider.OPENAI:
                raise missing_api_key(connection.name, _key_hint(connection))
            key = OPENAI_COMPATIBLE_PLACEHOLDER_KEY
        base_url = connection.base_url or OPENAI_DEFAULT_BASE_URL
        return self._openai_client(base_url, key, connection.policy)

    def gemini_for(self, connection: ResolvedConnection) -> genai.Client:
        """A client for a Gemini connection.

        Raises:
            ApplicationError: Non-retryable, when the connection has no key.
        """
        if not connection.api_key:
            raise missing_api_key(connection.name, _key_hint(connection))
        clients = self._loop_clients()
        cache_key = (connection.base_url, connection.api_key, connection.policy)
        client = clients.gemini_by_connection.get(cache_key)
        if client is None:
            client = self._gemini_client(
                connection.api_key, connection.base_url, self._http(connection.policy)
            )
            clients.gemini_by_connection[cache_key] = client
        return client

    def gemini(self) -> genai.Client:
        """The Gemini client (``settings.gemini_base_url`` when set).

        Raises:
            ApplicationError: Non-retryable, when ``GEMINI_API_KEY`` is not set.
        """
        key = self._settings.gemini_api_key
        if key is None or not key.get_secret_value():
            raise missing_api_key("gemini", "GEMINI_API_KEY")
        clients = self._loop_clients()
        if clients.gemini is None:
            clients.gemini = self._gemini_client(
                key.get_secret_value(), self._settings.gemini_base_url, clients.http
            )
        return clients.gemini

    async def aclose(self) -> None:
        """Close the clients of the running event loop (for tests and clean shutdown)."""
        clients = self._by_loop.pop(asyncio.get_running_loop(), None)
        if clients is None:
            return
        # The OpenAI clients own nothing but the shared pools, closed last.
        for gemini in [clients.gemini, *clients.gemini_by_connection.values()]:
            if gemini is not None:
                await gemini.aio.aclose()
        for http in [clients.http, *clients.guarded.values()]:
            await http.aclose()

    def _gemini_client(
        self, api_key: str, base_url: str | None, http: httpx2.AsyncClient
    ) -> genai.Client:
        options = genai_types.HttpOptions(
            timeout=int(self._settings.provider_timeout_seconds * 1000),
            retry_options=genai_types.HttpRetryOptions(attempts=1),
            httpx_async_client=http,
        )
        if base_url:
            options.base_url = base_url
        return genai.Client(api_key=api_key, vertexai=False, http_options=options)

    def _openai_client(
        self, base_url: str, api_key: str, policy: AddressPolicy | None
    ) -> AsyncOpenAI:
        clients = self._loop_clients()
        cache_key = (base_url, api_key, policy)
        client = clients.openai.get(cache_key)
        if client is None:
            client = AsyncOpenAI(
                api_key=api_key,
                base_url=base_url,
                max_retries=0,
                timeout=self._settings.provider_timeout_seconds,
                http_client=self._http(policy),
            )
            clients.openai[cache_key] = client
        return client

    def _http(self, policy: AddressPolicy | None) -> httpx2.AsyncClient:
        """The loop's shared pool, or the guarded pool of ``policy``."""
        clients = self._loop_clients()
        if policy is None:
            return clients.http
        http = clients.guarded.get(policy)
        if http is None:
            http = clients.guarded[policy] = httpx2.AsyncClient(
                transport=self._traced(GuardedTransport(policy)),
                timeout=self._settings.provider_timeout_seconds,
                follow_redirects=False,
                trust_env=False,
            )
        return http

    def _loop_clients(self) -> _LoopClients:
        loop = asyncio.get_running_loop()
        clients = self._by_loop.get(loop)
        if clients is None:
            http = httpx2.AsyncClient(
                timeout=self._settings.provider_timeout_seconds,
                transport=self._traced(httpx2.AsyncHTTPTransport()),
            )
            clients = self._by_loop[loop] = _LoopClients(http=http)
        return clients

    def _traced(self, transport: httpx2.AsyncBaseTransport) -> httpx2.AsyncBaseTransport:
        """``transport``, with a client span per request when tracing is on."""
        return TracedTransport(transport) if self._settings.tracing_enabled else transport


def _key_hint(connection: ResolvedConnection) -> str:
    """Where the missing key is set, for the error message."""
    if connection.source == "environment":
        return {
            LlmProvider.OPENAI: "OPENAI_API_KEY",
            LlmProvider.GEMINI: "GEMINI_API_KEY",
            LlmProvider.OPENAI_COMPATIBLE: "OPENAI_COMPATIBLE_API_KEY",
        }[connection.provider]
    return f"the key of connection '{connection.name}'"
