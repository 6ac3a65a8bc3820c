"""The API's connection to Temporal, made on first use so the API starts without it.

With ``API_WORKER_SLOTS`` > 0 the API also hosts a small ``GraphRun`` worker on the
same client, so runs it starts can use eager workflow start: the server hands the
first workflow task straight back in the start response instead of dispatching it
through the task queue (≈ 14 ms less per run, see docs/benchmarks.md). Runs still
survive the API: their history is durable and the worker processes serve the same
task queue, so a run whose API dies is finished by a worker process. That worker
writes a heartbeat for the graph-run queue while it runs, as worker processes do, so
readiness counts it among the queue's workers.
"""

import asyncio
import contextlib
import logging

from temporalio.client import Client
from temporalio.worker import Worker

from activities.storage.worker_heartbeats import QueueHeartbeat
from api.core.errors import ApiError
from api.core.search_attributes import ensure_search_attributes
from api.db.session import get_engine
from settings import Settings
from workflows.connection import connect_temporal

log = logging.getLogger("api")


class TemporalConnector:
    """Connects once, lazily; a failed connection is retried on the next request."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()
        self._worker: Worker | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._heartbeat: QueueHeartbeat | None = None
        self._stopping_heartbeat: asyncio.Task[None] | None = None
        self._warm_up: asyncio.Future[None] | None = None

    @property
    def eager_start(self) -> bool:
        """Whether runs started through this connector may start eagerly."""
        return self._worker is not None

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    client = await connect_temporal(
                        self._settings.temporal_address,
                        self._settings.temporal_namespace,
                        tracing=self._settings.tracing_enabled,
                    )
                    await ensure_search_attributes(client)
                except Exception as exc:  # connection refused, DNS, TLS...
                    raise ApiError(
                        503,
                        "temporal_unavailable",
                        f"Temporal at {self._settings.temporal_address} is unreachable: {exc}",
                    ) from exc
                self._start_in_process_worker(client)
                self._client = client
        return self._client

    def _start_in_process_worker(self, client: Client) -> None:
        slots = self._settings.api_worker_slots
        if slots <= 0:
            return
        # Imported here: only an API configured to host a worker needs the activities.
        from worker.graph_worker import build_graph_worker

        self._worker = build_graph_worker(client, self._settings, slots=slots)
        self._worker_task = asyncio.create_task(self._worker.run())
        self._worker_task.add_done_callback(self._worker_stopped)
        self._heartbeat = QueueHeartbeat(
            self._settings, [self._settings.graph_run_task_queue], engine=get_engine()
        )
        self._heartbeat.start()
        log.warning("in-process GraphRun worker started with %d slots", slots)
        if self._settings.preload_local_embeddings:
            # As the worker process does: the first knowledge-base query this worker runs
            # must not wait seconds for torch and the model's weights.
            from activities.providers.embeddings import warm_up_local_model

            self._warm_up = asyncio.get_running_loop().run_in_executor(None, warm_up_local_model)

    def _worker_stopped(self, task: "asyncio.Task[None]") -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("in-process GraphRun worker failed", exc_info=task.exception())
        self._worker = None  # no more eager starts
        if self._heartbeat is not None:  # nor heartbeats: this process serves no queue now
            heartbeat, self._heartbeat = self._heartbeat, None
            self._stopping_heartbeat = asyncio.create_task(heartbeat.stop())

    async def close(self) -> None:
        """Stops the in-process worker, letting in-flight tasks finish."""
        if self._heartbeat is not None:  # first: a stopping worker takes no new task
            heartbeat, self._heartbeat = self._heartbeat, None
            await heartbeat.stop()
        if self._worker is not None and self._worker_task is not None:
            await self._worker.shutdown()
            with contextlib.suppress(Exception):
                await self._worker_task
