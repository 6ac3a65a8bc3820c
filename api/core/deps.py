"""Request dependencies: settings, a database session, the caller (authenticated and counted
against its quotas), the Temporal client."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from temporalio.client import Client

from api.core.api_key_auth import authenticate_key, looks_like_key
from api.core.errors import ApiError
from api.core.rate_limits import RateLimiter, limiter_for
from api.core.route_access import SCOPE_ALLOWS, KeyScope, Need, need_for
from api.core.security import read_token
from api.core.temporal import TemporalConnector
from api.db.models import AuthSession, User
from api.db.session import session_scope
from settings import Settings, get_settings
from telemetry.log_context import annotate

SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(session_scope)]

_bearer = HTTPBearer(auto_error=False)

# Built once (each request only binds its values): the user of a token, if its login
# session is neither revoked nor expired.
_USER_OF_LIVE_SESSION = (
    select(User)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        AuthSession.id == bindparam("session_id"),
        User.id == bindparam("user_id"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > bindparam("now"),
    )
)


async def rate_limiter(settings: SettingsDep) -> RateLimiter:
    """Quotas and log-in throttling as the settings describe them (api/core/rate_limits.py)."""
    return limiter_for(settings)


RateLimiterDep = Annotated[RateLimiter, Depends(rate_limiter)]


@dataclass(frozen=True)
class Caller:
    """Who makes a request: the user, the principal quotas are counted for, and the login
    session or the API key it came with."""

    user: User
    principal: str  # "user:<id>" for a login, "key:<id>" for an API key
    session_id: str | None  # the login session of a bearer token
    api_key_id: str | None = None


def current_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller of a valid bearer token whose login session holds, or of a live API key
    whose scope allows this route (401 / 403 otherwise), with the call counted against its
    API quota (429 when spent)."""
    if credentials is None:
        raise ApiError(401, "unauthorized", "Log in first: send 'Authorization: Bearer <token>'")
    caller = authenticate(
        session,
        settings,
        credentials.credentials,
        need_for(request.method, request.scope["path"]),
        request.client.host if request.client else None,
    )
    annotate(user_id=caller.user.id)  # on this request's log lines, the access line too
    limiter.charge("api", caller.principal)
    # End the read: a request holds a pooled connection only while it queries, not while
    # it waits (for Temporal, a thread, a stream) between its queries.
    session.commit()
    return caller


def authenticate(
    session: Session,
    settings: Settings,
    credential: str,
    need: Need | None,
    client_address: str | None,
) -> Caller:
    """The caller of a login token whose session holds, or of a live API key whose scope
    allows ``need`` (401 / 403 otherwise). Used by every route, and by the chat's
    WebSocket, whose token arrives in its first frame."""
    if looks_like_key(credential):
        return _key_caller(session, credential, need, client_address)
    claims = read_token(credential, settings)
    user = None
    if claims is not None:
        now = datetime.now(UTC)
        values = {"session_id": claims.session_id, "user_id": claims.user_id, "now": now}
        user = session.scalars(_USER_OF_LIVE_SESSION, values).first()
    if claims is None or user is None:
        raise ApiError(401, "unauthorized", "The access token is invalid, expired or revoked")
    return Caller(user=user, principal=f"user:{user.id}", session_id=claims.session_id)


def _key_caller(
    session: Session, credential: str, need: Need | None, client_address: str | None
) -> Caller:
    """The caller of an API key, if it is live and its scope allows ``need``."""
    found = authenticate_key(session, credential, client_address[:64] if client_address else None)
    if found is None:
        raise ApiError(401, "unauthorized", "The API key is invalid, expired or revoked")
    key, user = found
    scope = KeyScope(key.scope)
    if need is None or need not in SCOPE_ALLOWS[scope]:
        what = "a login" if need is Need.ACCOUNT else f"a key with scope {_scope_for(need)}"
        raise ApiError(
            403,
            "forbidden",
            f"This API key's scope ({scope.value}) does not allow this request; it needs {what}",
            {"scope": scope.value, "needs": need.value if need else None},
        )
    return Caller(user=user, principal=f"key:{key.id}", session_id=None, api_key_id=key.id)


def _scope_for(need: Need | None) -> str:
    allowing = [s.value for s, needs in SCOPE_ALLOWS.items() if need in needs]
    return allowing[0] if allowing else "none"


CurrentCaller = Annotated[Caller, Depends(current_caller)]


async def current_user(caller: CurrentCaller) -> User:
    """The user making the request (see ``current_caller``)."""
    return caller.user


CurrentUser = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ApiError(403, "forbidden", "Only an administrator can do this")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


@dataclass(frozen=True)
class ClientInfo:
    """Where a request comes from (behind a proxy, run uvicorn with ``--proxy-headers``)."""

    address: str
    user_agent: str | None


async def client_info(request: Request) -> ClientInfo:
    address = request.client.host if request.client else "unknown"
    user_agent = request.headers.get("user-agent")
    return ClientInfo(address=address[:64], user_agent=user_agent[:200] if user_agent else None)


ClientDep = Annotated[ClientInfo, Depends(client_info)]


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


def _quota(name: str) -> Callable[..., Iterator[None]]:
    def charge(caller: CurrentCaller, limiter: RateLimiterDep) -> Iterator[None]:
        with limiter.quota(name, caller.principal):
            yield

    charge.__name__ = f"{name}_quota"
    return charge


# Route dependencies: ``@router.post(..., dependencies=[ExecutionQuota])``. One call is
# counted before the route runs (429 with Retry-After when the quota is spent) and given
# back if the route refuses the request (4xx, including an invalid body) or cannot reach a
# dependency (503). Later code can count other principals with RateLimiter.charge.
ExecutionQuota = Depends(_quota("execution"), scope="function")
UploadQuota = Depends(_quota("upload"), scope="function")
