"""Logging in, the current user, and creating users (admins only)."""

from fastapi import APIRouter
from sqlalchemy import select

from api.auth.schemas import LoginRequest, TokenResponse, UserCreate, UserOut
from api.auth.service import create_user, normalise_email
from api.core.deps import AdminUser, CurrentUser, SessionDep, SettingsDep
from api.core.errors import ApiError
from api.core.security import issue_token, verify_password
from api.db.models import User

router = APIRouter(tags=["auth"])


@router.post("/auth/login")
def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    """Exchanges email and password for a bearer token."""
    user = session.scalar(select(User).where(User.email == normalise_email(body.email)))
    if user is None or not verify_password(body.password, user.password_hash):
        raise ApiError(401, "invalid_credentials", "The email or password is wrong")
    return TokenResponse(access_token=issue_token(user.id, settings))


@router.get("/auth/me")
def me(user: CurrentUser) -> UserOut:
    """The logged-in user."""
    return UserOut.model_validate(user, from_attributes=True)


@router.post("/users", status_code=201)
def add_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserOut:
    """Creates a user (administrators only)."""
    user = create_user(session, body.email, body.password, is_admin=body.is_admin)
    session.commit()
    return UserOut.model_validate(user, from_attributes=True)
