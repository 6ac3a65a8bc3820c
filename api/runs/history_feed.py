"""One reader of a run's Temporal history per API process, shared by all its streams.

A thousand clients following one run would otherwise hold a thousand long polls on
Temporal. Here the first stream of a run opens a ``HistoryFeed``: one task reads the
history with Temporal's long poll and keeps its events (a run's history is tens of
events); every stream of that run walks the same list at its own pace. The feed is dropped
when its last stream ends; a stream of a run that ended long ago simply opens a new one.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError

PAGE_SIZE = 200


@dataclass(eq=False)
class HistoryFeed:
    """The history events of one run read so far, and whether the history has ended."""

    run_id: str
    events: list[HistoryEvent] = field(default_factory=list)
    ended: bool = False
    error: RPCError | None = None
    readers: int = 0
    _changed: "asyncio.Future[None] | None" = None
    _task: "asyncio.Task[None] | None" = None

    def _notify(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)
        self._changed = None

    async def follow(self) -> AsyncIterator[HistoryEvent]:
        """Every event of the history, in order, then the end (``RPCError`` if Temporal
        failed mid-way)."""
        index = 0
        while True:
            while index < len(self.events):
                yield self.events[index]
                index += 1
            if self.error is not None:
                raise self.error
            if self.ended:
                return
            if self._changed is None:
                self._changed = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._changed)

    async def _read(self, history: AsyncIterator[HistoryEvent]) -> None:
        try:
            async for event in history:
                self.events.append(event)
                self._notify()
        except RPCError as err:
            self.error = err
        finally:
            self.ended = True
            self._notify()


class HistoryHub:
    """This process's history feeds, by run."""

    def __init__(self) -> None:
        self._feeds: dict[str, asyncio.Future[HistoryFeed]] = {}

    async def open(self, client: Client, run_id: str) -> HistoryFeed:
        """The run's feed, opened if no stream of this process follows the run yet;
        ``RPCError`` if Temporal cannot give the history's first page."""
        opening = self._feeds.get(run_id)
        if opening is None or (opening.done() and self._stale(opening)):
            opening = asyncio.get_running_loop().create_future()
            self._feeds[run_id] = opening
            try:
                opening.set_result(await self._start(client, run_id))
            except BaseException as err:
                del self._feeds[run_id]
                if isinstance(err, Exception):
                    opening.set_exception(err)
                    opening.exception()  # retrieved: the readers waiting on it get it below
                else:
                    opening.cancel()
                raise
        feed = await asyncio.shield(opening)
        feed.readers += 1
        return feed

    def close(self, feed: HistoryFeed) -> None:
        """One stream of the feed ended; the last one stops its reader."""
        feed.readers -= 1
        if feed.readers > 0:
            return
        opening = self._feeds.get(feed.run_id)
        if opening is not None and opening.done() and opening.result() is feed:
            del self._feeds[feed.run_id]
        if feed._task is not None:
            feed._task.cancel()

    def is_open(self, run_id: str) -> bool:
        """Whether a stream of this process reads the run's history now."""
        opening = self._feeds.get(run_id)
        return opening is not None and not (opening.done() and self._stale(opening))

    @staticmethod
    def _stale(opening: "asyncio.Future[HistoryFeed]") -> bool:
        if opening.cancelled() or opening.exception() is not None:
            return True
        return opening.result().error is not None

    @staticmethod
    async def _start(client: Client, run_id: str) -> HistoryFeed:
        history = client.get_workflow_handle(run_id).fetch_history_events(
            page_size=PAGE_SIZE, wait_new_event=True
        )
        await history.fetch_next_page()
        feed = HistoryFeed(run_id)
        feed._task = asyncio.create_task(feed._read(history), name=f"history-{run_id}")
        return feed


_hub = HistoryHub()


def history_hub() -> HistoryHub:
    return _hub
