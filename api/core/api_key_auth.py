"""API keys as credentials: their form, how they are stored, and checking one.

A key reads ``gsk_<prefix>_<secret>``. The prefix (12 characters) finds the row; the
whole key's SHA-256 is compared in constant time. Keys are random (240 bits), so a plain
hash is as strong as a password hash and costs microseconds per request.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import ApiKey, User

KEY_MARK = "gsk_"


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the key to show once, its prefix, its hash to store)."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_MARK}{prefix}_{secrets.token_urlsafe(30)}"
    return key, prefix, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_MARK)


def authenticate_key(
    session: Session, credential: str, client_address: str | None
) -> tuple[ApiKey, User] | None:
    """The key and its owner, if ``credential`` is a live key; records its use."""
    parts = credential.split("_", 2)
    if len(parts) != 3 or not parts[1]:
        return None
    found = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.prefix == parts[1])
    ).first()
    if found is None:
        return None
    key, user = found
    if not hmac.compare_digest(key.secret_hash, key_hash(credential)):
        return None
    now = datetime.now(UTC)
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    key.last_used_at = now
    key.last_used_address = client_address
    key.use_count += 1
    session.commit()
    return key, user
