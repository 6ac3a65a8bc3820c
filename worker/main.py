"""The worker process: hosts ``GraphRun`` and the activities it calls."""

import asyncio
import logging
import signal

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from settings import Settings, get_settings
from worker.graph_worker import build_graph_worker

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


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client that speaks pydantic, like the API's."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )


async def run_worker(settings: Settings) -> None:
    """Runs until SIGINT or SIGTERM, then finishes in-flight tasks and exits."""
    client = await connect(settings, build_runtime(settings))
    worker = build_graph_worker(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        log.info("worker ready on task queue %s", settings.graph_run_task_queue)
        await stop.wait()
    log.info("worker stopped")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_worker(get_settings()))
