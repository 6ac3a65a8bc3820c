"""Keeps the runs index truthful without anyone opening a run.

The index row of a run says ``running`` until something records how it ended. The API
that started a run records it when the run answers; but that API may have been stopped
or killed while the run went on (in its own worker after a restart, or in the worker
processes), and a run started without waiting for it has nobody to record it. So every
API process sweeps the runs still ``running`` once at start and then every
``RUNS_RECONCILE_INTERVAL_SECONDS``: a run whose workflow has closed gets its status,
error and end time from its event history (the source of truth), exactly as opening its
timeline would record them, and a chat run's answer is stored in its chat session. Sweeps
of several API processes may overlap; the update is the same whoever makes it, and a chat
answer is stored once (one answer per run).
"""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from api.chat.history import record_answer
from api.core.errors import ApiError
from api.core.temporal import TemporalConnector
from api.db.models import Run
from api.runs.execution import run_answer
from api.runs.index import mark_run_ended
from api.runs.records import sync_index
from api.runs.timeline import build_timeline
from api.runs.timeline_schemas import RunTimeline
from workflows.graph_run import GraphRun

log = logging.getLogger("api")

SWEEP_LIMIT = 200
# A row is committed just before its workflow starts: a missing workflow younger than
# this is still starting, older means it never started.
_NEVER_STARTED_AFTER = timedelta(minutes=5)


def _running_runs(sessions: sessionmaker[Session]) -> list[tuple[str, datetime]]:
    with sessions() as session:
        rows = session.execute(
            select(Run.id, Run.started_at)
            .where(Run.status == "running")
            .order_by(Run.started_at)
            .limit(SWEEP_LIMIT)
        ).all()
    return [(run_id, started_at) for run_id, started_at in rows]


async def reconcile_once(sessions: sessionmaker[Session], client: Client) -> int:
    """Records the end of every indexed ``running`` run whose workflow has closed; how
    many rows changed."""
    changed = 0
    for run_id, started_at in await asyncio.to_thread(_running_runs, sessions):
        handle = client.get_workflow_handle(run_id)
        try:
            description = await handle.describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            if datetime.now(UTC) - started_at > _NEVER_STARTED_AFTER:
                await asyncio.to_thread(_never_started, sessions, run_id)
                changed += 1
            continue
        if description.status == WorkflowExecutionStatus.RUNNING:
            continue
        try:
            timeline = build_timeline(await handle.fetch_history())
        except ValueError as err:
            log.warning("run %s: its history cannot be read (%s)", run_id, err)
            continue
        chat = await asyncio.to_thread(_sync, sessions, run_id, timeline)
        if chat is not None and timeline.status == "completed":
            await _record_chat_answer(sessions, client, run_id, chat)
        changed += 1
    return changed


def _sync(
    sessions: sessionmaker[Session], run_id: str, timeline: RunTimeline
) -> tuple[str, int | None] | None:
    """Records the run's end; its chat session and version when it belongs to a chat."""
    with sessions() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        sync_index(session, run, timeline)
        return (run.session_id, run.version_number) if run.session_id else None


async def _record_chat_answer(
    sessions: sessionmaker[Session], client: Client, run_id: str, chat: tuple[str, int | None]
) -> None:
    """Stores the answer of a chat run whose request was gone when it completed."""
    chat_id, version = chat
    result = await client.get_workflow_handle_for(GraphRun.run, run_id).result()
    answer = run_answer(run_id, version, result.outputs[0])

    def record() -> None:
        with sessions() as session:
            record_answer(session, chat_id, answer)

    await asyncio.to_thread(record)


def _never_started(sessions: sessionmaker[Session], run_id: str) -> None:
    with sessions() as session:
        run = session.get(Run, run_id)
        if run is not None and run.status == "running":
            message = "the run was recorded but its workflow never started"
            mark_run_ended(session, run, "failed", message, datetime.now(UTC))


async def reconcile_forever(
    sessions: sessionmaker[Session], connector: TemporalConnector, interval: float
) -> None:
    """Sweeps at once, then every ``interval`` seconds, until cancelled; a sweep that
    cannot reach Temporal or the database is logged and tried again at the next one."""
    while True:
        try:
            changed = await reconcile_once(sessions, await connector.client())
            if changed:
                log.info("runs index: %d finished run(s) recorded", changed)
        except (ApiError, RPCError, OSError) as err:
            log.warning("runs index: the sweep failed (%s); trying again later", err)
        except Exception:
            log.exception("runs index: the sweep failed; trying again later")
        await asyncio.sleep(interval)
