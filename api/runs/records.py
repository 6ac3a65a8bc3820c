"""A run as Temporal knows it: live progress, event history, timeline and audit record.

The event history is the source of truth; the runs index row is brought up to date
from it when it is read (a run whose API process died still says how it ended).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from api.core.errors import ApiError
from api.core.security import jwt_secret
from api.db.models import Run, User, Workflow, WorkflowVersion
from api.runs.audit import AuditVerification, audit_key, seal, verify
from api.runs.index import mark_run_ended, run_out, visible_run
from api.runs.schemas import IndexedRunStatus, RunDetail, RunTimelineOut
from api.runs.streamed_answers import add_streamed_answers
from api.runs.timeline import build_timeline, run_input_of
from api.runs.timeline_schemas import ExecutionStatus, RunTimeline
from api.versions.service import graph_content_hash, version_graph
from api.workflows.graph_store import load_graph
from settings import Settings
from workflows.graph_run import GraphRun

# Every other way an execution ends is a failed run in the index.
_INDEX_STATUS: dict[ExecutionStatus, IndexedRunStatus] = {
    "completed": "completed",
    "running": "running",
}


PROGRESS_QUERY_TIMEOUT = timedelta(seconds=1)


async def run_detail(
    *, session: Session, client: Client, settings: Settings, user: User, run_id: str
) -> RunDetail:
    """The run's index row with each step's live status, asked of the workflow itself."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    try:
        # A query waits for the workflow task under way, which holds a local step (an LLM
        # answer streams for seconds): past a second the detail goes without progress.
        progress = await client.get_workflow_handle(run.id).query(
            GraphRun.progress, rpc_timeout=PROGRESS_QUERY_TIMEOUT
        )
    except RPCError:
        progress = None
    return RunDetail(**run_out(run, settings).model_dump(), progress=progress)


async def fetch_history(client: Client, run_id: str) -> WorkflowHistory:
    """The run's event history; 409 when Temporal no longer holds it, 503 when unreachable."""
    try:
        return await client.get_workflow_handle(run_id).fetch_history()
    except RPCError as err:
        raise history_error(run_id, err) from err


def history_error(run_id: str, err: RPCError) -> ApiError:
    """What a failed history read answers: 409 when Temporal no longer holds it, else 503."""
    if err.status == RPCStatusCode.NOT_FOUND:
        return ApiError(
            409,
            "history_unavailable",
            f"Temporal no longer holds the event history of run '{run_id}' "
            "(its retention period has passed)",
            {"run_id": run_id},
        )
    return ApiError(503, "temporal_unavailable", f"Temporal is unavailable: {err.message}")


def sync_index(session: Session, run: Run, timeline: RunTimeline) -> None:
    """Brings the index row up to date with a finished run's history."""
    if run.status != "running" or timeline.status == "running":
        return
    status = _INDEX_STATUS.get(timeline.status, "failed")
    mark_run_ended(session, run, status, timeline.error, timeline.finished_at)


def unreadable_history(run_id: str, err: ValueError) -> ApiError:
    return ApiError(
        409,
        "history_unavailable",
        f"The event history of run '{run_id}' cannot be read: {err}",
        {"run_id": run_id},
    )


async def timeline_of(session: Session, client: Client, run: Run) -> RunTimeline:
    """The run's timeline from its history (redacted); the index row is synced with it."""
    history = await fetch_history(client, run.id)
    try:
        timeline = build_timeline(history)
    except ValueError as err:
        raise unreadable_history(run.id, err) from err
    await run_in_threadpool(sync_index, session, run, timeline)
    await run_in_threadpool(add_streamed_answers, session, timeline)
    return timeline


async def run_timeline(
    *, session: Session, client: Client, settings: Settings, user: User, run_id: str
) -> RunTimelineOut:
    """A run the user may see, with its timeline."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    timeline = await timeline_of(session, client, run)
    return RunTimelineOut(run=run_out(run, settings), timeline=timeline)


def _version_part(session: Session, run: Run) -> dict[str, Any]:
    """The graph the run executed: its version's snapshot, or the draft if it is unchanged."""
    part: dict[str, Any] = {
        "number": run.version_number,
        "content_hash": run.graph_hash,
        "graph": None,
        "graph_note": "",
    }
    if run.version_number is not None:
        version = (
            session.query(WorkflowVersion)
            .filter_by(workflow_id=run.workflow_id, number=run.version_number)
            .one_or_none()
        )
        if version is not None:
            part["graph"] = version_graph(version).model_dump(mode="json")
            return part
    workflow = session.get(Workflow, run.workflow_id)
    draft = load_graph(workflow) if workflow is not None else None
    if draft is not None and graph_content_hash(draft) == run.graph_hash:
        part["graph"] = draft.model_dump(mode="json")
    else:
        part["graph_note"] = (
            "the run executed a draft that has since been edited; 'plan' holds every "
            "node's configuration as it ran"
        )
    return part


def _audit_content(
    session: Session, settings: Settings, run: Run, history: WorkflowHistory, timeline: RunTimeline
) -> dict[str, Any]:
    run_input = run_input_of(history)
    workflow = session.get(Workflow, run.workflow_id)
    owner = session.get(User, run.owner_id)
    outputs: dict[str, Any] = {"status": timeline.status, "error": timeline.error, "nodes": {}}
    for node in timeline.nodes:
        if node.component == "output" and node.outputs:
            outputs["nodes"][node.node_id] = node.outputs
    return {
        "format": "genai-stack.audit-record/1",
        "exported_at": datetime.now(UTC).isoformat(),
        "run": run_out(run, settings).model_dump(mode="json"),
        "workflow": {
            "id": run.workflow_id,
            "name": workflow.name if workflow is not None else None,
        },
        "version": _version_part(session, run),
        "plan_hash": run_input.plan.plan_hash,
        "plan": run_input.plan.model_dump(mode="json"),
        "started_by": {"id": run.owner_id, "email": owner.email if owner else None},
        "inputs": {
            "query": run_input.query,
            "history": [t.model_dump(mode="json") for t in run_input.history],
            "reused_outputs": run_input.reuse,
        },
        "outputs": outputs,
        "event_history": history.to_json_dict(),
    }


async def export_audit_record(
    *, session: Session, client: Client, settings: Settings, user: User, run_id: str
) -> dict[str, Any]:
    """A finished run the user may see, as one sealed JSON document."""
    run = await run_in_threadpool(visible_run, session, user, run_id)
    history = await fetch_history(client, run.id)
    try:
        timeline = build_timeline(history, redact=False)
    except ValueError as err:
        raise unreadable_history(run.id, err) from err
    if timeline.status == "running":
        raise ApiError(
            409, "run_not_finished", f"Run '{run.id}' is still running; export it when it ends"
        )
    content = await run_in_threadpool(_audit_content, session, settings, run, history, timeline)
    return seal(content, audit_key(jwt_secret(settings)))


def verify_presented_record(settings: Settings, record: dict[str, Any]) -> AuditVerification:
    """Whether ``record`` is exactly as this server sealed it."""
    return verify(record, audit_key(jwt_secret(settings)))
