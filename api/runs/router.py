"""Executing a workflow, the run history, and what can be done with a recorded run."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.core.deps import (
    CurrentUser,
    ExecutionQuota,
    SessionDep,
    SettingsDep,
    TemporalConnectorDep,
    TemporalDep,
)
from api.core.schemas import RunVersion
from api.runs.audit import AuditRecord, AuditVerification
from api.runs.execution import execute_graph, start_graph
from api.runs.index import runs_page
from api.runs.live_events import run_event_stream
from api.runs.records import (
    export_audit_record,
    run_detail,
    run_timeline,
    verify_presented_record,
)
from api.runs.replays import check_replays, run_comparison, start_replay, start_rerun
from api.runs.schemas import (
    ExecuteRequest,
    ExecuteResponse,
    ReplayCheckReport,
    ReplayCheckRequest,
    ReplayRequest,
    RunComparison,
    RunDetail,
    RunFilter,
    RunPage,
    RunStarted,
    RunTimelineOut,
)
from api.usage.run_usage import run_total

router = APIRouter(tags=["runs"])


@router.post("/workflows/{workflow_id}/execute", dependencies=[ExecutionQuota])
async def execute_workflow(
    workflow_id: str,
    body: ExecuteRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """Runs a version of the workflow (default: the latest published) for one query."""
    return await execute_graph(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        workflow_id=workflow_id,
        query=body.query,
        history=None,
        chat_session_id=body.session_id,
        version=body.version,
    )


@router.post("/workflows/{workflow_id}/runs", dependencies=[ExecutionQuota], status_code=202)
async def start_run(
    workflow_id: str,
    body: ExecuteRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> RunStarted:
    """Starts a run as ``execute`` does and answers at once; follow ``events_url``."""
    return await start_graph(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        workflow_id=workflow_id,
        query=body.query,
        chat_session_id=body.session_id,
        version=body.version,
    )


@router.get(
    "/runs/{run_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "The run's events"}},
)
async def run_events(
    run_id: str,
    session: SessionDep,
    user: CurrentUser,
    temporal: TemporalConnectorDep,
    last_event_id: str | None = Header(default=None, max_length=40),
) -> StreamingResponse:
    """The run's events as Server-Sent Events, rebuilt from its event history; send
    ``Last-Event-ID`` to resume after an event."""
    events = await run_event_stream(
        session=session, temporal=temporal, user=user, run_id=run_id, last_event_id=last_event_id
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/runs")
def list_runs(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    workflow_id: str | None = None,
    version: RunVersion = Query(default=None, description="A version number, or 'draft'."),
    status: str | None = Query(default=None, pattern="^(running|completed|failed)$"),
    kind: str | None = Query(default=None, pattern="^(run|rerun|replay)$"),
    user_id: str | None = Query(default=None, description="Runs one user started."),
    workspace_id: str | None = Query(default=None, max_length=64),
    parent_run_id: str | None = None,
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
) -> RunPage:
    """Runs you may see, newest first, filtered; follow ``next_cursor`` for older ones."""
    run_filter = RunFilter(
        workflow_id=workflow_id,
        version=version,
        status=status,
        kind=kind,
        user_id=user_id,
        workspace_id=workspace_id,
        parent_run_id=parent_run_id,
        started_after=started_after,
        started_before=started_before,
        cursor=cursor,
        limit=limit,
    )
    return runs_page(session, user, settings, run_filter)


@router.post("/runs/replay-check")
async def replay_check(
    body: ReplayCheckRequest, session: SessionDep, user: CurrentUser, client: TemporalDep
) -> ReplayCheckReport:
    """Replays runs' histories against the workflow code running now (determinism check)."""
    return await check_replays(session=session, client=client, user=user, request=body)


@router.post("/audit/verify")
def verify_audit_record(
    settings: SettingsDep,
    user: CurrentUser,
    record: dict[str, Any] = Body(description="An exported audit record, as it was exported."),
) -> AuditVerification:
    """Says whether a presented audit record is exactly as this server exported it."""
    return verify_presented_record(settings, record)


@router.get("/runs/{run_id}")
async def get_run(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> RunDetail:
    """One run with each step's live status, asked of the workflow itself, and its usage."""
    detail = await run_detail(
        session=session, client=client, settings=settings, user=user, run_id=run_id
    )
    usage = await run_in_threadpool(run_total, session, settings, detail.id)
    return detail.model_copy(update={"usage": usage})


@router.get("/runs/{run_id}/timeline")
async def get_timeline(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> RunTimelineOut:
    """The run node by node — status, times, attempts and errors, inputs and outputs —
    built from its Temporal event history."""
    return await run_timeline(
        session=session, client=client, settings=settings, user=user, run_id=run_id
    )


@router.get("/runs/{run_id}/audit", response_model=AuditRecord)
async def export_audit(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> JSONResponse:
    """The finished run as one JSON document with a SHA-256 digest and the server's seal."""
    record = await export_audit_record(
        session=session, client=client, settings=settings, user=user, run_id=run_id
    )
    filename = f"audit-{run_id}.json"
    return JSONResponse(record, headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.post("/runs/{run_id}/rerun", dependencies=[ExecutionQuota])
async def rerun(
    run_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """A new run of the same plan with the same inputs, linked to this one."""
    return await start_rerun(
        session=session, temporal=temporal, settings=settings, user=user, run_id=run_id
    )


@router.post("/runs/{run_id}/replay", dependencies=[ExecutionQuota])
async def replay_from_node(
    run_id: str,
    body: ReplayRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """Re-executes from ``from_node`` on, reusing the outputs recorded before it."""
    return await start_replay(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        run_id=run_id,
        request=body,
    )


@router.get("/runs/{run_id}/compare/{other_run_id}")
async def compare_runs(
    run_id: str,
    other_run_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> RunComparison:
    """Two runs side by side (e.g. a run and its re-run), node by node."""
    return await run_comparison(
        session=session,
        client=client,
        settings=settings,
        user=user,
        run_id=run_id,
        other_run_id=other_run_id,
    )
