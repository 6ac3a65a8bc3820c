"""A run's events as Server-Sent Events: its Temporal history, and its answer as it streams.

The history is the source of truth, so any API process streams any run, during it or
after it ended, and after a restart. Each history event (read once per process and run by
``history_feed``) is fed in order to the timeline's ``HistoryReader``; what it changed (a
new attempt, an attempt that ended, a retry's backoff, the run's end) becomes zero or more
events:

``run_started`` · ``step_started`` (node, attempt) · ``attempt_failed`` (node, attempt,
error) · ``retrying`` (node, next attempt, delay) · ``step_completed`` (node, attempt,
duration) · ``run_completed`` (the answer, as ``execute`` returns it) or ``run_failed``.

Between them come ``token`` events — the text an LLM step is streaming, read from the
answer stream table (``answer_feed``), never from the history.

A history-derived event is numbered ``history event id × 100 + its index`` among the
events that history event produced, so the same history always yields the same numbers.
Every event's id is the client's cursor over both sources: ``"<history>"``, or
``"<history>-<answer row>"`` once a token was sent. A client that sends ``Last-Event-ID``
is sent exactly the history events and tokens after it.
"""

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError

from api.core.errors import ApiError, ErrorBody, ErrorResponse
from api.core.temporal import TemporalConnector
from api.db.models import Run, User
from api.runs.answer_feed import AnswerChunk, AnswerFeed, SlowConsumer, Subscription, answer_feed
from api.runs.execution import run_answer
from api.runs.history_feed import history_hub
from api.runs.index import visible_run
from api.runs.records import history_error
from api.runs.redaction import redact
from api.runs.timeline import HistoryReader, event_time, started_input
from api.runs.timeline_schemas import AttemptRecord
from settings import get_settings
from telemetry.metrics import EVENT_STREAMS_OPEN

# Events one history event may produce, at most (an attempt is at most three: retrying,
# started, ended; a step has at most 20 attempts).
ID_FACTOR = 100
# A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0

_FAILED = ("failed", "timed_out", "cancelled")

RunEventName = Literal[
    "run_started",
    "step_started",
    "attempt_failed",
    "retrying",
    "step_completed",
    "run_completed",
    "run_failed",
]


class PlanNode(BaseModel):
    node_id: str
    component: str


class RunStartedData(BaseModel):
    run_id: str
    started_at: datetime
    nodes: list[PlanNode]


class StepStartedData(BaseModel):
    node_id: str
    attempt: int


class AttemptFailedData(BaseModel):
    node_id: str
    attempt: int
    status: str
    error: str | None
    error_type: str | None


class RetryingData(BaseModel):
    node_id: str
    attempt: int  # the attempt that comes next
    delay_ms: int | None


class StepCompletedData(BaseModel):
    node_id: str
    attempt: int
    duration_ms: int | None


class RunFailedData(BaseModel):
    run_id: str
    status: str
    message: str
    node_id: str | None


@dataclass(frozen=True)
class LiveEvent:
    id: int
    event: RunEventName
    data: BaseModel

    def encode(self) -> str:
        return f"id: {self.id}\nevent: {self.event}\ndata: {self.data.model_dump_json()}\n\n"


def _duration_ms(attempt: AttemptRecord) -> int | None:
    start = attempt.started_at or attempt.scheduled_at
    if start is None or attempt.finished_at is None:
        return None
    return max(0, round((attempt.finished_at - start).total_seconds() * 1000))


@dataclass
class RunEventBuilder:
    """Turns a ``GraphRun`` history, event by event, into the run's stream events."""

    run_id: str
    version: int | None
    _reader: HistoryReader | None = None
    # Per node, per attempt index: what was sent ("running" or the attempt's end status).
    _sent: dict[str, list[str]] = field(default_factory=dict)
    _retry_sent: set[tuple[str, int]] = field(default_factory=set)
    ended: bool = False

    def on_event(self, event: HistoryEvent) -> list[LiveEvent]:
        """The events that ``event`` (the next one in the history) produces."""
        out: list[tuple[RunEventName, BaseModel]] = []
        if self._reader is None:
            run_input = started_input(event)
            if run_input is None:
                return []
            started_at = event_time(event)
            self._reader = HistoryReader(run_input, started_at)
            nodes = [
                PlanNode(node_id=s.node_id, component=s.component) for s in run_input.plan.steps
            ]
            out.append(
                (
                    "run_started",
                    RunStartedData(run_id=self.run_id, started_at=started_at, nodes=nodes),
                )
            )
        elif not self.ended:
            self._reader.feed(event)
            self._steps(out)
            self._end(out)
        if len(out) >= ID_FACTOR:  # cannot happen with at most 20 attempts a step
            raise ValueError(f"history event {event.event_id} yields {len(out)} events")
        base = event.event_id * ID_FACTOR
        return [LiveEvent(base + i, name, data) for i, (name, data) in enumerate(out)]

    def _steps(self, out: list[tuple[RunEventName, BaseModel]]) -> None:
        assert self._reader is not None
        run = self._reader.run
        for node_id, calls in run.calls.items():
            attempts = [a for call in calls for a in call.attempts]
            sent = self._sent.setdefault(node_id, [])
            for index, attempt in enumerate(attempts):
                number = index + 1
                if index >= len(sent):
                    if index > 0 and (node_id, number) not in self._retry_sent:
                        self._retry_sent.add((node_id, number))
                        out.append(
                            (
                                "retrying",
                                RetryingData(
                                    node_id=node_id, attempt=number, delay_ms=attempt.backoff_ms
                                ),
                            )
                        )
                    out.append(("step_started", StepStartedData(node_id=node_id, attempt=number)))
                    sent.append("running")
                if sent[index] != "running" or attempt.status == "running":
                    continue
                sent[index] = attempt.status
                if attempt.status == "completed":
                    out.append(
                        (
                            "step_completed",
                            StepCompletedData(
                                node_id=node_id, attempt=number, duration_ms=_duration_ms(attempt)
                            ),
                        )
                    )
                else:
                    out.append(
                        (
                            "attempt_failed",
                            AttemptFailedData(
                                node_id=node_id,
                                attempt=number,
                                status=attempt.status,
                                error=redact(attempt.error),
                                error_type=attempt.error_type,
                            ),
                        )
                    )
            if (
                node_id in run.pending_backoff_ms
                and (node_id, len(attempts) + 1) not in self._retry_sent
            ):
                self._retry_sent.add((node_id, len(attempts) + 1))
                out.append(
                    (
                        "retrying",
                        RetryingData(
                            node_id=node_id,
                            attempt=len(attempts) + 1,
                            delay_ms=run.pending_backoff_ms[node_id],
                        ),
                    )
                )

    def _end(self, out: list[tuple[RunEventName, BaseModel]]) -> None:
        assert self._reader is not None
        run = self._reader.run
        if run.status == "running":
            return
        self.ended = True
        if run.status == "completed" and run.result is not None and run.result.outputs:
            out.append(
                ("run_completed", run_answer(self.run_id, self.version, run.result.outputs[0]))
            )
            return
        out.append(
            (
                "run_failed",
                RunFailedData(
                    run_id=self.run_id,
                    status=run.status,
                    message=redact(run.error) or f"the run ended ({run.status}) without an answer",
                    node_id=run.failed_node,
                ),
            )
        )


@dataclass(frozen=True)
class EventCursor:
    """Where a client is: the last history-derived event id and the last answer-stream row
    it received. Every event's id is its cursor: ``"<history>"`` until an answer streams,
    then ``"<history>-<row>"`` — increasing, and exact to resume from."""

    history: int = 0
    answer: int = 0

    @property
    def id(self) -> str:
        return f"{self.history}-{self.answer}" if self.answer else str(self.history)


class TokenData(BaseModel):
    """Text an LLM node is streaming. ``attempt`` numbers the node's streamed answers in
    this run: a higher one replaces the text of the one before (a retry, or a step executed
    again after its worker died). ``seq`` increases through the run."""

    node_id: str
    attempt: int
    seq: int
    text: str


@dataclass(frozen=True)
class StreamEvent:
    """An event as a client receives it, with its cursor as id."""

    id: str
    event: RunEventName | Literal["token"]
    data: BaseModel

    def encode(self) -> str:
        return f"id: {self.id}\nevent: {self.event}\ndata: {self.data.model_dump_json()}\n\n"


def parse_last_event_id(value: str | None) -> EventCursor:
    """The cursor after which to send events (the start when absent); 422 if it is not one
    of ours."""
    if value is None or value.strip() == "":
        return EventCursor()
    found = re.fullmatch(r"\s*(\d{1,18})(?:-(\d{1,18}))?\s*", value)
    if found is None:
        raise ApiError(
            422,
            "invalid_request",
            "Last-Event-ID is not an event id this stream sent",
            {"problems": [{"field": "Last-Event-ID", "message": "not an event id"}]},
        )
    return EventCursor(int(found.group(1)), int(found.group(2) or 0))


@dataclass(frozen=True)
class Keepalive:
    """Nothing happened for ``KEEPALIVE_SECONDS``: a ping keeps proxies from closing."""


@dataclass(frozen=True)
class StreamError:
    """The stream cannot go on (Temporal went away mid-stream, or the client read too
    slowly); it ends after this."""

    error: ErrorResponse


StreamItem = StreamEvent | Keepalive | StreamError


async def follow_run(
    *,
    session: Session,
    temporal: TemporalConnector,
    user: User,
    run_id: str,
    after: EventCursor,
) -> AsyncIterator[StreamItem]:
    """The run's events after ``after``, as they happen; 404 for a run the user may not
    see and 409 for a history Temporal no longer holds, both before it starts."""
    run = await run_in_threadpool(_visible_run_released, session, user, run_id)
    client = await temporal.client()
    if not history_hub().is_open(run.id):  # else its history is being read already
        try:
            await client.get_workflow_handle(run.id).describe()
        except RPCError as err:
            raise history_error(run.id, err) from err
    follower = _Follower(RunEventBuilder(run.id, run.version_number), answer_feed(), after)
    return follower.follow(client)


def _visible_run_released(session: Session, user: User, run_id: str) -> Run:
    """The run (404 unless the user may see it), with the session's connection given back:
    the stream may last minutes and needs no other query."""
    run = visible_run(session, user, run_id)
    session.commit()
    return run


async def run_event_stream(
    *,
    session: Session,
    temporal: TemporalConnector,
    user: User,
    run_id: str,
    last_event_id: str | None,
) -> AsyncIterator[str]:
    """The run's events after ``last_event_id`` as SSE text; 404 for a run the user may not
    see and 409 for a history Temporal no longer holds, both before the stream starts."""
    after = parse_last_event_id(last_event_id)
    items = await follow_run(
        session=session, temporal=temporal, user=user, run_id=run_id, after=after
    )
    return _as_sse(items)


async def _as_sse(items: AsyncIterator[StreamItem]) -> AsyncIterator[str]:
    with counted_stream("sse"):
        async for item in items:
            if isinstance(item, StreamEvent):
                yield item.encode()
            elif isinstance(item, Keepalive):
                yield ": ping\n\n"
            else:
                yield f"event: error\ndata: {item.error.model_dump_json()}\n\n"


def counted_stream(
    transport: Literal["sse", "websocket"],
) -> contextlib.AbstractContextManager[Any]:
    """Counts a run event stream as open (``event_streams_open``) while the block runs."""
    if not get_settings().metrics_enabled:
        return contextlib.nullcontext()
    return EVENT_STREAMS_OPEN.labels(transport).track_inprogress()


def _temporal_unavailable(err: RPCError) -> StreamError:
    return _stream_error("temporal_unavailable", f"Temporal is unavailable: {err.message}")


def _stream_error(code: str, message: str) -> StreamError:
    return StreamError(ErrorResponse(error=ErrorBody(code=code, message=message)))


@dataclass
class _Follower:
    """Merges the run's history events and its answer stream into one ordered stream."""

    builder: RunEventBuilder
    feed: AnswerFeed
    cursor: EventCursor

    def _history_event(self, live: LiveEvent) -> StreamEvent | None:
        if live.id <= self.cursor.history:
            return None
        self.cursor = EventCursor(live.id, self.cursor.answer)
        return StreamEvent(self.cursor.id, live.event, live.data)

    def _token(self, chunk: AnswerChunk) -> StreamEvent | None:
        if chunk.id <= self.cursor.answer:
            return None
        self.cursor = EventCursor(self.cursor.history, chunk.id)
        if not chunk.text:
            return None  # a stream's end: the history tells how the attempt ended
        data = TokenData(node_id=chunk.node_id, attempt=chunk.stream, seq=chunk.id, text=chunk.text)
        return StreamEvent(self.cursor.id, "token", data)

    async def follow(self, client: Client) -> AsyncIterator[StreamItem]:
        hub = history_hub()
        try:
            history = await hub.open(client, self.builder.run_id)
        except RPCError as err:
            yield _temporal_unavailable(err)
            return
        subscription = await self.feed.subscribe(self.builder.run_id, self.cursor.answer)
        events = aiter(history.follow())
        pending: asyncio.Future[HistoryEvent] | None = None
        token: asyncio.Future[AnswerChunk] | None = None
        try:
            while not self.builder.ended:
                if pending is None:
                    pending = asyncio.ensure_future(anext(events))
                if token is None:
                    token = asyncio.ensure_future(subscription.next())
                both: set[asyncio.Future[Any]] = {pending, token}
                done, _ = await asyncio.wait(
                    both, timeout=KEEPALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if not done:
                    yield Keepalive()
                    continue
                if pending not in done:
                    # History first: a token waits while history events are at hand, so a
                    # finished run's tokens always come just before its end.
                    assert token in done
                    finished_token, token = token, None
                    try:
                        chunk = finished_token.result()
                    except SlowConsumer:
                        yield _stream_error(
                            "slow_consumer",
                            "the client read the run's events too slowly and was disconnected;"
                            " reconnect with Last-Event-ID to go on where it stopped",
                        )
                        return
                    if (sent := self._token(chunk)) is not None:
                        yield sent
                    continue
                finished, pending = pending, None
                try:
                    event = finished.result()
                except StopAsyncIteration:
                    return
                except RPCError as err:
                    yield _temporal_unavailable(err)
                    return
                for live in self.builder.on_event(event):
                    if live.event in ("run_completed", "run_failed"):
                        # The answer's rows were committed before its step completed.
                        for chunk in await self._rest(subscription, token):
                            if (sent := self._token(chunk)) is not None:
                                yield sent
                        token = None
                    if (sent := self._history_event(live)) is not None:
                        yield sent
        finally:
            hub.close(history)
            self.feed.unsubscribe(subscription)
            for waiting in (pending, token):
                if waiting is not None:
                    waiting.cancel()
                    with contextlib.suppress(BaseException):
                        await waiting

    async def _rest(
        self, subscription: Subscription, token: "asyncio.Future[AnswerChunk] | None"
    ) -> list[AnswerChunk]:
        """Every row of the run not sent yet: the ones queued, then the ones written since."""
        rows: list[AnswerChunk] = []
        if token is not None:
            if token.done() and not token.cancelled() and token.exception() is None:
                rows.append(token.result())
            else:
                token.cancel()
        while not subscription.queue.empty():
            rows.append(subscription.queue.get_nowait())
        last = max([self.cursor.answer, *(r.id for r in rows)])
        rows += await self.feed.rows_after(self.builder.run_id, last)
        return rows
