"""Probing each dependency: the database, Temporal, the worker's pollers and Chroma."""

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from api.core.temporal import TemporalConnector
from api.db.session import get_engine
from api.health.schemas import DependencyHealth, HealthOut
from settings import Settings

PROBE_TIMEOUT_SECONDS = 3.0


async def check_health(*, temporal: TemporalConnector, settings: Settings) -> HealthOut:
    """Every dependency's state; the status is ``degraded`` if any is down."""
    database = await asyncio.to_thread(_database)
    temporal_health, worker = await _temporal_and_worker(temporal, settings)
    chroma = await _chroma(settings)
    deps = {"database": database, "temporal": temporal_health, "worker": worker, "chroma": chroma}
    ok = all(d.ok for d in deps.values())
    return HealthOut(status="ok" if ok else "degraded", dependencies=deps)


def _database() -> DependencyHealth:
    """Whether ``SELECT 1`` answers, with the database dialect."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return DependencyHealth(ok=True, detail=get_engine().dialect.name)
    except Exception as exc:
        return DependencyHealth(ok=False, detail=str(exc)[:300])


async def _temporal_and_worker(
    connector: TemporalConnector, settings: Settings
) -> tuple[DependencyHealth, DependencyHealth]:
    """Whether Temporal answers, and whether any worker polls the graph-run task queue."""
    try:
        client = await asyncio.wait_for(connector.client(), PROBE_TIMEOUT_SECONDS)
        described = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=settings.temporal_namespace,
                task_queue=TaskQueue(name=settings.graph_run_task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=timedelta(seconds=PROBE_TIMEOUT_SECONDS),
        )
    except Exception as exc:
        down = DependencyHealth(ok=False, detail=str(exc)[:300])
        return down, DependencyHealth(ok=False, detail="unknown: Temporal is unreachable")
    pollers = len(described.pollers)
    worker = DependencyHealth(
        ok=pollers > 0,
        detail=f"{pollers} poller(s) on task queue '{settings.graph_run_task_queue}'",
    )
    return DependencyHealth(ok=True, detail=settings.temporal_address), worker


async def _chroma(settings: Settings) -> DependencyHealth:
    """Chroma's heartbeat when it is a server; embedded in the worker it is always ok here."""
    if not settings.chroma_url:
        return DependencyHealth(ok=True, detail=f"embedded in the worker at {settings.chroma_path}")
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_SECONDS) as http:
            reply = await http.get(f"{settings.chroma_url.rstrip('/')}/api/v2/heartbeat")
        return DependencyHealth(ok=reply.is_success, detail=f"HTTP {reply.status_code}")
    except httpx.HTTPError as exc:
        return DependencyHealth(ok=False, detail=str(exc)[:300])
