"""Logging in, the current user, and creating users (admins only)."""

from fastapi import APIRouter

from api.auth import service
from api.auth.schemas import LoginRequest, TokenResponse, UserCreate, UserOut
from api.core.deps import AdminUser, CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """Exchanges email and password for a bearer token."""
    return service.log_in(session, settings=settings, body=body)


@router.get("/auth/me")
def me(user: CurrentUser) -> UserOut:
    """The logged-in user."""
    return UserOut.model_validate(user, from_attributes=True)


@router.post("/users", status_code=201)
def add_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserOut:
    """Creates a user (administrators only)."""
    return UserOut.model_validate(service.add_user(session, body=body), from_attributes=True)
