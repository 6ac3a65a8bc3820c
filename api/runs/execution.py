"""Starts a ``GraphRun`` for a workflow's graph, records it in the runs index, and answers.

A run executes a chosen version of the workflow: a published version by number, the
draft (the builder's test mode), or by default the latest published version — the
draft when nothing is published yet. The run row records which, with the graph's
content hash, so a run can always be traced to the exact graph that produced it.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.chat.history import conversation_turns
from api.connections.refs import resolve_connections
from api.core.access import Action
from api.core.errors import ApiError
from api.core.schemas import RunVersion
from api.core.search_attributes import run_search_attributes
from api.core.temporal import TemporalConnector
from api.db.models import Run, User, Workflow, utcnow
from api.db.session import get_sessionmaker
from api.knowledge.refs import resolve_knowledge_bases
from api.runs.index import mark_run_ended
from api.runs.schemas import ExecuteResponse, RunStarted
from api.versions.service import (
    graph_content_hash,
    latest_version,
    version_by_number,
    version_graph,
)
from api.workflows.graph_store import load_graph, workflow_for_change
from settings import Settings, get_settings
from telemetry.tracing import current_trace_id
from workflows.compiler import GraphInvalid, compile_graph
from workflows.components import UserQueryConfig
from workflows.graph import Graph
from workflows.graph_run import GraphRun
from workflows.plan import GraphRunInput, GraphRunResult, Plan, RunOutput
from workflows.step_io import ChatTurn

log = logging.getLogger("api")


def compile_or_raise(session: Session, workspace_id: str, graph: Graph) -> Plan:
    """The plan for the user's ``graph``, or a 422 listing every problem.

    The knowledge bases and provider connections the graph names are resolved first: only
    knowledge bases of the workflow's workspace (so everyone who may run it may read
    them), and only connections an administrator or the environment defines."""
    graph, problems = resolve_knowledge_bases(session, workspace_id, graph)
    graph, connection_problems = resolve_connections(session, get_settings(), graph)
    problems += connection_problems
    try:
        plan = compile_graph(graph)
    except GraphInvalid as invalid:
        problems += invalid.problems
    if not problems:
        return plan
    message = f"The workflow has {len(problems)} problem(s): " + "; ".join(
        p.message for p in problems[:3]
    )
    raise ApiError(422, "graph_invalid", message, {"problems": [p.model_dump() for p in problems]})


def _check_query(plan: Plan, query: str) -> None:
    entry = plan.step(plan.entry_step).config
    if isinstance(entry, UserQueryConfig) and len(query) > entry.max_length:
        raise ApiError(
            422,
            "query_too_long",
            f"The query has {len(query)} characters; node '{plan.entry_step}' accepts "
            f"at most {entry.max_length}",
            {"node_id": plan.entry_step, "max_length": entry.max_length},
        )


def _failure_message(err: WorkflowFailureError) -> tuple[str, str | None]:
    """The innermost readable reason and the node it happened at."""
    cause = err.cause
    node_id = None
    if isinstance(cause, ApplicationError):
        if cause.details and isinstance(cause.details[0], dict):
            node_id = cause.details[0].get("node_id")
        return cause.message, node_id
    return str(cause or err), node_id


def select_graph(
    session: Session, workflow: Workflow, version: RunVersion
) -> tuple[Graph, int | None]:
    """The graph a run of ``version`` executes, and its version number (None: the draft)."""
    if version == "draft":
        return load_graph(workflow), None
    if version is None:
        latest = latest_version(session, workflow.id)
        if latest is None:
            return load_graph(workflow), None
        return version_graph(latest), latest.number
    chosen = version_by_number(session, workflow.id, version)
    return version_graph(chosen), chosen.number


@dataclass
class PreparedRun:
    """A run recorded in the index and the workflow input it starts with."""

    run: Run
    run_input: GraphRunInput


def new_run_id() -> str:
    return f"run-{uuid.uuid4()}"


def _begin_run(
    session: Session,
    user: User,
    workflow_id: str,
    query: str,
    history: list[ChatTurn],
    chat_session_id: str | None,
    version: RunVersion,
) -> PreparedRun:
    """Compiles the chosen version of the user's workflow and records a new run of it."""
    workflow = workflow_for_change(session, user, workflow_id, Action.RUN)
    graph, version_number = select_graph(session, workflow, version)
    plan = compile_or_raise(session, workflow.workspace_id, graph)
    _check_query(plan, query)
    run = Run(
        id=new_run_id(),
        workflow_id=workflow_id,
        owner_id=user.id,
        workspace_id=workflow.workspace_id,
        session_id=chat_session_id,
        plan_hash=plan.plan_hash,
        version_number=version_number,
        graph_hash=graph_content_hash(graph),
        query=query,
        trace_id=current_trace_id(),
    )
    session.add(run)
    session.commit()
    return PreparedRun(run, GraphRunInput(plan=plan, query=query, history=history))


async def execute_graph(
    *,
    session: Session,
    temporal: TemporalConnector,
    settings: Settings,
    user: User,
    workflow_id: str,
    query: str,
    history: list[ChatTurn] | None,
    chat_session_id: str | None = None,
    version: RunVersion = None,
) -> ExecuteResponse:
    """Compiles the user's workflow, runs it on Temporal and returns the first output.

    ``history`` None: the last turns of the chat session ``chat_session_id`` (one of the
    user's with this workflow; none without a session).
    """
    prepared = await prepare_run(
        session=session,
        temporal=temporal,
        user=user,
        workflow_id=workflow_id,
        query=query,
        history=history,
        chat_session_id=chat_session_id,
        version=version,
    )
    return await run_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )


async def prepare_run(
    *,
    session: Session,
    temporal: TemporalConnector,
    user: User,
    workflow_id: str,
    query: str,
    history: list[ChatTurn] | None,
    chat_session_id: str | None = None,
    version: RunVersion = None,
) -> PreparedRun:
    """Compiles the chosen version of the user's workflow and records a run of it, not yet
    started (``history`` None: the chat session's own last turns).

    Database work runs in the thread pool: a commit waits for PostgreSQL's WAL flush,
    and doing that on the event loop serialised every concurrent run behind it.
    """
    await temporal.client()  # before any row is written: unreachable means no run
    if history is None:  # the chat session's own last turns
        history = await run_in_threadpool(
            _session_history, session, user, workflow_id, chat_session_id
        )
    return await run_in_threadpool(
        _begin_run, session, user, workflow_id, query, history, chat_session_id, version
    )


async def start_graph(
    *,
    session: Session,
    temporal: TemporalConnector,
    settings: Settings,
    user: User,
    workflow_id: str,
    query: str,
    chat_session_id: str | None = None,
    version: RunVersion = None,
) -> RunStarted:
    """Compiles, records and starts a run as ``execute_graph`` does, without waiting for it:
    its progress and answer are read from ``GET /runs/{id}/events``."""
    prepared = await prepare_run(
        session=session,
        temporal=temporal,
        user=user,
        workflow_id=workflow_id,
        query=query,
        history=None,
        chat_session_id=chat_session_id,
        version=version,
    )
    handle = await start_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )
    run_id = prepared.run.id
    answer_in_background(run_id, handle)
    return RunStarted(run_id=run_id, events_url=f"/api/v1/runs/{run_id}/events")


# Runs this process waits for on behalf of requests that did not (kept referenced).
_background: set["asyncio.Task[None]"] = set()


def answer_in_background(
    run_id: str,
    handle: WorkflowHandle[Any, GraphRunResult],
    then: Callable[[Session, ExecuteResponse], object] | None = None,
) -> None:
    """Waits for a started run in this process, records how it ended and passes its answer
    to ``then`` (with a session of its own). If this process stops first, the runs index's
    sweep (``api.runs.reconcile``) records the end instead."""

    async def wait() -> None:
        with get_sessionmaker()() as session:
            run = await run_in_threadpool(_run_released, session, run_id)
            try:
                answer = await await_answer(session=session, run=run, handle=handle)
            except ApiError as err:
                log.info("run %s ended without an answer: %s", run_id, err.message)
                return
            if then is not None:
                await run_in_threadpool(then, session, answer)

    task = asyncio.create_task(wait(), name=f"answer-{run_id}")
    _background.add(task)
    task.add_done_callback(_background.discard)


def _run_released(session: Session, run_id: str) -> Run:
    """The run's row, with the session's connection given back (the run may last minutes)."""
    run = session.get_one(Run, run_id)
    session.commit()
    return run


def _session_history(
    session: Session, user: User, workflow_id: str, chat_session_id: str | None
) -> list[ChatTurn]:
    """The last turns of the user's chat session with this workflow (none without one)."""
    if chat_session_id is None:
        return []
    return conversation_turns(session, user, chat_session_id, workflow_id)


async def start_prepared(
    *, session: Session, temporal: TemporalConnector, settings: Settings, prepared: PreparedRun
) -> WorkflowHandle[Any, GraphRunResult]:
    """Starts a recorded run on Temporal; a start that fails is recorded as a failed run."""
    client = await temporal.client()
    run = prepared.run
    try:
        return await client.start_workflow(
            GraphRun.run,
            prepared.run_input,
            id=run.id,
            task_queue=settings.graph_run_task_queue,
            execution_timeout=timedelta(seconds=settings.run_timeout_seconds),
            request_eager_start=temporal.eager_start,
            search_attributes=run_search_attributes(
                run.workflow_id, run.version_number, run.owner_id, run.kind
            ),
        )
    except RPCError as err:
        message = f"Temporal is unavailable: {err.message}"
        await run_in_threadpool(mark_run_ended, session, run, "failed", message, utcnow())
        raise ApiError(503, "temporal_unavailable", message) from err


async def run_prepared(
    *, session: Session, temporal: TemporalConnector, settings: Settings, prepared: PreparedRun
) -> ExecuteResponse:
    """Executes a recorded run on Temporal, records how it ended, and returns its answer."""
    handle = await start_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )
    return await await_answer(session=session, run=prepared.run, handle=handle)


async def await_answer(
    *, session: Session, run: Run, handle: WorkflowHandle[Any, GraphRunResult]
) -> ExecuteResponse:
    """Waits for a started run, records how it ended, and returns its answer (502 naming
    the node when it failed)."""
    try:
        result = await handle.result()
    except WorkflowFailureError as err:
        message, node_id = _failure_message(err)
        await run_in_threadpool(mark_run_ended, session, run, "failed", message, utcnow())
        raise ApiError(502, "run_failed", message, {"run_id": run.id, "node_id": node_id}) from err
    except RPCError as err:
        message = f"Temporal is unavailable: {err.message}"
        await run_in_threadpool(mark_run_ended, session, run, "failed", message, utcnow())
        raise ApiError(503, "temporal_unavailable", message) from err
    await run_in_threadpool(mark_run_ended, session, run, "completed", None, utcnow())
    return run_answer(run.id, run.version_number, result.outputs[0])


def run_answer(run_id: str, version: int | None, output: RunOutput) -> ExecuteResponse:
    """A run's answer as ``execute`` returns it (and the event stream's ``run_completed``)."""
    return ExecuteResponse(
        response=output.response,
        model=output.model,
        usage=output.usage,
        context_used=output.context_used,
        run_id=run_id,
        version=version,
        citations=output.citations,
        web_sources=output.web_sources,
    )
