"""API keys: created by their owner (the secret shown once), listed, revoked."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, KeyScope
from api.core.api_key_auth import new_key
from api.core.errors import not_found
from api.db.models import ApiKey, User


def create_key(session: Session, *, user: User, body: ApiKeyCreate) -> ApiKeyCreated:
    """A new key of the user's; the response is the only place its secret ever appears."""
    key, prefix, secret_hash = new_key()
    expires_at = (
        datetime.now(UTC) + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    )
    row = ApiKey(
        user_id=user.id,
        name=body.name,
        prefix=prefix,
        secret_hash=secret_hash,
        scope=body.scope.value,
        expires_at=expires_at,
    )
    session.add(row)
    session.commit()
    return ApiKeyCreated(**_out(row).model_dump(), key=key)


def list_keys(session: Session, *, user: User) -> list[ApiKeyOut]:
    """The user's keys, newest first, revoked ones included."""
    rows = session.scalars(
        select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc())
    )
    return [_out(row) for row in rows]


def revoke_key(session: Session, *, user: User, key_id: str) -> ApiKeyOut:
    """Revokes one of the user's keys at once (idempotent); 404 for anyone else's."""
    row = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.user_id == user.id))
    if row is None:
        raise not_found("API key", key_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.commit()
    return _out(row)


def _out(row: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        name=row.name,
        prefix=f"gsk_{row.prefix}",
        scope=KeyScope(row.scope),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        last_used_address=row.last_used_address,
        use_count=row.use_count,
        revoked_at=row.revoked_at,
    )
