"""Refuses request bodies over the configured size, declared or streamed.

A plain ASGI middleware (not ``BaseHTTPMiddleware``, which costs a task and a memory
stream per request). A body that declares a larger ``Content-Length`` is refused
before it is read. A body without one (chunked) is read here up to the limit — the
routes read whole bodies anyway — and refused as soon as it passes it. Paths in
``exempt_paths`` (the streamed upload) pass untouched: their route enforces its own limit
while it streams, and buffering here would hold the whole upload in memory.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import error_response


class BodySizeLimit:
    def __init__(
        self, app: ASGIApp, limit: int, exempt_paths: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # client went away: nothing to answer
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request bodies are limited to {self.limit} bytes"
        await error_response(413, "payload_too_large", message, {})(scope, receive, send)
