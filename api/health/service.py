"""Readiness: the database, Temporal and Chroma probed at once, each with a short timeout;
the task queues' workers from their heartbeats; which providers are configured."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from sqlalchemy import text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from api.core.temporal import TemporalConnector
from api.db.session import get_engine
from api.health.queues import QueueWorkers, queue_workers
from api.health.schemas import (
    HealthReport,
    ProviderStatus,
    ServiceHealth,
    Services,
    TaskQueueHealth,
)
from settings import Settings

PROBE_TIMEOUT_SECONDS = 3.0
T = TypeVar("T")


async def check_health(
    *, temporal: TemporalConnector, settings: Settings, version: str
) -> HealthReport:
    """The readiness report; ``down`` if the database or Temporal is unreachable,
    ``degraded`` if a task queue has no live worker or Chroma is down."""
    queues = [settings.graph_run_task_queue, settings.ingest_task_queue]
    (database, workers), (temporal_health, pollers), chroma = await asyncio.gather(
        _database_and_workers(settings, queues),
        _temporal_and_pollers(temporal, settings, queues),
        _chroma(settings),
    )
    task_queues = {queue: _queue_health(workers.get(queue), pollers.get(queue)) for queue in queues}
    if database.status == "down" or temporal_health.status == "down":
        status = "down"
    elif chroma.status == "down" or any(q.status == "unserved" for q in task_queues.values()):
        status = "degraded"
    else:
        status = "ok"
    return HealthReport(
        status=status,
        timestamp=datetime.now(UTC),
        version=version,
        services=Services(database=database, temporal=temporal_health, chroma=chroma),
        task_queues=task_queues,
        providers=_providers(settings),
    )


async def _probe(call: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    """``call``'s result and its round trip in ms; TimeoutError after the probe timeout."""
    started = time.perf_counter()
    result = await asyncio.wait_for(call(), PROBE_TIMEOUT_SECONDS)
    return result, round((time.perf_counter() - started) * 1000, 1)


def _why(exc: BaseException) -> str:
    """A failure in one line (SQLAlchemy appends a link and the statement on others)."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {PROBE_TIMEOUT_SECONDS:g} s"
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


async def _database_and_workers(
    settings: Settings, queues: list[str]
) -> tuple[ServiceHealth, dict[str, QueueWorkers]]:
    """``SELECT 1``, then the heartbeats of the queues' workers, on one connection."""

    def read() -> tuple[float, dict[str, QueueWorkers]]:
        with get_engine().connect() as conn:
            started = time.perf_counter()
            conn.execute(text("SELECT 1"))
            latency = round((time.perf_counter() - started) * 1000, 1)
            unserved_after = settings.queue_unserved_after_seconds
            return latency, queue_workers(conn, queues, unserved_after=unserved_after)

    try:
        (latency, workers), _ = await _probe(lambda: asyncio.to_thread(read))
    except Exception as exc:
        return ServiceHealth(status="down", detail=_why(exc), latency_ms=None), {}
    name = get_engine().dialect.name
    return ServiceHealth(status="up", detail=name, latency_ms=latency), workers


async def _temporal_and_pollers(
    connector: TemporalConnector, settings: Settings, queues: list[str]
) -> tuple[ServiceHealth, dict[str, int]]:
    """Whether Temporal answers, and how many pollers it lists on each queue."""

    async def describe(client: Client, queue: str) -> int:
        described = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=settings.temporal_namespace,
                task_queue=TaskQueue(name=queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return len(described.pollers)

    async def ask() -> list[int]:
        client = await connector.client()  # connects (and starts its worker) on first use
        return list(await asyncio.gather(*(describe(client, q) for q in queues)))

    try:
        counts, latency = await _probe(ask)
    except Exception as exc:
        return ServiceHealth(status="down", detail=_why(exc), latency_ms=None), {}
    health = ServiceHealth(status="up", detail=settings.temporal_address, latency_ms=latency)
    return health, dict(zip(queues, counts, strict=True))


async def _chroma(settings: Settings) -> ServiceHealth:
    """Chroma's heartbeat when it is a server; embedded in the worker it is not probed."""
    if not settings.chroma_url:
        detail = f"embedded in the worker at {settings.chroma_path}"
        return ServiceHealth(status="up", detail=detail, latency_ms=None)
    url = f"{settings.chroma_url.rstrip('/')}/api/v2/heartbeat"

    async def heartbeat() -> httpx.Response:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_SECONDS) as http:
            return await http.get(url)

    try:
        reply, latency = await _probe(heartbeat)
    except Exception as exc:
        return ServiceHealth(status="down", detail=_why(exc), latency_ms=None)
    status = "up" if reply.is_success else "down"
    return ServiceHealth(status=status, detail=f"HTTP {reply.status_code}", latency_ms=latency)


def _queue_health(workers: QueueWorkers | None, pollers: int | None) -> TaskQueueHealth:
    """A queue whose heartbeats could not be read (database down) counts as unserved."""
    seen = workers.last_seen if workers else None
    return TaskQueueHealth(
        status="served" if workers and workers.served else "unserved",
        workers=workers.live if workers else 0,
        pollers=pollers,
        last_seen=datetime.fromtimestamp(seen, UTC) if seen is not None else None,
    )


def _providers(settings: Settings) -> dict[str, ProviderStatus]:
    """Configured or not in this process's environment; the keys themselves never leave it."""
    present = {
        "openai": settings.openai_api_key,
        "gemini": settings.gemini_api_key,
        "serpapi": settings.serpapi_api_key,
        "openai-compatible": settings.openai_compatible_base_url,
    }
    return {name: "configured" if value else "not_configured" for name, value in present.items()}
