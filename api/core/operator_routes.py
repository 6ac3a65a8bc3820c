"""The routes for operators and tools, not users: ``/metrics`` and the API documentation.

Both are open by default (Prometheus and the test harness read them). Settings restrict
them:

- ``API_DOCS_ENABLED=false``: ``/docs``, ``/redoc`` and ``/openapi.json`` answer 404
  (``python -m api.cli.openapi_dump`` builds the document from the code, not over HTTP);
- ``METRICS_TOKEN``: ``/metrics`` answers only ``Authorization: Bearer <token>`` (401
  otherwise); Prometheus sends it with ``authorization: {credentials_file: …}``.

The docs pages load Swagger UI and ReDoc from jsDelivr and Swagger UI starts from one
inline script, so they carry their own Content-Security-Policy, which allows that CDN and
that one script by its hash (never ``'unsafe-inline'`` for scripts).
"""

import base64
import hashlib
import hmac
import re

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.core.errors import error_response, not_found
from settings import Settings

OPENAPI_PATH = "/openapi.json"
DOCS_PATHS = ("/docs", "/redoc", OPENAPI_PATH)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(page: str) -> str:
    """The docs page's CSP: jsDelivr's scripts and styles, and the page's own inline scripts
    by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' https://cdn.jsdelivr.net {hashes}".rstrip(),
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
            "font-src 'self' data: https://fonts.gstatic.com",
            "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _page(response: HTMLResponse) -> HTMLResponse:
    page = bytes(response.body).decode()
    return HTMLResponse(page, headers={"Content-Security-Policy": docs_policy(page)})


def install_operator_routes(app: FastAPI, settings: Settings) -> None:
    """``/metrics`` and the docs routes (create the app with its own docs routes off)."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token is not None:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                refused = error_response(
                    401, "unauthorized", "The metrics need 'Authorization: Bearer <token>'", {}
                )
                refused.headers["WWW-Authenticate"] = "Bearer"
                return refused
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if not settings.api_docs_enabled:

        @app.get("/docs", include_in_schema=False)
        @app.get("/redoc", include_in_schema=False)
        @app.get(OPENAPI_PATH, include_in_schema=False)
        def docs_off(request: Request) -> Response:
            raise not_found("endpoint", request.url.path)

        return

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(get_swagger_ui_html(openapi_url=OPENAPI_PATH, title=f"{app.title} - docs"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(get_redoc_html(openapi_url=OPENAPI_PATH, title=f"{app.title} - ReDoc"))
