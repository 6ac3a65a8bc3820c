"""The runs index: who may see a run, listing with filters and cursors, and its row shape.

Everyone sees their own runs; an administrator may also read (list, open, export) the
runs of every user — read only: re-running and replaying stay with the run's owner.
"""

import base64
import binascii
from datetime import datetime
from typing import Literal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from api.core.errors import ApiError, not_found
from api.core.ownership import owned
from api.db.models import Run, User
from api.runs.schemas import RunOut
from settings import Settings


def visible_run(session: Session, user: User, run_id: str) -> Run:
    """A run the user may read: their own, or any run for an administrator; 404 otherwise."""
    if not user.is_admin:
        return owned(session, Run, run_id, user, "run")
    run = session.get(Run, run_id)
    if run is None:
        raise not_found("run", run_id)
    return run


def own_run(session: Session, user: User, run_id: str) -> Run:
    """A run the user may act on (re-run, replay): only their own."""
    return owned(session, Run, run_id, user, "run")


def temporal_ui_url(settings: Settings, run_id: str) -> str:
    return f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}/workflows/{run_id}"


def run_out(run: Run, settings: Settings) -> RunOut:
    return RunOut(
        id=run.id,
        workflow_id=run.workflow_id,
        user_id=run.owner_id,
        session_id=run.session_id,
        version=run.version_number,
        graph_hash=run.graph_hash,
        plan_hash=run.plan_hash,
        query=run.query,
        kind=run.kind,  # type: ignore[arg-type]
        parent_run_id=run.parent_run_id,
        replay_from_node=run.replay_from_node,
        status=run.status,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        temporal_ui_url=temporal_ui_url(settings, run.id),
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
    session: Session,
    user: User,
    *,
    workflow_id: str | None,
    version: int | Literal["draft"] | None,
    status: str | None,
    kind: str | None,
    user_id: str | None,
    parent_run_id: str | None,
    started_after: datetime | None,
    started_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Run], str | None]:
    """A page of runs the user may see, newest first (keyset pagination on start time, id)."""
    stmt = select(Run)
    if not user.is_admin:
        stmt = stmt.where(Run.owner_id == user.id)
    if user_id:
        stmt = stmt.where(Run.owner_id == user_id)
    if workflow_id:
        stmt = stmt.where(Run.workflow_id == workflow_id)
    if version == "draft":
        stmt = stmt.where(Run.version_number.is_(None))
    elif version is not None:
        stmt = stmt.where(Run.version_number == version)
    if status:
        stmt = stmt.where(Run.status == status)
    if kind:
        stmt = stmt.where(Run.kind == kind)
    if parent_run_id:
        stmt = stmt.where(Run.parent_run_id == parent_run_id)
    if started_after:
        stmt = stmt.where(Run.started_at >= started_after)
    if started_before:
        stmt = stmt.where(Run.started_at < started_before)
    if cursor:
        at, after_id = decode_cursor(cursor)
        # A row comparison, so the index on (…, started_at, id) seeks straight to the page.
        stmt = stmt.where(tuple_(Run.started_at, Run.id) < tuple_(at, after_id))
    rows = list(
        session.scalars(stmt.order_by(Run.started_at.desc(), Run.id.desc()).limit(limit + 1))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
