"""Request dependencies: settings, a database session, the current user, the Temporal client."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from temporalio.client import Client

from api.core.errors import ApiError
from api.core.security import read_token
from api.core.temporal import TemporalConnector
from api.db.models import User
from api.db.session import session_scope
from settings import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(session_scope)]

_bearer = HTTPBearer(auto_error=False)


def current_user(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user named by a valid bearer token; 401 otherwise."""
    if credentials is None:
        raise ApiError(401, "unauthorized", "Log in first: send 'Authorization: Bearer <token>'")
    user_id = read_token(credentials.credentials, settings)
    user = session.get(User, user_id) if user_id else None
    if user is None:
        raise ApiError(401, "unauthorized", "The access token is invalid or has expired")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ApiError(403, "forbidden", "Only an administrator can do this")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


def temporal_connector(request: Request) -> TemporalConnector:
    connector: TemporalConnector = request.app.state.temporal
    return connector


TemporalConnectorDep = Annotated[TemporalConnector, Depends(temporal_connector)]


async def temporal_client(connector: TemporalConnectorDep) -> Client:
    return await connector.client()


TemporalDep = Annotated[Client, Depends(temporal_client)]


async def optional_temporal_client(connector: TemporalConnectorDep) -> Client | None:
    """The Temporal client, or None while Temporal is unreachable (answer from the database)."""
    try:
        return await connector.client()
    except ApiError:
        return None


OptionalTemporalDep = Annotated[Client | None, Depends(optional_temporal_client)]
