"""The runs index: who may see a run, listing with filters and cursors, its row shape,
and how a run's end is recorded on it.

Members of a workspace see its runs (viewers too); re-running and replaying need a role
that may run. An administrator may also read (list, open, export) every run — read only.
"""

import base64
import binascii
from datetime import UTC, datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from api.core.access import Action, accessible, member_workspace_ids
from api.core.errors import ApiError, not_found
from api.db.models import Run, User
from api.runs.schemas import IndexedRunStatus, RunFilter, RunOut, RunPage
from settings import Settings, get_settings
from telemetry.metrics import WORKFLOW_DURATION, WORKFLOW_EXECUTIONS


def visible_run(session: Session, user: User, run_id: str) -> Run:
    """A run the user may read: any run of their workspaces, or any run for an
    administrator; 404 otherwise."""
    if not user.is_admin:
        return accessible(session, Run, run_id, user, "run", Action.VIEW)
    run = session.get(Run, run_id)
    if run is None:
        raise not_found("run", run_id)
    return run


def runnable_run(session: Session, user: User, run_id: str) -> Run:
    """A run the user may act on (re-run, replay, replay-check): one of a workspace in which
    the user's role may run workflows."""
    return accessible(session, Run, run_id, user, "run", Action.RUN)


def temporal_ui_url(settings: Settings, run_id: str) -> str:
    return f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{run_id}"


def run_out(run: Run, settings: Settings) -> RunOut:
    return RunOut(
        id=run.id,
        workflow_id=run.workflow_id,
        user_id=run.owner_id,
        workspace_id=run.workspace_id,
        session_id=run.session_id,
        version=run.version_number,
        graph_hash=run.graph_hash,
        plan_hash=run.plan_hash,
        query=run.query,
        kind=run.kind,
        parent_run_id=run.parent_run_id,
        replay_from_node=run.replay_from_node,
        status=run.status,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        temporal_ui_url=temporal_ui_url(settings, run.id),
        trace_id=run.trace_id,
    )


def encode_cursor(run: Run) -> str:
    raw = f"{run.started_at.isoformat()}|{run.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        started, run_id = raw.split("|", 1)
        return datetime.fromisoformat(started), run_id
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise ApiError(
            422,
            "invalid_request",
            "The cursor is not one this API issued; pass next_cursor from the previous page",
            {"problems": [{"field": "cursor", "message": "not a cursor"}]},
        ) from err


def list_runs_page(
    session: Session, user: User, run_filter: RunFilter
) -> tuple[list[Run], str | None]:
    """A page of runs the user may see, newest first (keyset pagination on start time, id)."""
    f = run_filter
    stmt = select(Run)
    if not user.is_admin:
        stmt = stmt.where(Run.workspace_id.in_(member_workspace_ids(session, user)))
    if f.workspace_id:
        stmt = stmt.where(Run.workspace_id == f.workspace_id)
    if f.user_id:
        stmt = stmt.where(Run.owner_id == f.user_id)
    if f.workflow_id:
        stmt = stmt.where(Run.workflow_id == f.workflow_id)
    if f.version == "draft":
        stmt = stmt.where(Run.version_number.is_(None))
    elif f.version is not None:
        stmt = stmt.where(Run.version_number == f.version)
    if f.status:
        stmt = stmt.where(Run.status == f.status)
    if f.kind:
        stmt = stmt.where(Run.kind == f.kind)
    if f.parent_run_id:
        stmt = stmt.where(Run.parent_run_id == f.parent_run_id)
    if f.started_after:
        stmt = stmt.where(Run.started_at >= f.started_after)
    if f.started_before:
        stmt = stmt.where(Run.started_at < f.started_before)
    if f.cursor:
        at, after_id = decode_cursor(f.cursor)
        # A row comparison, so the index on (…, started_at, id) seeks straight to the page.
        stmt = stmt.where(tuple_(Run.started_at, Run.id) < tuple_(at, after_id))
    rows = list(
        session.scalars(stmt.order_by(Run.started_at.desc(), Run.id.desc()).limit(f.limit + 1))
    )
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


def runs_page(session: Session, user: User, settings: Settings, run_filter: RunFilter) -> RunPage:
    """``GET /runs``: the page of ``list_runs_page`` as the API answers it."""
    rows, next_cursor = list_runs_page(session, user, run_filter)
    return RunPage(items=[run_out(r, settings) for r in rows], next_cursor=next_cursor)


def mark_run_ended(
    session: Session,
    run: Run,
    status: IndexedRunStatus,
    error: str | None,
    finished_at: datetime | None,
) -> bool:
    """Records on the index row how and when the run ended, and commits; True when this
    call recorded it.

    Only a row still ``running`` changes: several API processes may see the same end (the
    request waiting for the run, timeline reads, reconcile sweeps), and the first to update
    the row is the one that counts it (``workflow_executions_total``). ``run`` then holds the
    row as it is.
    """
    changed = session.execute(
        update(Run)
        .where(Run.id == run.id, Run.status == "running")
        .values(status=status, error=error, finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if changed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
        session.refresh(run)
        return False
    for field, value in (("status", status), ("error", error), ("finished_at", finished_at)):
        set_committed_value(run, field, value)
    if get_settings().metrics_enabled:
        record_run_end(status, run.started_at, finished_at)
    return True


def record_run_end(status: str, started_at: datetime, finished_at: datetime | None) -> None:
    """Counts one ended run, and its duration when its end time is known."""
    WORKFLOW_EXECUTIONS.labels(status).inc()
    if finished_at is not None:
        # As the column reads them back: a naive time is UTC.
        end, start = (t if t.tzinfo else t.replace(tzinfo=UTC) for t in (finished_at, started_at))
        seconds = (end - start).total_seconds()
        WORKFLOW_DURATION.labels(status).observe(max(seconds, 0.0))
