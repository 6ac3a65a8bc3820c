"""Cross-origin requests: none by default; the origins ``CORS_ALLOWED_ORIGINS`` names.

The builder is served by the API itself, so it needs no CORS. A page on another origin
that calls the API (with a bearer token or an API key in a header: no cookies are
involved, so no ``Access-Control-Allow-Credentials``) works only when its origin is
listed.

- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
  answered here with ``204``, never by the routes (which would answer ``405``). An allowed
  origin gets the ``Access-Control-*`` headers; any other origin gets none, so the browser
  refuses the request.
- Any other request from an allowed origin gets ``Access-Control-Allow-Origin``; from any
  other origin, no CORS header at all.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-API-Key"
EXPOSED_HEADERS = "Retry-After, Content-Disposition, X-Request-Id, X-Trace-Id"
PREFLIGHT_MAX_AGE = "600"


def parse_origins(value: str | None) -> frozenset[str]:
    """``https://a.example, https://b.example`` → the set; ``*`` allows every origin."""
    if not value:
        return frozenset()
    return frozenset(o.strip().rstrip("/") for o in value.split(",") if o.strip())


class Cors:
    def __init__(self, app: ASGIApp, allowed_origins: frozenset[str]) -> None:
        self.app = app
        self.allowed_origins = allowed_origins

    def allows(self, origin: str) -> bool:
        if origin == "null":  # sandboxed frames and file: pages
            return False
        return "*" in self.allowed_origins or origin in self.allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = self.allows(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(allowed, origin)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if allowed:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(allowed: bool, origin: str) -> Response:
        response = Response(status_code=204)
        response.headers.add_vary_header("Origin")
        if not allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response
