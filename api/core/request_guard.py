"""Refuses input no route can store, before any route sees it: a 422 in the error format.

Checked once, here, for every route:

- a path or query string holding a null byte or another control character (PostgreSQL
  refuses ``\\x00`` in text, and no identifier or filter value holds one);
- a path or query string under ``/api/`` holding anything but ASCII: path parameters are
  identifiers (UUIDs, node ids, version numbers) and query parameters ids, numbers, dates,
  names of fixed sets and cursors, all ASCII;
- a JSON body with ``NaN``, ``Infinity`` or ``-Infinity`` (or a number so large it only
  parses as infinity), a null byte or an unpaired surrogate in a string, or an integer
  outside ±(2^53 - 1). FastAPI reads bodies with Python's ``json``, which accepts all of
  these; a non-finite number then either fails on PostgreSQL's JSON or comes back as
  ``null`` and can never be saved again, and a larger integer cannot be written in the
  canonical JSON (RFC 8785) that versions, plans and audit records are hashed in.

Bodies that are not JSON (the streamed upload, whose form fields ``api/knowledge/uploads.py``
checks) pass untouched. The body is bounded by ``BodySizeLimit``, which runs before this
middleware.
"""

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_response

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
# A null byte or a UTF-16 surrogate (unpaired: paired ones are decoded into one character).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# I-JSON (RFC 7493) and RFC 8785: the integers every JSON reader keeps exactly.
MAX_SAFE_INTEGER = 2**53 - 1


class UnacceptableInput(ValueError):
    """Input refused at the boundary: where (a field path or "path"/"query"), and why."""

    def __init__(self, field: str, kind: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind
        self.message = message


def _reject_constant(name: str) -> float:
    raise UnacceptableInput("body", "non_finite_number", f"{name} is not a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnacceptableInput("body", "non_finite_number", f"{text[:20]}… is not finite")
    return value


def _safe_int(text: str) -> int:
    # By length first: Python refuses to parse integers of more than 4,300 digits.
    value = int(text) if len(text) <= 20 else MAX_SAFE_INTEGER + 1
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise UnacceptableInput(
            "body", "integer_out_of_range", f"{text[:20]}… is outside ±(2^53 - 1)"
        )
    return value


class _Unstorable(Exception):
    """Raised inside the walk; each level adds its key on the way out (no cost otherwise)."""

    def __init__(self) -> None:
        super().__init__("unstorable text")
        self.keys: list[str] = []


def _walk_text(value: Any) -> None:
    """Refuses, in a parsed JSON value, text (values and keys) that cannot be stored."""
    kind = type(value)
    if kind is str:
        if _UNSTORABLE.search(value):
            raise _Unstorable()
    elif kind is dict:
        for key, item in value.items():
            try:
                if _UNSTORABLE.search(key):
                    raise _Unstorable()
                _walk_text(item)
            except _Unstorable as found:
                found.keys.append(key)
                raise
    elif kind is list:
        for index, item in enumerate(value):
            try:
                _walk_text(item)
            except _Unstorable as found:
                found.keys.append(str(index))
                raise


def check_json_body(body: bytes) -> None:
    """Raises ``UnacceptableInput`` for a body that parses but holds what we refuse.

    Syntax errors are left to FastAPI, which answers them as ``400 malformed_json``.
    """
    try:
        parsed = json.loads(
            body, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_safe_int
        )
    except (json.JSONDecodeError, UnicodeDecodeError):
        return
    # Text can hold a null byte or a surrogate only through a \u escape, a UTF-8-encoded
    # surrogate (json reads bytes with 'surrogatepass'; they begin with 0xED) or a body in
    # UTF-16/32 (which holds 0x00 bytes): without any, there is nothing to walk.
    if b"\\u" not in body and b"\xed" not in body and b"\x00" not in body:
        return
    try:
        _walk_text(parsed)
    except _Unstorable as found:
        field = ".".join(reversed(found.keys)) or "body"
        message = "text may not hold a null byte or an unpaired surrogate"
        raise UnacceptableInput(field, "unstorable_text", message) from None


def check_target(path: str, raw_query: bytes) -> None:
    """Raises ``UnacceptableInput`` for a path or query string no route accepts."""
    api = path == "/api" or path.startswith("/api/")
    if _CONTROL.search(path):
        raise UnacceptableInput("path", "control_character", "may not hold a control character")
    if api and not path.isascii():
        raise UnacceptableInput(
            "path", "non_ascii_identifier", "holds a non-ASCII character; identifiers are ASCII"
        )
    if not raw_query:
        return
    query = unquote_to_bytes(raw_query.replace(b"+", b" "))
    if _CONTROL_BYTES.search(raw_query) or _CONTROL_BYTES.search(query):
        raise UnacceptableInput("query", "control_character", "may not hold a control character")
    if api and not query.isascii():
        # Every query parameter of the API is an id, a number, a date, a name of a fixed set
        # or a cursor; a free-text one would need an exception here.
        raise UnacceptableInput(
            "query", "non_ascii_identifier", "holds a non-ASCII character; its values are ASCII"
        )


def is_json(scope: Scope) -> bool:
    """The rule FastAPI parses a body as JSON by: ``application/json`` or ``application/*+json``."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (
                media.startswith(b"application/") and media.endswith(b"+json")
            )
    return False


class RequestGuard:
    def __init__(self, app: ASGIApp, exempt_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_target(scope["path"], scope.get("query_string", b""))
        except UnacceptableInput as refused:
            await _refuse(refused, scope, receive, send)
            return
        if scope["path"] in self.exempt_paths or not is_json(scope):
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away: nothing to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_json_body(body)
        except UnacceptableInput as refused:
            await _refuse(refused, scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(refused: UnacceptableInput, scope: Scope, receive: Receive, send: Send) -> None:
    problem = {"field": refused.field, "message": refused.message, "type": refused.kind}
    response = error_response(
        422, "invalid_request", f"{refused.field}: {refused.message}", {"problems": [problem]}
    )
    await response(scope, receive, send)
