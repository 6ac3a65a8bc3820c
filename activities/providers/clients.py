"""SDK clients for OpenAI, OpenAI-compatible servers and Gemini, built from the settings.

Clients are created on first use and reused: building one costs ~20 ms (an SSL
context), too much for every activity. An async HTTP connection pool belongs to the
event loop that opened it, so clients are kept per loop; all of a loop's clients share
one ``httpx2`` pool. SDK retries are off everywhere: Temporal owns retries.
"""

import asyncio
import weakref
from dataclasses import dataclass, field

import httpx2
from google import genai
from google.genai import types as genai_types
from openai import AsyncOpenAI

from activities.providers.errors import missing_api_key
from settings import Settings

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"

# OpenAI-compatible servers (Ollama, vLLM) usually ignore the key, but the SDK needs one.
# The worker's OpenAI key is never sent to a URL taken from a graph: anyone who can edit
# a graph could otherwise collect it.
OPENAI_COMPATIBLE_PLACEHOLDER_KEY = "not-needed"


@dataclass
class _LoopClients:
    http: httpx2.AsyncClient
    openai: dict[tuple[str, str], AsyncOpenAI] = field(default_factory=dict)
    gemini: genai.Client | None = None


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
        return self._openai_client(base_url, key.get_secret_value())

    def openai_compatible(self, base_url: str) -> AsyncOpenAI:
        """A client for an OpenAI-compatible server at ``base_url`` (e.g. Ollama's ``/v1``).

        It sends ``OPENAI_COMPATIBLE_API_KEY`` when set (vLLM ``--api-key``, OpenRouter),
        never ``OPENAI_API_KEY``: a graph's author chooses ``base_url``, and must not be
        able to collect the OpenAI key by pointing it at their own server.
        """
        key = self._settings.openai_compatible_api_key
        secret = key.get_secret_value() if key is not None else ""
        return self._openai_client(base_url, secret or OPENAI_COMPATIBLE_PLACEHOLDER_KEY)

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
            options = genai_types.HttpOptions(
                timeout=int(self._settings.provider_timeout_seconds * 1000),
                retry_options=genai_types.HttpRetryOptions(attempts=1),
                httpx_async_client=clients.http,
            )
            if self._settings.gemini_base_url:
                options.base_url = self._settings.gemini_base_url
            clients.gemini = genai.Client(
                api_key=key.get_secret_value(), vertexai=False, http_options=options
            )
        return clients.gemini

    async def aclose(self) -> None:
        """Close the clients of the running event loop (for tests and clean shutdown)."""
        clients = self._by_loop.pop(asyncio.get_running_loop(), None)
        if clients is None:
            return
        # The OpenAI clients own nothing but the shared pool, closed last.
        if clients.gemini is not None:
            await clients.gemini.aio.aclose()
        await clients.http.aclose()

    def _openai_client(self, base_url: str, api_key: str) -> AsyncOpenAI:
        clients = self._loop_clients()
        client = clients.openai.get((base_url, api_key))
        if client is None:
            client = AsyncOpenAI(
                api_key=api_key,
                base_url=base_url,
                max_retries=0,
                timeout=self._settings.provider_timeout_seconds,
                http_client=clients.http,
            )
            clients.openai[(base_url, api_key)] = client
        return client

    def _loop_clients(self) -> _LoopClients:
        loop = asyncio.get_running_loop()
        clients = self._by_loop.get(loop)
        if clients is None:
            http = httpx2.AsyncClient(timeout=self._settings.provider_timeout_seconds)
            clients = self._by_loop[loop] = _LoopClients(http=http)
        return clients
