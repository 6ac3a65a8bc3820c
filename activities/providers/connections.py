"""Provider connections: a named provider, base URL, key and allowed models.

Graphs name a connection; they never carry a URL or a key. Two kinds exist:

- **environment connections**, from the worker's settings: ``openai`` (``OPENAI_API_KEY``,
  ``OPENAI_BASE_URL``), ``gemini`` (``GEMINI_API_KEY``, ``GEMINI_BASE_URL``) and, when
  ``OPENAI_COMPATIBLE_BASE_URL`` is set, ``openai-compatible``. The operator chose their
  URLs, so they are not address-checked.
- **administrator connections**, rows of ``provider_connections`` written by the API
  (``/api/v1/connections``) with the key encrypted (``connection_keys``). Their URL was
  checked when saved and is checked again on every connection (``url_guard``).

The worker reads the row by name when a step runs, so a key changed by an administrator
applies to the next call, and the key never travels in a plan or payload.
"""

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

import sqlalchemy as sa

from activities.providers.connection_keys import ConnectionKeyring
from activities.providers.url_guard import AddressPolicy
from activities.storage.database import shared_engine
from settings import Settings
from workflows.components import LlmProvider

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"

# The table as the worker reads it (api/db/models.py ProviderConnection defines it).
CONNECTIONS_TABLE = sa.table(
    "provider_connections",
    sa.column("name", sa.String),
    sa.column("provider", sa.String),
    sa.column("base_url", sa.String),
    sa.column("key_ciphertext", sa.Text),
    sa.column("models", sa.JSON),
    sa.column("allow_private_network", sa.Boolean),
)


class ConnectionSource(StrEnum):
    ENVIRONMENT = "environment"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class ResolvedConnection:
    """A connection ready to call; ``api_key`` is the decrypted secret (never logged)."""

    name: str
    provider: LlmProvider
    base_url: str | None
    source: ConnectionSource
    api_key: str | None = field(default=None, repr=False)
    models: tuple[str, ...] = ()
    allow_private_network: bool = False

    @property
    def policy(self) -> AddressPolicy | None:
        """The address policy of its calls; None for environment connections (trusted)."""
        if self.source is ConnectionSource.ENVIRONMENT:
            return None
        return AddressPolicy(allow_private_network=self.allow_private_network)

    def allows_model(self, model: str) -> bool:
        """Whether ``model`` may be used (an empty list allows every model)."""
        return not self.models or model in self.models


def environment_connections(settings: Settings) -> dict[str, ResolvedConnection]:
    """The connections the environment defines, by name."""
    env = ConnectionSource.ENVIRONMENT

    def secret(value: object) -> str | None:
        get = getattr(value, "get_secret_value", None)
        return (get() or None) if get else None

    found = {
        "openai": ResolvedConnection(
            name="openai",
            provider=LlmProvider.OPENAI,
            base_url=settings.openai_base_url or OPENAI_DEFAULT_BASE_URL,
            source=env,
            api_key=secret(settings.openai_api_key),
        ),
        "gemini": ResolvedConnection(
            name="gemini",
            provider=LlmProvider.GEMINI,
            base_url=settings.gemini_base_url,
            source=env,
            api_key=secret(settings.gemini_api_key),
        ),
    }
    if settings.openai_compatible_base_url:
        found["openai-compatible"] = ResolvedConnection(
            name="openai-compatible",
            provider=LlmProvider.OPENAI_COMPATIBLE,
            base_url=settings.openai_compatible_base_url,
            source=env,
            api_key=secret(settings.openai_compatible_api_key),
        )
    return found


# Names an administrator connection cannot take.
RESERVED_NAMES = frozenset({"openai", "gemini", "openai-compatible"})


class ConnectionStore:
    """Finds a connection by name: the environment's first, then the database's."""

    def __init__(self, settings: Settings, engine: sa.Engine | None = None) -> None:
        self._settings = settings
        self._engine = engine

    @cached_property
    def _keyring(self) -> ConnectionKeyring:
        return ConnectionKeyring(self._settings)

    @cached_property
    def _db(self) -> sa.Engine:
        return self._engine or shared_engine(self._settings.sqlalchemy_url)

    async def get(self, name: str) -> ResolvedConnection | None:
        """The connection called ``name``, or None."""
        found = environment_connections(self._settings).get(name)
        if found is not None:
            return found
        return await asyncio.to_thread(self._from_database, name)

    def _from_database(self, name: str) -> ResolvedConnection | None:
        t = CONNECTIONS_TABLE
        with self._db.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.name == name)).mappings().first()
        if row is None:
            return None
        ciphertext = row["key_ciphertext"]
        return ResolvedConnection(
            name=row["name"],
            provider=LlmProvider(row["provider"]),
            base_url=row["base_url"],
            source=ConnectionSource.ADMINISTRATOR,
            api_key=self._keyring.decrypt(ciphertext) if ciphertext else None,
            models=tuple(row["models"] or ()),
            allow_private_network=bool(row["allow_private_network"]),
        )
