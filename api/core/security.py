"""Password hashing (scrypt, from the standard library) and JWT access tokens."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from settings import Settings

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """A salted scrypt hash in the form ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Checks a password against a stored hash in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(expected, actual)


# Checked against when an email is unknown, so that a log-in costs one scrypt either way and
# its duration does not say whether the account exists. Nothing hashes to it.
_NO_USER_HASH = "$".join(
    [
        "scrypt",
        str(_SCRYPT_N),
        str(_SCRYPT_R),
        str(_SCRYPT_P),
        base64.b64encode(b"no-such-user-salt"[:16]).decode(),
        base64.b64encode(bytes(64)).decode(),
    ]
)


def verify_login(password: str, stored: str | None) -> bool:
    """``verify_password`` for a user who may not exist (``stored`` None), in the same time."""
    matches = verify_password(password, stored if stored is not None else _NO_USER_HASH)
    return matches and stored is not None


_generated_secrets: dict[Path, str] = {}


def jwt_secret(settings: Settings) -> str:
    """The configured secret, or one generated once and kept in the data folder."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    path = (Path(settings.data_dir) / "jwt_secret").resolve()
    if path not in _generated_secrets:
        _generated_secrets[path] = _read_or_create_secret(path)
    return _generated_secrets[path]


def _read_or_create_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: whose it is and which login session it belongs to."""

    user_id: str
    session_id: str


_REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid"]


def issue_token(user_id: str, session_id: str, expires_at: datetime, settings: Settings) -> str:
    """A token for the login session ``session_id``, valid until ``expires_at``."""
    claims = {"sub": user_id, "sid": session_id, "iat": datetime.now(UTC), "exp": expires_at}
    return jwt.encode(claims, jwt_secret(settings), algorithm=_JWT_ALGORITHM)


def read_token(token: str, settings: Settings) -> TokenClaims | None:
    """The claims of a valid, unexpired token carrying ``exp``, ``iat``, ``sub`` and ``sid``,
    else None (whether its session still holds is the caller's question)."""
    try:
        claims = jwt.decode(
            token,
            jwt_secret(settings),
            algorithms=[_JWT_ALGORITHM],
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        return None
    subject, session_id = claims.get("sub"), claims.get("sid")
    if not isinstance(subject, str) or not isinstance(session_id, str):
        return None
    return TokenClaims(subject, session_id)


def token_expiry(settings: Settings) -> datetime:
    """When a token issued now expires."""
    return datetime.now(UTC) + timedelta(minutes=settings.jwt_ttl_minutes)
