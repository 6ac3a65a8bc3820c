"""Logging in and out, passwords, and creating users (shared by the routes, the start-up
bootstrap and the CLI)."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.orm import Session

from api.auth.schemas import (
    LoginRequest,
    PasswordChange,
    PasswordReset,
    TokenResponse,
    UserCreate,
)
from api.core.deps import Caller, ClientInfo
from api.core.errors import ApiError, not_found
from api.core.rate_limits import RateLimiter
from api.core.security import (
    hash_password,
    issue_token,
    token_expiry,
    verify_login,
    verify_password,
)
from api.db.models import AuthSession, User
from api.workspaces.service import create_personal_workspace
from settings import Settings


def normalise_email(email: str) -> str:
    """The email as stored and looked up: trimmed and lower-cased."""
    return email.strip().lower()


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email (normalised), if there is one."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def log_in(
    session: Session,
    *,
    settings: Settings,
    limiter: RateLimiter,
    body: LoginRequest,
    client: ClientInfo,
) -> TokenResponse:
    """A bearer token for a new login session; 401 if the email or password is wrong, 429
    while the account or the client's address is throttled.

    An unknown email costs the same scrypt as a known one and is throttled the same way, so
    neither the time nor the answer says whether an account exists."""
    email = normalise_email(body.email)
    limiter.begin_login(email, client.address)
    user = user_by_email(session, email)
    if not verify_login(body.password, user.password_hash if user else None) or user is None:
        raise ApiError(401, "invalid_credentials", "The email or password is wrong")
    limiter.login_succeeded(email, client.address)
    return TokenResponse(access_token=_start_session(session, user, settings, client))


def _start_session(session: Session, user: User, settings: Settings, client: ClientInfo) -> str:
    """Records a login session (forgetting the user's ended ones) and returns its token."""
    now = datetime.now(UTC)
    session.execute(
        delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.expires_at < now)
    )
    login = AuthSession(
        id=secrets.token_hex(16),
        user_id=user.id,
        created_at=now,
        expires_at=token_expiry(settings),
        user_agent=client.user_agent,
        client_address=client.address,
    )
    session.add(login)
    session.commit()
    return issue_token(user.id, login.id, login.expires_at, settings)


def log_out(session: Session, *, caller: Caller) -> None:
    """Revokes the caller's login session: its token is refused from now on."""
    if caller.session_id is None:
        raise ApiError(409, "no_session", "Only a login session can log out")
    _revoke(session, AuthSession.id == caller.session_id)
    session.commit()


def change_password(
    session: Session,
    *,
    limiter: RateLimiter,
    caller: Caller,
    body: PasswordChange,
    client: ClientInfo,
) -> None:
    """Sets a new password after checking the current one (403 ``wrong_password``; throttled
    like a log-in) and revokes every other login session of the user; this one stays."""
    user = caller.user
    limiter.begin_login(user.email, client.address)
    if not verify_password(body.current_password, user.password_hash):
        raise ApiError(403, "wrong_password", "The current password is wrong")
    limiter.login_succeeded(user.email, client.address)
    user.password_hash = hash_password(body.new_password)
    others = AuthSession.user_id == user.id
    if caller.session_id is not None:
        others = and_(others, AuthSession.id != caller.session_id)
    _revoke(session, others)
    session.commit()


def reset_password(
    session: Session, *, limiter: RateLimiter, user_id: str, body: PasswordReset
) -> None:
    """An administrator sets a user's password: every login session of that user is revoked
    and the account's failed log-ins are forgotten; 404 if there is no such user."""
    user = session.get(User, user_id)
    if user is None:
        raise not_found("user", user_id)
    user.password_hash = hash_password(body.new_password)
    _revoke(session, AuthSession.user_id == user.id)
    session.commit()
    limiter.forget_account(user.email)


def _revoke(session: Session, which: ColumnElement[bool]) -> None:
    session.execute(
        update(AuthSession)
        .where(which, AuthSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def create_user(session: Session, email: str, password: str, *, is_admin: bool) -> User:
    """Adds a user with a workspace of their own (caller commits); 409 if the email is taken."""
    email = normalise_email(email)
    if user_by_email(session, email) is not None:
        raise ApiError(409, "conflict", f"a user with email '{email}' already exists")
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin)
    session.add(user)
    session.flush()
    create_personal_workspace(session, user)
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
