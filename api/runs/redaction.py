"""Hides secrets in values shown to users: secret-named keys and credentials in URLs.

``redact`` walks any JSON value. A value whose key names a secret (``api_key``,
``password``, ``Authorization``, ``client_secret``...) becomes ``"[redacted]"``; token
*counts* such as ``total_tokens`` are kept. In every string, URLs lose their user info
(``https://user:pass@host`` becomes ``https://[redacted]@host``) and the values of
secret query parameters (``?key=``, ``api_key=``, ``token=``, ``access_token=``...).
"""

import re

from pydantic import JsonValue

REDACTED = "[redacted]"

# Compared with underscores and dashes removed, so api_key, api-key and apiKey all match.
_SECRET_KEYS = frozenset(
    {
        "apikey",
        "secret",
        "password",
        "passwd",
        "authorization",
        "accesstoken",
        "refreshtoken",
        "token",
        "xapikey",
    }
)
_SECRET_SUFFIXES = ("_key", "_secret", "_password", "_token")
# Query parameters whose values are credentials, besides secret-named ones.
_SECRET_PARAMS = frozenset({"key", "sig", "signature"})

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>`]+")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")


def is_secret_key(key: str) -> bool:
    """Whether a mapping key or query parameter names a secret (not a ``*_tokens`` count)."""
    snake = _CAMEL_BOUNDARY.sub("_", key).lower().replace("-", "_")
    if snake.replace("_", "") in _SECRET_KEYS:
        return True
    return snake.endswith(_SECRET_SUFFIXES)


def redact_url(url: str) -> str:
    """One URL without its user info and without the values of secret query parameters."""
    url = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", url, count=1)
    head, sep, rest = url.partition("?")
    if not sep:
        return url
    query, hash_sep, fragment = rest.partition("#")
    params = []
    for param in query.split("&"):
        name, eq, _value = param.partition("=")
        if eq and (is_secret_key(name) or name.lower() in _SECRET_PARAMS):
            param = f"{name}={REDACTED}"
        params.append(param)
    return f"{head}?{'&'.join(params)}{hash_sep}{fragment}"


def redact_text(text: str) -> str:
    """A string with every URL in it redacted (a whole-URL string included)."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def redact(value: JsonValue) -> JsonValue:
    """A copy of ``value`` with secrets replaced by ``"[redacted]"`` (see the module doc).

    Empty secrets (``None`` or ``""``) are kept as they are: they show that none was set.
    """
    if isinstance(value, dict):
        return {
            key: (REDACTED if is_secret_key(key) and item not in (None, "") else redact(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
