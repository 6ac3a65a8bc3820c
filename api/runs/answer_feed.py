"""The answers being streamed, read from the ``answer_stream`` table for the run streams.

The worker writes a run's tokens to the database (``activities/storage/answer_stream.py``);
every API process reads them here. One poller task per process, alive while anyone
subscribes, reads every ``POLL_SECONDS`` the rows after the last one each subscribed run has
delivered — one query for all of them — and hands each row to that run's subscribers. So a
thousand clients of one run cost one query per poll, and any API process serves any run.

Each subscriber has a bounded queue (``QUEUE_ROWS``). A client that reads more slowly than
the run writes fills it; it is then dropped (``SlowConsumer``), its stream ends with an
error saying so, and it reconnects with the last id it received — nothing is lost, and no
process grows without bound.
"""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from activities.storage.answer_stream import ANSWER_STREAM
from api.db.session import make_engine
from settings import get_settings

log = logging.getLogger(__name__)

POLL_SECONDS = 0.01
QUEUE_ROWS = 1000


@dataclass(frozen=True)
class AnswerChunk:
    """A row of a run's answer stream: text of ``node_id``'s ``stream``-th answer, or the
    end of that answer (``ended``)."""

    id: int
    node_id: str
    stream: int
    text: str
    ended: str | None


class SlowConsumer(Exception):
    """The subscriber's queue filled up: it read more slowly than the run wrote."""


@dataclass(eq=False)
class Subscription:
    """One client's view of one run's answer stream."""

    run_id: str
    cursor: int
    queue: asyncio.Queue[AnswerChunk]
    overflowed: bool = False

    def offer(self, chunk: AnswerChunk) -> None:
        if self.overflowed or chunk.id <= self.cursor:
            return
        try:
            self.queue.put_nowait(chunk)
        except asyncio.QueueFull:
            self.overflowed = True
            return
        self.cursor = chunk.id

    async def next(self) -> AnswerChunk:
        """The next row; ``SlowConsumer`` once the queue overflowed and was read out."""
        if self.overflowed and self.queue.empty():
            raise SlowConsumer()
        return await self.queue.get()


class AnswerFeed:
    """Reads the answer stream for this process's subscribers."""

    def __init__(
        self, engine: sa.Engine, poll_seconds: float = POLL_SECONDS, queue_rows: int = QUEUE_ROWS
    ) -> None:
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._queue_rows = queue_rows
        self._subscribers: dict[str, set[Subscription]] = {}
        self._poller: asyncio.Task[None] | None = None

    async def subscribe(self, run_id: str, after: int) -> Subscription:
        """Follows ``run_id``'s rows after id ``after`` (the ones already written first)."""
        subscription = Subscription(run_id, after, asyncio.Queue(maxsize=self._queue_rows))
        for chunk in await self.rows_after(run_id, after, limit=self._queue_rows):
            subscription.offer(chunk)  # (none if the database failed: the poller reads them)
        self._subscribers.setdefault(run_id, set()).add(subscription)
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll_forever(), name="answer-feed-poller")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.run_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.run_id]

    @property
    def subscribers(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def rows_after(
        self, run_id: str, after: int, limit: int | None = None
    ) -> list[AnswerChunk]:
        """``run_id``'s rows after id ``after``, oldest first."""
        rows = await run_in_threadpool(self._read, {run_id: after}, limit)
        return [chunk for _, chunk in rows]

    async def _poll_forever(self) -> None:
        try:
            while self._subscribers:
                await asyncio.sleep(self._poll_seconds)
                cursors = {
                    run_id: min(s.cursor for s in subs)
                    for run_id, subs in self._subscribers.items()
                    if subs
                }
                if not cursors:
                    continue
                try:
                    rows = await run_in_threadpool(self._read, cursors, None)
                except sa.exc.SQLAlchemyError as error:
                    log.warning("answer stream not read (trying again): %s", error)
                    continue
                for run_id, chunk in rows:
                    for subscription in list(self._subscribers.get(run_id, ())):
                        subscription.offer(chunk)
        finally:
            self._poller = None

    def _read(self, cursors: dict[str, int], limit: int | None) -> list[tuple[str, AnswerChunk]]:
        table = ANSWER_STREAM
        query = (
            sa.select(
                table.c.id,
                table.c.run_id,
                table.c.node_id,
                table.c.stream,
                table.c.text,
                table.c.ended,
            )
            .where(sa.or_(*_after(cursors)))
            .order_by(table.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            (row.run_id, AnswerChunk(row.id, row.node_id, row.stream, row.text, row.ended))
            for row in rows
        ]


def _after(cursors: dict[str, int]) -> Iterable[sa.ColumnElement[bool]]:
    for run_id, after in cursors.items():
        yield sa.and_(ANSWER_STREAM.c.run_id == run_id, ANSWER_STREAM.c.id > after)


@lru_cache
def answer_feed() -> AnswerFeed:
    """This process's feed, over the API's database with a small pool of its own (its
    reads never wait behind requests' connections)."""
    return AnswerFeed(make_engine(get_settings().sqlalchemy_url, pool_size=2))
