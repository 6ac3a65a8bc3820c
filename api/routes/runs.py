"""Executing a workflow and reading the runs index."""

from datetime import datetime

from fastapi import APIRouter, Query
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from temporalio.service import RPCError

from api.db.models import Run
from api.deps import CurrentUser, SessionDep, SettingsDep, TemporalConnectorDep, TemporalDep
from api.graph_execution import execute_graph
from api.ownership import owned
from api.schemas import ExecuteRequest, ExecuteResponse, RunDetail, RunOut
from settings import Settings
from workflows.graph_run import GraphRun

router = APIRouter(tags=["runs"])


@router.post("/workflows/{workflow_id}/execute")
async def execute_workflow(
    workflow_id: str,
    body: ExecuteRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """Runs the workflow's graph for one query and returns the answer with its run id."""
    return await execute_graph(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        workflow_id=workflow_id,
        query=body.query,
        history=[],
    )


def _run_out(run: Run, settings: Settings) -> RunOut:
    ui = f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{run.id}"
    return RunOut(
        id=run.id,
        workflow_id=run.workflow_id,
        session_id=run.session_id,
        status=run.status,
        plan_hash=run.plan_hash,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        temporal_ui_url=ui,
    )


@router.get("/runs")
def list_runs(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    workflow_id: str | None = None,
    status: str | None = Query(default=None, pattern="^(running|completed|failed)$"),
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[RunOut]:
    """Lists the user's runs, newest first, with optional filters."""
    stmt = select(Run).where(Run.owner_id == user.id)
    if workflow_id:
        stmt = stmt.where(Run.workflow_id == workflow_id)
    if status:
        stmt = stmt.where(Run.status == status)
    if started_after:
        stmt = stmt.where(Run.started_at >= started_after)
    if started_before:
        stmt = stmt.where(Run.started_at < started_before)
    rows = session.scalars(stmt.order_by(Run.started_at.desc()).limit(limit).offset(offset))
    return [_run_out(r, settings) for r in rows]


@router.get("/runs/{run_id}")
async def get_run(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> RunDetail:
    """One run with each step's status, asked of the workflow itself."""
    run = await run_in_threadpool(owned, session, Run, run_id, user, "run")
    try:
        progress = await client.get_workflow_handle(run.id).query(GraphRun.progress)
    except RPCError:
        progress = None
    return RunDetail(**_run_out(run, settings).model_dump(), progress=progress)
