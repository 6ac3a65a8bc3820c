"""A run's durable record, read from Temporal: its event history, timeline and audit export.

The event history is the source of truth; the runs index row is brought up to date
from it when it is read (a run whose API process died still says how it ended).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from api.core.errors import ApiError
from api.core.security import jwt_secret
from api.db.models import Run, User, Workflow, WorkflowVersion
from api.runs.audit import audit_key, seal
from api.runs.index import run_out
from api.runs.timeline import build_timeline, run_input_of
from api.runs.timeline_schemas import RunTimeline
from api.versions.service import graph_content_hash, version_graph
from api.workflows.graph_store import load_graph
from settings import Settings

_INDEX_STATUS = {"completed": "completed", "running": "running"}  # everything else: failed


async def fetch_history(client: Client, run_id: str) -> WorkflowHistory:
    """The run's event history; 409 when Temporal no longer holds it, 503 when unreachable."""
    try:
        return await client.get_workflow_handle(run_id).fetch_history()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(
                409,
                "history_unavailable",
                f"Temporal no longer holds the event history of run '{run_id}' "
                "(its retention period has passed)",
                {"run_id": run_id},
            ) from err
        raise ApiError(
            503, "temporal_unavailable", f"Temporal is unavailable: {err.message}"
        ) from err


def sync_index(session: Session, run: Run, timeline: RunTimeline) -> None:
    """Brings the index row up to date with a finished run's history."""
    if run.status != "running" or timeline.status == "running":
        return
    run.status = _INDEX_STATUS.get(timeline.status, "failed")
    run.error = timeline.error
    run.finished_at = timeline.finished_at
    session.commit()


def unreadable_history(run_id: str, err: ValueError) -> ApiError:
    return ApiError(
        409,
        "history_unavailable",
        f"The event history of run '{run_id}' cannot be read: {err}",
        {"run_id": run_id},
    )


async def timeline_of(session: Session, client: Client, run: Run) -> RunTimeline:
    history = await fetch_history(client, run.id)
    try:
        timeline = build_timeline(history)
    except ValueError as err:
        raise unreadable_history(run.id, err) from err
    await run_in_threadpool(sync_index, session, run, timeline)
    return timeline


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
    session: Session, client: Client, settings: Settings, run: Run
) -> dict[str, Any]:
    """The run as one sealed JSON document."""
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
