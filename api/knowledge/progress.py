"""A document's status as the API reports it: its row, brought up to date from Temporal.

The row is the index; the workflow is the truth. Each look at an open ingestion asks the
workflow (``progress`` query, or its result once closed) and copies what changed onto
the row — that is how final counts, errors and ``finished_at`` get recorded.
"""

import asyncio
import time
from collections import OrderedDict

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.db.models import Document, utcnow
from api.health.queues import queue_workers
from api.knowledge.ingestion import IngestObservation, observe_ingestion
from api.knowledge.metrics import commit_claiming_ends, ends_document, record_document_ends
from api.knowledge.schemas import TERMINAL_STATUSES, DocumentOut
from settings import Settings, get_settings
from workflows.ingest_io import IngestProgress, IngestStage

# Extraction and chunking count for the first 10 %, embedding for the rest.
_STAGE_FLOORS: dict[str, float] = {"queued": 0.0, "extracting": 2.0, "chunking": 6.0}
EMBEDDING_FROM = 10.0
BEFORE_COMPLETION = 99.0


def percentage(stage: IngestStage, pages: int, embedded: int, total: int) -> float:
    """0..100 from the stage and counts; never decreases while an attempt moves forward."""
    if stage == "completed":
        return 100.0
    if stage in _STAGE_FLOORS:
        return _STAGE_FLOORS[stage]
    if total > 0:  # embedding, or failed/cancelled after chunking
        done = EMBEDDING_FROM + (100.0 - EMBEDDING_FROM) * embedded / total
        return round(min(BEFORE_COMPLETION, done), 1)
    if stage == "embedding":
        return EMBEDDING_FROM
    return _STAGE_FLOORS["chunking"] if pages > 0 else 0.0


def _stage_from_row(document: Document) -> IngestStage:
    """The stage a row implies when the workflow cannot be asked."""
    if document.status in TERMINAL_STATUSES or document.status == "queued":
        return document.status  # type: ignore[return-value]  # statuses are stages too
    if document.chunks_total > 0:
        return "embedding"
    return "chunking" if document.pages_extracted > 0 else "extracting"


class EmbeddingPace:
    """Estimates the time left from the embedding rate this process has seen.

    The first sight of an ingestion embedding is remembered; later looks divide the
    chunks embedded since by the time passed, so queueing and extraction do not skew it.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._first_seen: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def eta_seconds(self, workflow_id: str, embedded: int, total: int) -> float | None:
        now = time.monotonic()
        first = self._first_seen.get(workflow_id)
        if first is None:
            self._first_seen[workflow_id] = (now, embedded)
            while len(self._first_seen) > self._capacity:
                self._first_seen.popitem(last=False)
            return None
        since, embedded_then = first
        if embedded <= embedded_then or now <= since:
            return None
        rate = (embedded - embedded_then) / (now - since)
        return round((total - embedded) / rate, 1)


PACE = EmbeddingPace()


def record_observation(document: Document, seen: IngestObservation) -> bool:
    """Copies what Temporal said onto the row; True when anything changed."""
    before = _snapshot(document)
    if seen.progress is not None:
        document.pages_extracted = seen.progress.pages_extracted
        document.chunks_embedded = seen.progress.chunks_embedded
        document.chunks_total = seen.progress.chunks_total
    if seen.closed:
        document.error = seen.error
        document.finished_at = seen.closed_at or utcnow()
    document.status = seen.status
    return _snapshot(document) != before


def _snapshot(document: Document) -> tuple[object, ...]:
    return (
        document.status,
        document.pages_extracted,
        document.chunks_embedded,
        document.chunks_total,
        document.error,
        document.finished_at,
    )


def _percentage_of(document: Document, stage: IngestStage) -> float:
    done = percentage(
        stage, document.pages_extracted, document.chunks_embedded, document.chunks_total
    )
    # 100 % means the document is ready, not that the workflow is about to close.
    return done if document.status == "completed" else min(done, BEFORE_COMPLETION)


def waiting_notice(session: Session, settings: Settings, now: float | None = None) -> str | None:
    """What an unfinished ingestion waits for when no live heartbeat serves the ingest
    queue (its workflow is durable, but nothing runs it); None while a worker does."""
    now = time.time() if now is None else now
    queue = settings.ingest_task_queue
    ingest = queue_workers(
        session, [queue], unserved_after=settings.queue_unserved_after_seconds, now=now
    )[queue]
    if ingest.served:
        return None
    if ingest.last_seen is None:
        return f"Waiting for an ingestion worker: none serves the '{queue}' queue."
    silent = _duration(now - ingest.last_seen)
    return f"Waiting for an ingestion worker: none has been seen for {silent}."


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{max(0, int(seconds))} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    return f"{int(seconds // 3600)} h"


def document_out(
    document: Document, live: IngestProgress | None = None, *, notice: str | None = None
) -> DocumentOut:
    """The response for a document; ``live`` is the open workflow's progress, if known;
    ``notice`` says what it waits for, shown only while it is unfinished."""
    if document.status in TERMINAL_STATUSES or live is None:
        stage = _stage_from_row(document)
    else:
        stage = live.stage
    eta = None
    if live is not None and stage == "embedding" and document.workflow_id:
        eta = PACE.eta_seconds(
            document.workflow_id, document.chunks_embedded, document.chunks_total
        )
    return DocumentOut(
        id=document.id,
        knowledge_base_id=document.knowledge_base_id,
        filename=document.filename,
        file_type=document.file_type,  # checked on upload
        size_bytes=document.size_bytes,
        status=document.status,  # written only by this module
        stage=stage,
        pages_extracted=document.pages_extracted,
        chunks_embedded=document.chunks_embedded,
        chunks_total=document.chunks_total,
        percentage=_percentage_of(document, stage),
        eta_seconds=eta,
        notice=None if document.status in TERMINAL_STATUSES else notice,
        error=document.error,
        workflow_id=document.workflow_id,
        created_at=document.created_at,
        finished_at=document.finished_at,
    )


# Open ingestions asked at once when listing many documents.
MAX_CONCURRENT_LOOKS = 16


def _is_open(document: Document) -> bool:
    return document.status not in TERMINAL_STATUSES and document.workflow_id is not None


async def refresh_documents(
    session: Session, client: Client | None, documents: list[Document]
) -> list[DocumentOut]:
    """Asks each open ingestion (if Temporal is reachable), records changes, and answers;
    unfinished documents say so when no ingestion worker is alive."""
    looking = [d for d in documents if _is_open(d)] if client is not None else []
    gate = asyncio.Semaphore(MAX_CONCURRENT_LOOKS)

    async def look(document: Document) -> IngestObservation | None:
        assert client is not None and document.workflow_id is not None
        async with gate:
            return await observe_ingestion(client, document.workflow_id)

    seen = await asyncio.gather(*(look(d) for d in looking))
    # Taken before the rows change: the ends this look records, each counted once.
    ending = [(d, o) for d, o in zip(looking, seen, strict=True) if o and ends_document(d, o)]
    live: dict[str, IngestProgress | None] = {}
    changed = False
    for document, observation in zip(looking, seen, strict=True):
        if observation is not None:
            changed |= record_observation(document, observation)
            live[document.id] = None if observation.closed else observation.progress
    if changed:
        ended = await run_in_threadpool(commit_claiming_ends, session, ending)
        await record_document_ends(client, ended)
    notice = None
    if any(d.status not in TERMINAL_STATUSES for d in documents):
        notice = await run_in_threadpool(waiting_notice, session, get_settings())
    return [document_out(d, live.get(d.id), notice=notice) for d in documents]


async def refresh_document(
    session: Session, client: Client | None, document: Document
) -> DocumentOut:
    """One document, brought up to date (see ``refresh_documents``)."""
    return (await refresh_documents(session, client, [document]))[0]
