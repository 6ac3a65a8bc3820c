"""Creating users, shared by the admin route, the start-up bootstrap and the CLI."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.errors import ApiError
from api.core.security import hash_password
from api.db.models import User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, email: str, password: str, *, is_admin: bool) -> User:
    """Adds a user (caller commits); 409 if the email is taken."""
    email = normalise_email(email)
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise ApiError(409, "conflict", f"a user with email '{email}' already exists")
    user = User(email=email, password_hash=hash_password(password), is_admin=is_admin)
    session.add(user)
    return user


def ensure_admin(session: Session, email: str, password: str) -> None:
    """Creates the first admin from settings unless that user already exists."""
    if session.scalar(select(User).where(User.email == normalise_email(email))) is None:
        create_user(session, email, password, is_admin=True)
        session.commit()
