"""Checks that an API reply is an error in the one error format."""

from typing import Any

import httpx


def assert_error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Asserts ``reply`` is ``status`` with ``{"error": {"code": code, "message": ...}}``;
    returns the error object."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error
