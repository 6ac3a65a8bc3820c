"""Purging archived workflows: an administrator's action, separate from deleting.

Deleting a workflow only archives it (``api.workflows.service.archive_workflow``). Once it
has been archived for ``ARCHIVE_RETENTION_DAYS``, an administrator may purge it: the
workflow, its graph, runs, versions, chat sessions and messages leave the database. The
runs' Temporal histories are not touched (the namespace's retention applies to them), and
audit records exported earlier still verify: a record is checked against its own digest
and the server's seal, never against rows.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.core.errors import ApiError, not_found
from api.db.models import (
    ChatMessage,
    ChatSession,
    Run,
    Workflow,
    WorkflowVersion,
    utcnow,
)
from api.workflows.schemas import PurgedWorkflow, PurgeReport, PurgeRequest
from settings import Settings


def _count(session: Session, column: InstrumentedAttribute[str], workflow_id: str) -> int:
    return session.scalar(select(func.count()).where(column == workflow_id)) or 0


def _purgeable(session: Session, workflow_id: str, retention: timedelta, now: datetime) -> Workflow:
    """The workflow, locked, if archived ``retention`` before ``now``; 404 or 409 otherwise."""
    workflow = session.scalar(select(Workflow).where(Workflow.id == workflow_id).with_for_update())
    if workflow is None:
        raise not_found("workflow", workflow_id)
    if workflow.archived_at is None:
        raise ApiError(
            409,
            "workflow_not_archived",
            f"Workflow '{workflow_id}' is not archived; only archived workflows are purged",
            {"id": workflow_id},
        )
    purgeable_after = workflow.archived_at + retention
    if purgeable_after > now:
        raise ApiError(
            409,
            "retention_not_elapsed",
            f"Workflow '{workflow_id}' was archived at {workflow.archived_at.isoformat()}; "
            f"it can be purged after {purgeable_after.isoformat()}",
            {
                "id": workflow_id,
                "archived_at": workflow.archived_at.isoformat(),
                "purgeable_after": purgeable_after.isoformat(),
            },
        )
    return workflow


def _report(session: Session, workflow: Workflow) -> PurgedWorkflow:
    assert workflow.archived_at is not None
    return PurgedWorkflow(
        id=workflow.id,
        name=workflow.name,
        owner_id=workflow.owner_id,
        archived_at=workflow.archived_at,
        runs=_count(session, Run.workflow_id, workflow.id),
        versions=_count(session, WorkflowVersion.workflow_id, workflow.id),
        chat_sessions=_count(session, ChatSession.workflow_id, workflow.id),
    )


def _erase(session: Session, workflow: Workflow) -> None:
    """Deletes the workflow and every row that belongs to it (the caller commits)."""
    chats = select(ChatSession.id).where(ChatSession.workflow_id == workflow.id)
    session.execute(delete(ChatMessage).where(ChatMessage.session_id.in_(chats)))
    session.execute(delete(Run).where(Run.workflow_id == workflow.id))
    session.execute(delete(ChatSession).where(ChatSession.workflow_id == workflow.id))
    session.execute(delete(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id))
    session.delete(workflow)  # its components and edges go with it


def purge_archived(session: Session, *, settings: Settings, body: PurgeRequest) -> PurgeReport:
    """Purges the requested archived workflows, or every one archived for the retention
    period; with ``dry_run`` only reports them. Named workflows are all checked first:
    one that cannot be purged (404, 409) stops the request before anything is erased."""
    now = utcnow()
    retention = timedelta(days=settings.archive_retention_days)
    cutoff = now - retention
    if body.workflow_ids is not None:
        ids = dict.fromkeys(body.workflow_ids)
        workflows = [_purgeable(session, i, retention, now) for i in ids]
    else:
        eligible = Workflow.archived_at.is_not(None) & (Workflow.archived_at <= cutoff)
        query = select(Workflow).where(eligible).order_by(Workflow.archived_at, Workflow.id)
        workflows = list(session.scalars(query.with_for_update()))
    purged = [_report(session, w) for w in workflows]
    if body.dry_run:
        session.rollback()
    else:
        for workflow in workflows:
            _erase(session, workflow)
        session.commit()
    return PurgeReport(
        retention_days=settings.archive_retention_days,
        cutoff=cutoff,
        dry_run=body.dry_run,
        purged=purged,
    )
