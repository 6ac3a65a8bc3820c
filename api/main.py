"""The FastAPI application: routers under /api/v1, one error format, health and metrics."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from api.api_keys import router as api_keys
from api.auth import router as auth
from api.auth.service import ensure_admin
from api.chat import router as chat
from api.connections import router as connections
from api.core.body_limit import BodySizeLimit
from api.core.cors import Cors, parse_origins
from api.core.errors import ErrorResponse, install_error_handlers
from api.core.frontend import mount_frontend
from api.core.headers import SecurityHeaders
from api.core.operator_routes import install_operator_routes
from api.core.request_guard import RequestGuard
from api.core.request_telemetry import RequestTelemetry
from api.core.route_access import undecided_routes
from api.core.temporal import TemporalConnector
from api.db.session import get_sessionmaker
from api.health import router as health
from api.knowledge import documents_router as documents
from api.knowledge import router as knowledge_bases
from api.knowledge.metrics import watch_waiting_documents
from api.runs import router as runs
from api.runs.reconcile import reconcile_forever
from api.usage import router as usage
from api.versions import router as versions
from api.workflows import components_router as components
from api.workflows import purge_router as archive_admin
from api.workflows import router as workflows
from api.workspaces import router as workspaces
from settings import get_settings
from telemetry.logs import configure_logging
from telemetry.tracing import configure_tracing

# Probes, scrapes and static files make no spans (comma-separated patterns, searched).
UNTRACED_PATHS = "/health,/metrics,/assets/"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    if settings.admin_email and settings.admin_password:
        with get_sessionmaker()() as session:
            ensure_admin(session, settings.admin_email, settings.admin_password.get_secret_value())
    app.state.temporal = TemporalConnector(settings)
    watch_waiting_documents(settings, get_sessionmaker())  # ingest_documents_waiting
    sweeps = None
    if settings.runs_reconcile_interval_seconds > 0:
        sweeps = asyncio.create_task(
            reconcile_forever(
                get_sessionmaker(), app.state.temporal, settings.runs_reconcile_interval_seconds
            ),
            name="runs-index-reconcile",
        )
    yield
    if sweeps is not None:
        sweeps.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeps
    await app.state.temporal.close()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings, service="api")
    configure_tracing(settings, service="genai-stack-api")
    app = FastAPI(
        title="GenAI Stack",
        version="0.1.0",
        description="Build AI workflows as graphs; every run is a durable Temporal workflow.",
        lifespan=lifespan,
        responses={"default": {"model": ErrorResponse, "description": "Error"}},
        # install_operator_routes serves them, as settings allow
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)

    v1 = APIRouter(prefix="/api/v1")
    # The upload route streams its body to disk and enforces max_upload_bytes itself.
    upload_path = v1.prefix + documents.UPLOAD_PATH
    # Middleware added later runs first: request ids, logs and metrics, headers, CORS, body
    # size, then the input guard.
    app.add_middleware(RequestGuard, exempt_paths=frozenset({upload_path}))
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_request_bytes,
        exempt_paths=frozenset({upload_path}),
    )
    app.add_middleware(Cors, allowed_origins=parse_origins(settings.cors_allowed_origins))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        RequestTelemetry, access_log=settings.access_log, metrics=settings.metrics_enabled
    )

    for module in (
        auth,
        components,
        workflows,
        versions,
        runs,
        chat,
        knowledge_bases,
        documents,
        archive_admin,
        connections,
        workspaces,
        api_keys,
        usage,
    ):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    undecided = undecided_routes(app)
    if undecided:  # every route needs an authorisation decision (api/core/route_access.py)
        raise RuntimeError(f"routes without an authorisation decision: {', '.join(undecided)}")

    install_operator_routes(app, settings)  # /metrics, /docs, /redoc, /openapi.json

    mount_frontend(app)  # last: its catch-all must not shadow the routes above
    if settings.tracing_enabled:
        # Outermost: a server span around each request, current in everything inside.
        FastAPIInstrumentor.instrument_app(
            app, excluded_urls=UNTRACED_PATHS, exclude_spans=["receive", "send"]
        )
    return app


app = create_app()
