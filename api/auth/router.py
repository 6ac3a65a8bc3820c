"""Logging in and out, the current user, passwords, and creating users (admins only)."""

from fastapi import APIRouter, Response

from api.auth import service
from api.auth.schemas import (
    LoginRequest,
    PasswordChange,
    PasswordReset,
    TokenResponse,
    UserCreate,
    UserOut,
)
from api.core.deps import (
    AdminUser,
    ClientDep,
    CurrentCaller,
    CurrentUser,
    RateLimiterDep,
    SessionDep,
    SettingsDep,
)

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
def login(
    body: LoginRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    client: ClientDep,
) -> TokenResponse:
    """Exchanges email and password for a bearer token of a new login session (429 with
    Retry-After after repeated failures for the account or the address)."""
    return service.log_in(session, settings=settings, limiter=limiter, body=body, client=client)


@router.post("/auth/logout", status_code=204)
def logout(session: SessionDep, caller: CurrentCaller) -> Response:
    """Revokes the login session of the token sent: it is refused from now on."""
    service.log_out(session, caller=caller)
    return Response(status_code=204)


@router.post("/auth/password", status_code=204)
def change_password(
    body: PasswordChange,
    session: SessionDep,
    caller: CurrentCaller,
    limiter: RateLimiterDep,
    client: ClientDep,
) -> Response:
    """Changes your password; every other login session of yours is revoked, this one stays."""
    service.change_password(session, limiter=limiter, caller=caller, body=body, client=client)
    return Response(status_code=204)


@router.get("/auth/me")
async def me(user: CurrentUser) -> UserOut:
    """The logged-in user."""
    return UserOut.model_validate(user, from_attributes=True)


@router.post("/users", status_code=201)
def add_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserOut:
    """Creates a user (administrators only)."""
    return UserOut.model_validate(service.add_user(session, body=body), from_attributes=True)


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(
    user_id: str, body: PasswordReset, session: SessionDep, limiter: RateLimiterDep, _: AdminUser
) -> Response:
    """Sets a user's password (administrators only) and revokes all of that user's sessions."""
    service.reset_password(session, limiter=limiter, user_id=user_id, body=body)
    return Response(status_code=204)
