"""Ingestion's metrics as the API sees them: each document's end, counted once, and the
documents waiting, read from the table whenever ``/metrics`` is scraped.

A document ends when an API process that looks at it (a read, a list, its event stream)
finds its workflow closed and records the outcome on its row. Several processes may do
so at once, so the row's move to a final status is a conditional update, and only the
process whose update changed it counts the document (``ingest_document_duration_seconds``
by outcome, ``ingest_failures`` by error class) — as for runs (``api/runs/index.py``).
A document nobody looks at is counted when someone does.
"""

import logging
import math
from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowFailureError
from temporalio.service import RPCError

from api.db.models import Document
from api.knowledge.ingestion import RPC_TIMEOUT, IngestObservation
from api.knowledge.schemas import TERMINAL_STATUSES
from settings import Settings, get_settings
from telemetry.metrics import INGEST_DOCUMENTS_WAITING, INGEST_DURATION, INGEST_FAILURES
from telemetry.step_metrics import error_class

log = logging.getLogger("api")

# Row status → the gauge's ``status`` label.
WAITING_STATUSES = {"queued": "queued", "running": "processing"}
UNKNOWN_ERROR = "unknown"


@dataclass(frozen=True)
class DocumentEnd:
    """A document whose end this process recorded."""

    workflow_id: str | None
    seen: IngestObservation


def ends_document(document: Document, seen: IngestObservation) -> bool:
    """Whether ``seen`` ends a document its row still shows unfinished."""
    return seen.closed and document.status not in TERMINAL_STATUSES


def commit_claiming_ends(
    session: Session, ending: list[tuple[Document, IngestObservation]]
) -> list[DocumentEnd]:
    """Commits the session; returns the ends among ``ending`` whose rows this commit moved
    to a final status (another process's commit may have moved them first)."""
    claimed = []
    with session.no_autoflush:  # the rows' new values are pending: test the stored ones
        for document, seen in ending:
            moved = session.execute(
                update(Document)
                .where(Document.id == document.id, Document.status.not_in(TERMINAL_STATUSES))
                .values(status=seen.status)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount == 1:  # type: ignore[attr-defined]  # a CursorResult
                claimed.append(DocumentEnd(document.workflow_id, seen))
    session.commit()
    return claimed


async def record_document_ends(client: Client | None, ends: list[DocumentEnd]) -> None:
    """Counts each end: its duration by outcome and, for a failure, its error class."""
    if not ends or not get_settings().metrics_enabled:
        return
    for end in ends:
        seen = end.seen
        if seen.started_at is not None and seen.closed_at is not None:
            seconds = (seen.closed_at - seen.started_at).total_seconds()
            INGEST_DURATION.labels(seen.status).observe(max(seconds, 0.0))
        if seen.status == "failed":
            INGEST_FAILURES.labels(await _failure_class(client, end.workflow_id)).inc()


async def _failure_class(client: Client | None, workflow_id: str | None) -> str:
    """The class of the error that failed the ingestion: the innermost cause's
    (``DocumentUnreadable``, ``ProviderAuthError``, ``TimeoutError``, ...)."""
    if client is None or workflow_id is None:
        return UNKNOWN_ERROR
    try:
        await client.get_workflow_handle(workflow_id).result(rpc_timeout=RPC_TIMEOUT)
    except WorkflowFailureError as err:
        cause: BaseException = err
        while cause.__cause__ is not None:
            cause = cause.__cause__
        return error_class(cause)
    except RPCError:  # Temporal no longer knows it, or cannot be reached now
        return UNKNOWN_ERROR
    return UNKNOWN_ERROR  # closed without failing: its result said it failed


def _count_documents(sessions: sessionmaker[Session], status: str) -> float:
    """Documents whose row has ``status`` now (NaN when the database cannot say)."""
    try:
        with sessions() as session:
            found = session.scalar(
                select(func.count()).select_from(Document).where(Document.status == status)
            )
    except Exception as exc:  # a scrape must answer: the figure is unknown, not zero
        log.warning("ingest_documents_waiting: the documents cannot be counted (%s)", exc)
        return math.nan
    return float(found or 0)


def watch_waiting_documents(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """Makes ``ingest_documents_waiting`` read the documents table at each scrape (when
    metrics are on); calling it again replaces the reader."""
    if not settings.metrics_enabled:
        return
    for status, label in WAITING_STATUSES.items():
        INGEST_DOCUMENTS_WAITING.labels(label).set_function(
            partial(_count_documents, sessions, status)
        )
