"""Executing a workflow, the run history, and what can be done with a recorded run."""

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from temporalio.service import RPCError

from api.core.deps import CurrentUser, SessionDep, SettingsDep, TemporalConnectorDep, TemporalDep
from api.core.security import jwt_secret
from api.runs.audit import AuditRecord, AuditVerification, audit_key, verify
from api.runs.execution import execute_graph, run_prepared
from api.runs.index import list_runs_page, own_run, run_out, visible_run
from api.runs.records import export_audit_record, fetch_history, timeline_of
from api.runs.replays import check_runs, compare_nodes, prepare_replay, prepare_rerun
from api.runs.schemas import (
    ExecuteRequest,
    ExecuteResponse,
    ReplayCheckReport,
    ReplayCheckRequest,
    ReplayRequest,
    RunComparison,
    RunDetail,
    RunPage,
    RunTimelineOut,
)
from workflows.graph import VersionNumber
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
    """Runs a version of the workflow (default: the latest published) for one query."""
    return await execute_graph(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        workflow_id=workflow_id,
        query=body.query,
        history=[],
        version=body.version,
    )


@router.get("/runs")
def list_runs(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    workflow_id: str | None = None,
    version: VersionNumber | Literal["draft"] | None = Query(
        default=None, description="A version number, or 'draft'."
    ),
    status: str | None = Query(default=None, pattern="^(running|completed|failed)$"),
    kind: str | None = Query(default=None, pattern="^(run|rerun|replay)$"),
    user_id: str | None = Query(default=None, description="Administrators: one user's runs."),
    parent_run_id: str | None = None,
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
) -> RunPage:
    """Runs you may see, newest first, filtered; follow ``next_cursor`` for older ones."""
    rows, next_cursor = list_runs_page(
        session,
        user,
        workflow_id=workflow_id,
        version=version,
        status=status,
        kind=kind,
        user_id=user_id,
        parent_run_id=parent_run_id,
        started_after=started_after,
        started_before=started_before,
        cursor=cursor,
        limit=limit,
    )
    return RunPage(items=[run_out(r, settings) for r in rows], next_cursor=next_cursor)


@router.post("/runs/replay-check")
async def replay_check(
    body: ReplayCheckRequest, session: SessionDep, user: CurrentUser, client: TemporalDep
) -> ReplayCheckReport:
    """Replays runs' histories against the workflow code running now (determinism check)."""

    def chosen() -> list[str]:
        ids = [own_run(session, user, run_id).id for run_id in body.run_ids]
        if body.recent:
            rows, _ = list_runs_page(
                session, user, workflow_id=None, version=None, status=None, kind=None,
                user_id=user.id, parent_run_id=None, started_after=None, started_before=None,
                cursor=None, limit=body.recent,
            )  # fmt: skip
            ids += [r.id for r in rows if r.id not in ids]
        return ids

    results = await check_runs(client, await run_in_threadpool(chosen))
    failures = sum(1 for r in results if not r.replays)
    return ReplayCheckReport(checked=len(results), failures=failures, results=results)


@router.post("/audit/verify")
def verify_audit_record(
    settings: SettingsDep,
    user: CurrentUser,
    record: dict[str, Any] = Body(description="An exported audit record, as it was exported."),
) -> AuditVerification:
    """Says whether a presented audit record is exactly as this server exported it."""
    return verify(record, audit_key(jwt_secret(settings)))


@router.get("/runs/{run_id}")
async def get_run(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> RunDetail:
    """One run with each step's live status, asked of the workflow itself."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    try:
        progress = await client.get_workflow_handle(run.id).query(GraphRun.progress)
    except RPCError:
        progress = None
    return RunDetail(**run_out(run, settings).model_dump(), progress=progress)


@router.get("/runs/{run_id}/timeline")
async def get_timeline(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> RunTimelineOut:
    """The run node by node — status, times, attempts and errors, inputs and outputs —
    built from its Temporal event history."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    timeline = await timeline_of(session, client, run)
    return RunTimelineOut(run=run_out(run, settings), timeline=timeline)


@router.get("/runs/{run_id}/audit", response_model=AuditRecord)
async def export_audit(
    run_id: str, session: SessionDep, user: CurrentUser, settings: SettingsDep, client: TemporalDep
) -> JSONResponse:
    """The finished run as one JSON document with a SHA-256 digest and the server's seal."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    record = await export_audit_record(session, client, settings, run)
    filename = f"audit-{run.id}.json"
    return JSONResponse(record, headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.post("/runs/{run_id}/rerun")
async def rerun(
    run_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """A new run of the same plan with the same inputs, linked to this one."""
    parent = await run_in_threadpool(own_run, session, user, run_id)
    history = await fetch_history(await temporal.client(), parent.id)
    prepared = await run_in_threadpool(prepare_rerun, session, parent, history)
    return await run_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )


@router.post("/runs/{run_id}/replay")
async def replay_from_node(
    run_id: str,
    body: ReplayRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ExecuteResponse:
    """Re-executes from ``from_node`` on, reusing the outputs recorded before it."""
    parent = await run_in_threadpool(own_run, session, user, run_id)
    history = await fetch_history(await temporal.client(), parent.id)
    prepared = await run_in_threadpool(
        prepare_replay, session, user, parent, history, body.from_node, body.version
    )
    return await run_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
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
    left = await run_in_threadpool(visible_run, session, user, run_id)
    right = await run_in_threadpool(visible_run, session, user, other_run_id)
    left_timeline = await timeline_of(session, client, left)
    right_timeline = await timeline_of(session, client, right)
    nodes = compare_nodes(left_timeline, right_timeline)
    return RunComparison(
        left=run_out(left, settings),
        right=run_out(right, settings),
        same_plan=left.plan_hash == right.plan_hash,
        same_outputs=all(n.same_outputs for n in nodes if n.left and n.left.component == "output"),
        nodes=nodes,
    )
