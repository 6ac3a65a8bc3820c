"""The text of answers being written, from the worker to every API process, by the database.

An LLM step streams its answer; the tokens must reach clients of any API process while the
step runs, yet they are not kept in the Temporal history (it stays small: one event per
step, the whole answer). So the worker writes them to the ``answer_stream`` table — the
database every API process already shares, SQLite in the embedded product or PostgreSQL —
and the API processes read them (``api/runs/answer_feed.py``).

Writing: ``AnswerStreams.open(run_id, node_id)`` gives a ``StreamWriter``; the provider's
deltas go to ``append`` (synchronous, never blocks). One flusher task per worker process
writes what all open streams buffered, in one transaction, as soon as the previous write
ended — so the first token is written at once and later ones are batched by how long a
write takes. ``close`` waits until the stream's text is committed and adds its end row,
so the rows are in the database before the step's result reaches the history.

A stream is numbered per run and node (``stream``: 1, 2, …): an attempt retried after a
failure, or executed again after its worker died, opens the next number, and clients
replace the text of the stream before. Rows are a run's, in ``id`` order; each stream has
one writer at a time (a step's attempts run one after the other), so a reader that keeps
the last ``id`` it read per run misses nothing.

Streaming is best effort: a write that fails is logged and dropped, and never fails the
step — the history's answer is the truth. Rows older than ``RETENTION_SECONDS`` are pruned
now and then by the writers.
"""

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import sqlalchemy as sa

from activities.storage.database import shared_engine
from settings import Settings

RETENTION_SECONDS = 24 * 3600.0
# What one stream may hold unwritten (the database is stuck): more is dropped.
MAX_BUFFERED_CHARS = 1_000_000
_PRUNE_ONE_IN = 500

log = logging.getLogger(__name__)

StreamEnd = Literal["completed", "failed"]

# The table as the worker writes it and the API reads it (api/db/models.py defines it).
_metadata = sa.MetaData()
ANSWER_STREAM = sa.Table(
    "answer_stream",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(80), nullable=False),
    sa.Column("node_id", sa.String(64), nullable=False),
    sa.Column("stream", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("tokens", sa.Integer, nullable=False),
    sa.Column("ended", sa.String(16), nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)


@dataclass
class StreamWriter:
    """One answer being streamed; its deltas wait in ``buffer`` for the flusher."""

    run_id: str
    node_id: str
    stream: int
    _owner: "AnswerStreams"
    buffer: list[str] = field(default_factory=list)
    buffered_chars: int = 0
    buffered_tokens: int = 0
    ended: StreamEnd | None = None
    committed: "asyncio.Future[None] | None" = None

    def append(self, text: str) -> None:
        """Queues a delta; never blocks (the flusher writes it soon)."""
        if not text or self.ended is not None:
            return
        self.buffered_tokens += 1
        if self.buffered_chars + len(text) > MAX_BUFFERED_CHARS:
            return
        self.buffer.append(text)
        self.buffered_chars += len(text)
        self._owner.wake()

    async def close(self, ended: StreamEnd) -> None:
        """Writes what is buffered and the end row, and waits until they are committed."""
        if self.ended is not None:
            return
        self.committed = asyncio.get_running_loop().create_future()
        self.end_soon(ended)
        await self.committed

    def end_soon(self, ended: StreamEnd) -> None:
        """Ends the stream without waiting (a failed or cancelled attempt)."""
        if self.ended is None:
            self.ended = ended
            self._owner.wake()


class AnswerStreams:
    """Opens streams and writes them, from one flusher task per process."""

    def __init__(self, settings: Settings, engine: sa.Engine | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._open: list[StreamWriter] = []
        self._wake: asyncio.Event | None = None
        self._flusher: asyncio.Task[None] | None = None

    @cached_property
    def _db(self) -> sa.Engine:
        return self._engine or shared_engine(self._settings.sqlalchemy_url)

    async def open(self, run_id: str, node_id: str) -> StreamWriter:
        """A new stream of ``node_id`` in ``run_id``, numbered after the ones before."""
        try:
            last = await asyncio.to_thread(self._last_stream, run_id, node_id)
        except sa.exc.SQLAlchemyError as error:
            log.warning("answer stream of %s/%s not opened: %s", run_id, node_id, error)
            last = 0
        writer = StreamWriter(run_id, node_id, last + 1, self)
        self._open.append(writer)
        self._ensure_flusher()
        return writer

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _ensure_flusher(self) -> None:
        if self._flusher is None:
            self._wake = asyncio.Event()
            self._flusher = asyncio.create_task(self._flush_forever(), name="answer-stream-flusher")

    async def _flush_forever(self) -> None:
        """Writes whatever the open streams buffered, one transaction at a time, until no
        stream is open."""
        assert self._wake is not None
        try:
            while self._open:
                await self._wake.wait()
                self._wake.clear()
                rows, done = self._take()
                if rows:
                    try:
                        await asyncio.to_thread(self._write, rows)
                    except sa.exc.SQLAlchemyError as error:
                        log.warning("answer stream rows dropped (%d): %s", len(rows), error)
                for writer in done:
                    self._open.remove(writer)
                    if writer.committed is not None and not writer.committed.done():
                        writer.committed.set_result(None)
        finally:
            self._flusher = None

    def _take(self) -> tuple[list[dict[str, object]], list[StreamWriter]]:
        now = time.time()
        rows: list[dict[str, object]] = []
        done: list[StreamWriter] = []
        for writer in self._open:
            base = {"run_id": writer.run_id, "node_id": writer.node_id, "stream": writer.stream}
            if writer.buffered_tokens:
                text = "".join(writer.buffer)
                rows.append({**base, "text": text, "tokens": writer.buffered_tokens, "ended": None})
                writer.buffer.clear()
                writer.buffered_chars = writer.buffered_tokens = 0
            if writer.ended is not None:
                rows.append({**base, "text": "", "tokens": 0, "ended": writer.ended})
                done.append(writer)
        for row in rows:
            row["created_at"] = now
        return rows, done

    def _write(self, rows: list[dict[str, object]]) -> None:
        with self._db.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Best effort by design: the commit need not wait for the WAL on disk.
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            conn.execute(ANSWER_STREAM.insert(), rows)
            if random.randrange(_PRUNE_ONE_IN) == 0:
                conn.execute(
                    ANSWER_STREAM.delete().where(
                        ANSWER_STREAM.c.created_at < time.time() - RETENTION_SECONDS
                    )
                )

    def _last_stream(self, run_id: str, node_id: str) -> int:
        with self._db.connect() as conn:
            found = conn.execute(
                sa.select(sa.func.max(ANSWER_STREAM.c.stream)).where(
                    ANSWER_STREAM.c.run_id == run_id, ANSWER_STREAM.c.node_id == node_id
                )
            ).scalar()
        return int(found or 0)
