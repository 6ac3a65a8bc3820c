"""Security headers on every response: the builder's page, its assets and the API.

The Content-Security-Policy allows scripts only from this origin (the built builder is one
module script under ``/assets``; nothing inline, no ``eval``). Styles may be inline: MUI
(emotion) injects ``<style>`` elements and React Flow positions nodes with ``style``
attributes. ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` keep the builder out
of other sites' frames.

``Strict-Transport-Security`` is sent only on requests that arrived over TLS, judged by
the request's scheme. Behind a TLS-terminating proxy the scheme is ``https`` only when
uvicorn trusts the proxy's ``X-Forwarded-Proto`` (``--proxy-headers`` with
``--forwarded-allow-ips``; see docs/deployment.md).

A response that sets its own ``Content-Security-Policy`` (the API docs pages, which load
Swagger UI and ReDoc from a CDN) keeps it; the other headers are added to every response.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"
_ALWAYS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                for name, value in _ALWAYS.items():
                    headers[name] = value
                if over_tls:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
