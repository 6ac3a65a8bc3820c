"""The worker process: hosts ``GraphRun`` and document ingestion, each on its task queue."""

import asyncio
import logging
import signal

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from activities.providers.embeddings import warm_up_local_model
from settings import Settings, get_settings
from worker.graph_worker import build_graph_worker
from worker.ingest_worker import build_ingest_worker
from workflows.connection import connect_temporal

log = logging.getLogger("worker")


def build_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime that exports the SDK's metrics for Prometheus."""
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"
            )
        )
    )


async def run_worker(settings: Settings) -> None:
    """Runs until SIGINT or SIGTERM, then finishes in-flight tasks and exits."""
    client = await connect_temporal(
        settings.temporal_address, settings.temporal_namespace, runtime=build_runtime(settings)
    )
    graph_worker = build_graph_worker(client, settings)
    ingest_worker = build_ingest_worker(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if settings.preload_local_embeddings:
        # In the background: the worker polls at once, and the first local embedding
        # (a query or an ingestion) no longer waits seconds for torch and the weights.
        preload = loop.run_in_executor(None, warm_up_local_model)
    async with graph_worker, ingest_worker:
        log.info(
            "worker ready on task queues %s and %s",
            settings.graph_run_task_queue,
            settings.ingest_task_queue,
        )
        await stop.wait()
    if settings.preload_local_embeddings:
        await preload
    log.info("worker stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_worker(get_settings()))
