"""Provider connections: administrators define them, graphs name them, runs use them.

A connection's URL passes the SSRF guard when it is saved (form, and every address it
resolves to) and again on every call from the worker. Its key is encrypted with the
connection keyring and never leaves the server in a response, plan, payload or log.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from activities.providers.connection_keys import ConnectionKeyError, ConnectionKeyring
from activities.providers.connections import (
    RESERVED_NAMES,
    ConnectionSource,
    ResolvedConnection,
    environment_connections,
)
from activities.providers.url_guard import AddressPolicy, UrlRefused, check_url
from api.connections.schemas import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionUpdate,
    KeyRotationOut,
)
from api.core.errors import ApiError, not_found
from api.db.models import ProviderConnection, User
from settings import Settings
from workflows.components import LlmProvider


def list_connections(session: Session, *, user: User, settings: Settings) -> list[ConnectionOut]:
    """The environment's connections, then the administrators', by name."""
    rows = session.scalars(select(ProviderConnection).order_by(ProviderConnection.name))
    return [
        *(_environment_out(c, user) for c in environment_connections(settings).values()),
        *(_row_out(row, user) for row in rows),
    ]


def get_connection(session: Session, *, user: User, settings: Settings, name: str) -> ConnectionOut:
    """One connection by name, or 404."""
    env = environment_connections(settings).get(name)
    if env is not None:
        return _environment_out(env, user)
    return _row_out(_row(session, name), user)


def create_connection(
    session: Session, *, user: User, settings: Settings, body: ConnectionCreate
) -> ConnectionOut:
    """Adds a connection; 409 if the name is taken, 422 if its URL is refused."""
    if body.name in RESERVED_NAMES:
        raise ApiError(
            409, "conflict", f"'{body.name}' is the name of a connection the environment defines"
        )
    base_url = _checked_url(body.provider, body.base_url, body.allow_private_network)
    row = ProviderConnection(
        name=body.name,
        provider=body.provider.value,
        base_url=base_url,
        key_ciphertext=_encrypt(settings, body.api_key.get_secret_value())
        if body.api_key
        else None,
        models=list(body.models),
        allow_private_network=body.allow_private_network,
        description=body.description,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "conflict", f"a connection named '{body.name}' exists") from None
    return _row_out(row, user)


def update_connection(
    session: Session, *, user: User, settings: Settings, name: str, body: ConnectionUpdate
) -> ConnectionOut:
    """Changes a connection's URL, key, models or network permission (URL checked again)."""
    row = _admin_row(session, settings, name)
    fields = body.model_fields_set
    allow_private = (
        body.allow_private_network
        if body.allow_private_network is not None
        else row.allow_private_network
    )
    base_url = body.base_url if "base_url" in fields else row.base_url
    row.base_url = _checked_url(LlmProvider(row.provider), base_url, allow_private)
    row.allow_private_network = allow_private
    if "api_key" in fields:
        row.key_ciphertext = (
            _encrypt(settings, body.api_key.get_secret_value()) if body.api_key else None
        )
    if body.models is not None:
        row.models = list(body.models)
    if body.description is not None:
        row.description = body.description
    session.commit()
    return _row_out(row, user)


def delete_connection(session: Session, *, settings: Settings, name: str) -> None:
    """Removes a connection; graphs naming it then report the missing connection."""
    session.delete(_admin_row(session, settings, name))
    session.commit()


def rotate_keys(session: Session, *, settings: Settings) -> KeyRotationOut:
    """Re-encrypts every stored key under the first ``CONNECTION_ENCRYPTION_KEYS`` key."""
    keyring = ConnectionKeyring(settings)
    rows = list(
        session.scalars(
            select(ProviderConnection).where(ProviderConnection.key_ciphertext.is_not(None))
        )
    )
    try:
        for row in rows:
            row.key_ciphertext = keyring.rotate(row.key_ciphertext or "")
    except ConnectionKeyError as error:
        session.rollback()
        raise ApiError(409, "key_not_decryptable", str(error)) from None
    session.commit()
    return KeyRotationOut(rotated=len(rows))


def find_connection(session: Session, settings: Settings, name: str) -> ResolvedConnection | None:
    """The connection ``name`` as a run would use it, without its key (for compiling)."""
    env = environment_connections(settings).get(name)
    if env is not None:
        return env
    row = session.scalar(select(ProviderConnection).where(ProviderConnection.name == name))
    return _resolved(row) if row else None


def connection_for_url(session: Session, url: str) -> ResolvedConnection | None:
    """The openai-compatible connection with this base URL (graphs from before connections)."""
    row = session.scalar(
        select(ProviderConnection)
        .where(
            ProviderConnection.provider == LlmProvider.OPENAI_COMPATIBLE.value,
            ProviderConnection.base_url == url.rstrip("/"),
        )
        .order_by(ProviderConnection.created_at)
    )
    return _resolved(row) if row else None


def _resolved(row: ProviderConnection) -> ResolvedConnection:
    return ResolvedConnection(
        name=row.name,
        provider=LlmProvider(row.provider),
        base_url=row.base_url,
        source=ConnectionSource.ADMINISTRATOR,
        models=tuple(row.models or ()),
        allow_private_network=row.allow_private_network,
    )


def _checked_url(provider: LlmProvider, url: str | None, allow_private: bool) -> str | None:
    if not url:
        if provider == LlmProvider.OPENAI_COMPATIBLE:
            raise ApiError(
                422,
                "validation_error",
                "base_url is required for an openai-compatible connection",
                {"field": "base_url"},
            )
        return None
    try:
        return check_url(url, AddressPolicy(allow_private_network=allow_private))
    except UrlRefused as refused:
        raise ApiError(
            422, "url_not_allowed", f"base_url is refused: {refused}", {"field": "base_url"}
        ) from None


def _encrypt(settings: Settings, secret: str) -> str:
    return ConnectionKeyring(settings).encrypt(secret)


def _row(session: Session, name: str) -> ProviderConnection:
    row = session.scalar(select(ProviderConnection).where(ProviderConnection.name == name))
    if row is None:
        raise not_found("connection", name)
    return row


def _admin_row(session: Session, settings: Settings, name: str) -> ProviderConnection:
    if name in environment_connections(settings):
        raise ApiError(
            409,
            "conflict",
            f"connection '{name}' is defined by the environment; change the server's settings",
        )
    return _row(session, name)


def _environment_out(connection: ResolvedConnection, user: User) -> ConnectionOut:
    return ConnectionOut(
        name=connection.name,
        provider=connection.provider,
        source=ConnectionSource.ENVIRONMENT,
        base_url=connection.base_url if user.is_admin else None,
        has_key=bool(connection.api_key),
        models=list(connection.models),
        allow_private_network=True,
        description="Defined by the server's environment.",
    )


def _row_out(row: ProviderConnection, user: User) -> ConnectionOut:
    return ConnectionOut(
        name=row.name,
        provider=LlmProvider(row.provider),
        source=ConnectionSource.ADMINISTRATOR,
        base_url=row.base_url if user.is_admin else None,
        has_key=row.key_ciphertext is not None,
        models=list(row.models or []),
        allow_private_network=row.allow_private_network,
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
