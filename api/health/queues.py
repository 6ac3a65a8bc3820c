"""Which task queues a worker serves now, from the heartbeats workers write
(``activities/storage/worker_heartbeats.py``): a queue is served while a heartbeat naming
it is younger than ``QUEUE_UNSERVED_AFTER_SECONDS``."""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.db.models import WorkerHeartbeat


@dataclass(frozen=True)
class QueueWorkers:
    """The workers of one task queue."""

    live: int
    """Heartbeats naming the queue that are recent enough."""
    last_seen: float | None
    """The newest heartbeat naming the queue (epoch seconds), live or not."""

    @property
    def served(self) -> bool:
        return self.live > 0


def queue_workers(
    db: Connection | Session,
    queues: Sequence[str],
    *,
    unserved_after: float,
    now: float | None = None,
) -> dict[str, QueueWorkers]:
    """Each of ``queues`` with its live workers and when one was last heard from."""
    now = time.time() if now is None else now
    # One row per worker process (dead ones pruned after an hour): read them all.
    rows = db.execute(select(WorkerHeartbeat.queues, WorkerHeartbeat.seen_at)).all()
    served: dict[str, QueueWorkers] = {}
    for queue in queues:
        seen = [seen_at for names, seen_at in rows if queue in names.split(",")]
        served[queue] = QueueWorkers(
            live=sum(1 for seen_at in seen if now - seen_at <= unserved_after),
            last_seen=max(seen, default=None),
        )
    return served
