"""Encryption at rest of provider connection keys (Fernet: AES-128-CBC + HMAC-SHA256).

``CONNECTION_ENCRYPTION_KEYS`` lists Fernet keys, comma-separated: the first encrypts,
every one decrypts, so a key is rotated by putting a new one first, re-encrypting the
stored keys (``POST /api/v1/connections/rotate-keys``) and then dropping the old one.
Unset, one key is created once in ``DATA_DIR`` (the embedded product, where the API and
the worker share that folder); several hosts must set the variable.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from settings import Settings

_KEY_FILE = "connection_keys"


class ConnectionKeyError(RuntimeError):
    """A stored key cannot be decrypted with any configured key."""


class ConnectionKeyring:
    """Encrypts and decrypts provider keys with the configured Fernet keys."""

    def __init__(self, settings: Settings) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in _configured_keys(settings)])

    def encrypt(self, secret: str) -> str:
        """The ciphertext of ``secret`` under the first key."""
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The secret, decrypted with whichever configured key sealed it.

        Raises:
            ConnectionKeyError: No configured key opens it (a key was dropped too early).
        """
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise ConnectionKeyError(
                "a stored connection key cannot be decrypted with CONNECTION_ENCRYPTION_KEYS"
            ) from None

    def rotate(self, ciphertext: str) -> str:
        """The same secret, re-encrypted under the first key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise ConnectionKeyError(
                "a stored connection key cannot be decrypted with CONNECTION_ENCRYPTION_KEYS"
            ) from None


def _configured_keys(settings: Settings) -> list[bytes]:
    if settings.connection_encryption_keys is not None:
        keys = [
            k.strip().encode()
            for k in settings.connection_encryption_keys.get_secret_value().split(",")
            if k.strip()
        ]
        if keys:
            return keys
    return [_key_in_data_dir(Path(settings.data_dir))]


def _key_in_data_dir(data_dir: Path) -> bytes:
    path = data_dir / _KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(Fernet.generate_key())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # first writer wins; the API and worker may race here
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()
