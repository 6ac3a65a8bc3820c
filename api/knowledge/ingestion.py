"""Starting, stopping and observing document ingestion on Temporal.

The workflows (``IngestDocument``, ``DeleteKnowledgeVectors``) are called by name, so
the API needs only their DTOs from ``workflows.ingest_io``. Ingestion workflow ids are
``ingest-{document_id}``, then ``ingest-{document_id}-2``, ``-3``… for later attempts.
"""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.exceptions import (
    ActivityError,
    CancelledError,
    ChildWorkflowError,
    FailureError,
    WorkflowAlreadyStartedError,
)
from temporalio.service import RPCError, RPCStatusCode

from api.core.errors import ApiError
from api.db.models import Document, KnowledgeBase
from api.knowledge.schemas import TERMINAL_STATUSES, DocumentStatus
from settings import Settings
from workflows.components import EmbeddingProvider
from workflows.ingest_io import (
    DeleteVectorsInput,
    IngestDocumentInput,
    IngestProgress,
    KnowledgeBaseRef,
)

log = logging.getLogger("api")

INGEST_WORKFLOW = "IngestDocument"
DELETE_VECTORS_WORKFLOW = "DeleteKnowledgeVectors"
PROGRESS_QUERY = "progress"

RPC_TIMEOUT = timedelta(seconds=10)
# A query waits for a worker to answer it; with none alive it would wait this long.
QUERY_TIMEOUT = timedelta(seconds=2)
# Started, task scheduled, task started, task completed: below this, no worker has run
# the workflow yet, and a query would only wait for one.
FIRST_TASK_DONE_HISTORY_LENGTH = 4
# How long deletion waits for a cancelled ingestion's activities to stop.
STOP_WAIT_SECONDS = 15.0
STOP_POLL_SECONDS = 0.2


def temporal_unavailable(err: RPCError) -> ApiError:
    return ApiError(503, "temporal_unavailable", f"Temporal is unavailable: {err.message}")


def ingest_workflow_id(document_id: str, previous: str | None = None) -> str:
    """``ingest-{id}`` for a first attempt; the next numbered suffix after ``previous``."""
    base = f"ingest-{document_id}"
    if previous is None:
        return base
    suffix = previous.removeprefix(base).lstrip("-")
    attempt = int(suffix) if suffix.isdigit() else 1
    return f"{base}-{attempt + 1}"


def knowledge_base_ref(kb: KnowledgeBase) -> KnowledgeBaseRef:
    return KnowledgeBaseRef(
        knowledge_base_id=kb.id,
        collection=kb.collection,
        embedding_provider=EmbeddingProvider(kb.embedding_provider),
        embedding_model=kb.embedding_model,
        chunk_size=kb.chunk_size,
        chunk_overlap=kb.chunk_overlap,
    )


async def start_ingestion(
    client: Client, settings: Settings, document: Document, kb: KnowledgeBase
) -> None:
    """Starts ``IngestDocument`` for the document under its ``workflow_id``; 503 on failure."""
    assert document.workflow_id is not None
    job = IngestDocumentInput(
        document_id=document.id,
        file_path=document.stored_path,
        file_type=document.file_type,  # checked on upload
        filename=document.filename,
        knowledge_base=knowledge_base_ref(kb),
    )
    try:
        await client.start_workflow(
            INGEST_WORKFLOW,
            job,
            id=document.workflow_id,
            task_queue=settings.ingest_task_queue,
            result_type=IngestProgress,
            rpc_timeout=RPC_TIMEOUT,
        )
    except WorkflowAlreadyStartedError as err:
        raise ApiError(409, "conflict", f"Ingestion '{document.workflow_id}' already runs") from err
    except RPCError as err:
        raise temporal_unavailable(err) from err


async def start_vector_deletion(
    client: Client, settings: Settings, collection: str, document_id: str | None = None
) -> str:
    """Starts ``DeleteKnowledgeVectors`` (one document's or the whole collection's).

    503 when Temporal refuses."""
    workflow_id = f"delete-vectors-{uuid.uuid4()}"
    try:
        await client.start_workflow(
            DELETE_VECTORS_WORKFLOW,
            DeleteVectorsInput(collection=collection, document_id=document_id),
            id=workflow_id,
            task_queue=settings.ingest_task_queue,
            result_type=int,
            rpc_timeout=RPC_TIMEOUT,
        )
    except RPCError as err:
        raise temporal_unavailable(err) from err
    return workflow_id


async def request_cancel(client: Client, workflow_id: str) -> None:
    """Asks the ingestion to cancel; one that has already ended is left as it is."""
    try:
        await client.get_workflow_handle(workflow_id).cancel(rpc_timeout=RPC_TIMEOUT)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:  # not found = closed or gone
            raise temporal_unavailable(err) from err


async def stop_ingestion(client: Client, workflow_id: str) -> None:
    """Cancels the ingestion and waits, boundedly, until none of its activities runs.

    So no embedding batch lands after the vectors are deleted.
    """
    await request_cancel(client, workflow_id)
    handle = client.get_workflow_handle(workflow_id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_WAIT_SECONDS
    while loop.time() < deadline:
        try:
            described = await handle.describe(rpc_timeout=RPC_TIMEOUT)
        except RPCError:
            return
        running = described.status == WorkflowExecutionStatus.RUNNING
        if not running or not described.raw_description.pending_activities:
            return
        await asyncio.sleep(STOP_POLL_SECONDS)
    log.warning(
        "ingestion %s still had activities %.0f s after cancel", workflow_id, STOP_WAIT_SECONDS
    )


@dataclass(frozen=True)
class IngestObservation:
    """What Temporal says about one ingestion attempt."""

    status: DocumentStatus
    progress: IngestProgress | None  # stage and counts, when known
    error: str | None
    started_at: datetime | None
    closed_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.status in TERMINAL_STATUSES


def _innermost_message(err: BaseException) -> str:
    cause: BaseException | None = err
    while isinstance(cause, (WorkflowFailureError, ActivityError, ChildWorkflowError)):
        cause = cause.cause
    if isinstance(cause, FailureError):
        return cause.message
    return str(cause or err)


def _caused_by_cancellation(err: WorkflowFailureError) -> bool:
    """Whether cancellation started the failure (an activity cancelled under it, say)."""
    cause: BaseException | None = err.cause
    while cause is not None:
        if isinstance(cause, CancelledError):
            return True
        cause = cause.cause if isinstance(cause, FailureError) else None
    return False


async def _running(
    handle: WorkflowHandle[Any, IngestProgress],
    info: WorkflowExecutionInfo,
    started: datetime | None,
) -> IngestObservation:
    if info.history_length < FIRST_TASK_DONE_HISTORY_LENGTH:
        if info.first_run_id in ("", info.execution.run_id):
            return IngestObservation("queued", IngestProgress(), None, started, None)
        # Continued as new and not yet picked up: progress so far is in the row.
        return IngestObservation("running", None, None, started, None)
    try:
        progress: IngestProgress = await handle.query(
            PROGRESS_QUERY, result_type=IngestProgress, rpc_timeout=QUERY_TIMEOUT
        )
    except (RPCError, WorkflowQueryFailedError, WorkflowQueryRejectedError):
        # No worker answered in time (none alive, or one replaying): no live progress.
        return IngestObservation("running", None, None, started, None)
    # A stage of "cancelled" or "failed" while open means cleaning up: still running.
    status: DocumentStatus = "queued" if progress.stage == "queued" else "running"
    return IngestObservation(status, progress, None, started, None)


async def _closed(
    handle: WorkflowHandle[Any, IngestProgress],
    status: WorkflowExecutionStatus,
    started: datetime | None,
    closed: datetime | None,
) -> IngestObservation:
    if status == WorkflowExecutionStatus.CANCELED:
        return IngestObservation("cancelled", None, None, started, closed)
    if status == WorkflowExecutionStatus.TERMINATED:
        return IngestObservation("failed", None, "The ingestion was terminated", started, closed)
    if status == WorkflowExecutionStatus.TIMED_OUT:
        return IngestObservation("failed", None, "The ingestion timed out", started, closed)
    try:
        result = await handle.result(rpc_timeout=RPC_TIMEOUT)
    except WorkflowFailureError as err:
        if _caused_by_cancellation(err):
            return IngestObservation("cancelled", None, None, started, closed)
        return IngestObservation("failed", None, _innermost_message(err), started, closed)
    final: DocumentStatus = "completed"
    if result.stage == "failed" or result.stage == "cancelled":
        final = result.stage
    return IngestObservation(final, result, result.error, started, closed)


async def observe_ingestion(client: Client, workflow_id: str) -> IngestObservation | None:
    """The ingestion's state: live progress while open, its outcome once closed.

    None when Temporal cannot be asked (unreachable); a workflow Temporal no longer
    knows is reported failed, so the document can be retried.
    """
    handle = client.get_workflow_handle(workflow_id, result_type=IngestProgress)
    try:
        described = await handle.describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            message = "Temporal no longer knows this ingestion; retry the document"
            return IngestObservation("failed", None, message, None, None)
        return None
    started = described.start_time
    if described.status in (
        None,
        WorkflowExecutionStatus.RUNNING,
        WorkflowExecutionStatus.CONTINUED_AS_NEW,
    ):
        info = described.raw_description.workflow_execution_info
        return await _running(handle, info, started)
    try:
        return await _closed(handle, described.status, started, described.close_time)
    except RPCError:
        return None
