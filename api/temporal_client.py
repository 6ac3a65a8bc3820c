"""The API's connection to Temporal, made on first use so the API starts without it."""

import asyncio

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from api.errors import ApiError
from settings import Settings


class TemporalConnector:
    """Connects once, lazily; a failed connection is retried on the next request."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await Client.connect(
                        self._settings.temporal_address,
                        namespace=self._settings.temporal_namespace,
                        data_converter=pydantic_data_converter,
                    )
                except Exception as exc:  # connection refused, DNS, TLS...
                    raise ApiError(
                        503,
                        "temporal_unavailable",
                        f"Temporal at {self._settings.temporal_address} is unreachable: {exc}",
                    ) from exc
        return self._client
