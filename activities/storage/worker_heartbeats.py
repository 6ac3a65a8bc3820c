"""This process's heartbeat: a row saying which task queues it serves, rewritten every
``WORKER_HEARTBEAT_SECONDS``.

Readiness (``api/health``) counts a queue as served while a row naming it is younger
than ``QUEUE_UNSERVED_AFTER_SECONDS``. Temporal cannot tell that sooner: its
DescribeTaskQueue keeps a SIGKILLed worker's poller listed for minutes.

Best effort: a database error is logged once per streak of failures and never stops the
worker; the row then ages and the queue reads as unserved, which is what a reader should
believe of a worker it cannot hear. A clean stop deletes the row; a killed process's row
stays until some heartbeat prunes rows older than ``HEARTBEAT_RETENTION_SECONDS``.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Self

import sqlalchemy as sa

from activities.storage.database import shared_engine
from settings import Settings

log = logging.getLogger("worker.heartbeat")

HEARTBEAT_RETENTION_SECONDS = 3600.0
# Prune the rows of dead processes every this many beats (≈ 5 min at the default 5 s).
PRUNE_EVERY_BEATS = 60

# The table as workers write it (api/db/models.py WorkerHeartbeat defines it).
_metadata = sa.MetaData()
WORKER_HEARTBEATS = sa.Table(
    "worker_heartbeats",
    _metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("queues", sa.String(400), nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False, index=True),
)


class QueueHeartbeat:
    """Writes this process's heartbeat for ``queues`` until stopped (an async context)."""

    def __init__(
        self, settings: Settings, queues: Sequence[str], *, engine: sa.Engine | None = None
    ) -> None:
        host = socket.gethostname()
        self.id = f"{host[:150]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._host = host[:200]
        self._queues = ",".join(queues)
        self._interval = settings.worker_heartbeat_seconds
        self._engine = engine or shared_engine(settings.sqlalchemy_url)
        self._started_at = time.time()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def start(self) -> None:
        """Starts beating in the background (the first beat at once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._beat_forever(), name="worker-heartbeat")

    async def stop(self) -> None:
        """Stops beating and deletes the row: this process no longer serves its queues."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        try:
            await asyncio.to_thread(self._delete)
        except Exception as exc:  # the row just ages out
            log.warning("could not delete worker heartbeat %s: %s", self.id, exc)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _beat_forever(self) -> None:
        beats = 0
        while True:
            await self._beat(prune=beats % PRUNE_EVERY_BEATS == 0)
            beats += 1
            await asyncio.sleep(self._interval)

    async def _beat(self, *, prune: bool) -> None:
        try:
            await asyncio.to_thread(self._write, prune)
        except Exception as exc:
            if not self._failing:
                log.warning(
                    "worker heartbeat not written (retried every %.0f s, logged once): %s",
                    self._interval,
                    exc,
                )
            self._failing = True
            return
        if self._failing:
            log.info("worker heartbeat written again")
        self._failing = False

    def _write(self, prune: bool) -> None:
        now = time.time()
        with self._engine.begin() as conn:
            updated = conn.execute(
                WORKER_HEARTBEATS.update()
                .where(WORKER_HEARTBEATS.c.id == self.id)
                .values(seen_at=now, queues=self._queues)
            )
            if updated.rowcount == 0:  # the first beat (or the row was pruned meanwhile)
                conn.execute(
                    WORKER_HEARTBEATS.insert().values(
                        id=self.id,
                        queues=self._queues,
                        host=self._host,
                        pid=os.getpid(),
                        started_at=self._started_at,
                        seen_at=now,
                    )
                )
            if prune:
                conn.execute(
                    WORKER_HEARTBEATS.delete().where(
                        WORKER_HEARTBEATS.c.seen_at < now - HEARTBEAT_RETENTION_SECONDS
                    )
                )

    def _delete(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(WORKER_HEARTBEATS.delete().where(WORKER_HEARTBEATS.c.id == self.id))
