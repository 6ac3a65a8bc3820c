"""The worker process: hosts ``GraphRun`` and document ingestion, each on its task queue.

``WORKER_QUEUES`` chooses what one process serves (``graph``, ``ingest`` or both), so
production runs answering and ingestion as separate deployments that scale apart.
"""

import asyncio
import contextlib
import logging
import signal

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.providers.embeddings import warm_up_local_model
from activities.storage.worker_heartbeats import QueueHeartbeat
from settings import Settings, get_settings
from telemetry.logs import configure_logging
from telemetry.metrics_server import serve_metrics
from telemetry.tracing import configure_tracing
from worker.graph_worker import build_graph_worker
from worker.ingest_worker import build_ingest_worker
from workflows.connection import connect_temporal

log = logging.getLogger("worker")

QUEUE_ROLES = ("graph", "ingest")


def worker_roles(settings: Settings) -> tuple[str, ...]:
    """The queues this process serves, from ``WORKER_QUEUES`` (ValueError names a bad one)."""
    roles = tuple(dict.fromkeys(r.strip() for r in settings.worker_queues.split(",") if r.strip()))
    unknown = [r for r in roles if r not in QUEUE_ROLES]
    if unknown or not roles:
        raise ValueError(
            f"WORKER_QUEUES={settings.worker_queues!r}: expected 'graph', 'ingest' or both"
        )
    return roles


def build_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime exporting the SDK's own metrics (``temporal_*``) when a port is set."""
    if not settings.temporal_sdk_metrics_port:
        return Runtime(telemetry=TelemetryConfig())
    address = f"{settings.worker_metrics_host}:{settings.temporal_sdk_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def run_worker(settings: Settings) -> None:
    """Runs until SIGINT or SIGTERM, then finishes in-flight tasks and exits."""
    roles = worker_roles(settings)
    client = await connect_temporal(
        settings.temporal_address,
        settings.temporal_namespace,
        runtime=build_runtime(settings),
        tracing=settings.tracing_enabled,
    )
    workers: list[Worker] = []
    if "graph" in roles:
        workers.append(build_graph_worker(client, settings))
    if "ingest" in roles:
        workers.append(build_ingest_worker(client, settings))
    queues = [w.task_queue for w in workers]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if settings.preload_local_embeddings:
        # In the background: the worker polls at once, and the first local embedding
        # (a query or an ingestion) no longer waits seconds for torch and the weights.
        preload = loop.run_in_executor(None, warm_up_local_model)
    async with contextlib.AsyncExitStack() as running:
        for worker in workers:
            await running.enter_async_context(worker)
        # Readiness names a queue unserved within seconds of this process dying.
        await running.enter_async_context(QueueHeartbeat(settings, queues))
        log.info("worker ready", extra={"task_queues": queues})
        await stop.wait()
    if settings.preload_local_embeddings:
        await preload
    log.info("worker stopped")


def main() -> None:
    settings = get_settings()
    configure_logging(settings, service="worker")
    configure_tracing(settings, service="genai-stack-worker")
    if settings.metrics_enabled:
        serve_metrics(settings.worker_metrics_host, settings.worker_metrics_port)
    asyncio.run(run_worker(settings))
