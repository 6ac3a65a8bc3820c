"""Logging in and creating users, shared by the routes, the start-up bootstrap and the CLI."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.schemas import LoginRequest, TokenResponse, UserCreate
from api.core.errors import ApiError
from api.core.security import hash_password, issue_token, verify_password
from api.db.models import User
from settings import Settings


def normalise_email(email: str) -> str:
    """The email as stored and looked up: trimmed and lower-cased."""
    return email.strip().lower()


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (normalised), if there is one."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def log_in(session: Session, *, settings: Settings, body: LoginRequest) -> TokenResponse:
    """A bearer token for the email and password; 401 if either is wrong."""
    user = user_by_email(session, body.email)
    if user is None or not verify_password(body.password, user.password_hash):
        raise ApiError(401, "invalid_credentials", "The email or password is wrong")
    return TokenResponse(access_token=issue_token(user.id, settings))


def create_user(session: Session, email: str, password: str, *, is_admin: bool) -> User:
    """Adds a user (caller commits); 409 if the email is taken."""
    email = normalise_email(email)
    if user_by_email(session, email) is not None:
        raise ApiError(409, "conflict", f"a user with email '{email}' already exists")
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin)
    session.add(user)
    return user


def add_user(session: Session, *, body: UserCreate) -> User:
    """Creates and commits the user an administrator asked for; 409 if the email is taken."""
    user = create_user(session, body.email, body.password, is_admin=body.is_admin)
    session.commit()
    return user


def ensure_admin(session: Session, email: str, password: str) -> None:
    """Creates the first admin from settings unless that user already exists."""
    if user_by_email(session, email) is None:
        create_user(session, email, password, is_admin=True)
        session.commit()
