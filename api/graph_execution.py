"""Starts a ``GraphRun`` for a workflow's graph, records it in the runs index, and answers."""

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.db.models import Run, User, utcnow
from api.errors import ApiError
from api.graph_store import load_graph, owned_workflow
from api.knowledge_refs import resolve_knowledge_bases
from api.schemas import ExecuteResponse
from api.temporal_client import TemporalConnector
from settings import Settings
from workflows.compiler import GraphInvalid, compile_graph
from workflows.components import UserQueryConfig
from workflows.graph import Graph
from workflows.graph_run import GraphRun
from workflows.plan import GraphRunInput, Plan
from workflows.step_io import ChatTurn


def compile_or_raise(session: Session, user: User, graph: Graph) -> Plan:
    """The plan for the user's ``graph``, or a 422 listing every problem."""
    graph, problems = resolve_knowledge_bases(session, user, graph)
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


def _begin_run(
    session: Session, user: User, workflow_id: str, query: str, chat_session_id: str | None
) -> tuple[Plan, Run]:
    """Compiles the user's workflow for ``query`` and records a new run of it."""
    plan = compile_or_raise(session, user, load_graph(owned_workflow(session, user, workflow_id)))
    _check_query(plan, query)
    run = Run(
        id=f"run-{uuid.uuid4()}",
        workflow_id=workflow_id,
        owner_id=user.id,
        session_id=chat_session_id,
        plan_hash=plan.plan_hash,
    )
    session.add(run)
    session.commit()
    return plan, run


async def execute_graph(
    *,
    session: Session,
    temporal: TemporalConnector,
    settings: Settings,
    user: User,
    workflow_id: str,
    query: str,
    history: list[ChatTurn],
    chat_session_id: str | None = None,
) -> ExecuteResponse:
    """Compiles the user's workflow, runs it on Temporal and returns the first output.

    Database work runs in the thread pool: a commit waits for PostgreSQL's WAL flush,
    and doing that on the event loop serialised every concurrent run behind it.
    """
    client = await temporal.client()  # before any row is written: unreachable means no run
    plan, run = await run_in_threadpool(
        _begin_run, session, user, workflow_id, query, chat_session_id
    )
    try:
        result = await client.execute_workflow(
            GraphRun.run,
            GraphRunInput(plan=plan, query=query, history=history),
            id=run.id,
            task_queue=settings.graph_run_task_queue,
            execution_timeout=timedelta(seconds=settings.run_timeout_seconds),
            request_eager_start=temporal.eager_start,
        )
    except WorkflowFailureError as err:
        message, node_id = _failure_message(err)
        await run_in_threadpool(_finish, session, run, "failed", message)
        raise ApiError(502, "run_failed", message, {"run_id": run.id, "node_id": node_id}) from err
    except RPCError as err:
        message = f"Temporal is unavailable: {err.message}"
        await run_in_threadpool(_finish, session, run, "failed", message)
        raise ApiError(503, "temporal_unavailable", message) from err
    await run_in_threadpool(_finish, session, run, "completed", None)
    output = result.outputs[0]
    return ExecuteResponse(
        response=output.response,
        model=output.model,
        usage=output.usage,
        context_used=output.context_used,
        run_id=run.id,
        citations=output.citations,
        web_sources=output.web_sources,
    )


def _finish(session: Session, run: Run, status: str, error: str | None) -> None:
    run.status = status
    run.error = error
    run.finished_at = utcnow()
    session.commit()
