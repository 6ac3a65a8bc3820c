"""Documents of a knowledge base: upload, list, status, progress events, cancel, retry,
delete — what the document routes do, behind HTTP."""

from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.core.access import Action, accessible
from api.core.errors import ApiError
from api.core.schemas import is_identifier
from api.core.temporal import TemporalConnector
from api.db.models import Document, KnowledgeBase, User
from api.knowledge.documents import (
    forget_documents,
    reset_for_new_attempt,
    store_upload,
)
from api.knowledge.events import progress_events
from api.knowledge.file_types import decide_document_type
from api.knowledge.ingestion import (
    request_cancel,
    start_ingestion,
    start_vector_deletion,
    stop_ingestion,
)
from api.knowledge.progress import document_out, refresh_document, refresh_documents
from api.knowledge.schemas import (
    TERMINAL_STATUSES,
    DocumentOut,
)
from api.knowledge.service import documents_of, knowledge_base_for
from api.knowledge.uploads import ReceivedUpload, invalid_field
from settings import Settings

RETRYABLE = frozenset({"failed", "cancelled"})


def _document(
    session: Session, user: User, document_id: str, action: Action = Action.VIEW
) -> Document:
    """A document of the user's workspaces whose role there allows ``action``."""
    return accessible(session, Document, document_id, user, "document", action)


async def add_document(
    *, session: Session, client: Client, settings: Settings, user: User, upload: ReceivedUpload
) -> DocumentOut:
    """Records a received upload as a document of the knowledge base its form names, and
    starts its ingestion; the streamed file is moved to its stored name or removed."""
    try:
        kb_id = upload.fields.get("knowledge_base_id", "").strip()
        if not kb_id:
            raise invalid_field("knowledge_base_id", "is required")
        if not is_identifier(kb_id):
            raise invalid_field("knowledge_base_id", "is not an id (ids are ASCII)")
        kb = await run_in_threadpool(knowledge_base_for, session, user, kb_id, Action.EDIT)
        file_type = await run_in_threadpool(
            decide_document_type, upload.content, upload.filename, upload.path
        )
        document = await run_in_threadpool(
            store_upload, session, user, kb, upload, file_type, settings.upload_dir
        )
    finally:
        upload.path.unlink(missing_ok=True)  # moved away when stored
    try:
        await start_ingestion(client, settings, document, kb)
    except ApiError:
        await run_in_threadpool(forget_documents, session, [document])
        raise
    return document_out(document)


async def list_documents(
    *, session: Session, client: Client | None, user: User, kb_id: str
) -> list[DocumentOut]:
    """The knowledge base's documents, newest first, with their up-to-date status."""
    kb = await run_in_threadpool(knowledge_base_for, session, user, kb_id)
    documents = await run_in_threadpool(documents_of, session, kb, newest_first=True)
    return await refresh_documents(session, client, documents)


async def document_status(
    *, session: Session, client: Client | None, user: User, document_id: str
) -> DocumentOut:
    """One of the user's documents, brought up to date from its ingestion."""
    document = await run_in_threadpool(_document, session, user, document_id)
    return await refresh_document(session, client, document)


async def document_progress_events(
    *, session: Session, connector: TemporalConnector, user: User, document_id: str
) -> AsyncIterator[str]:
    """The document's Server-Sent Events; ownership is checked before the stream starts."""
    await run_in_threadpool(_document, session, user, document_id)
    return progress_events(document_id, connector)


async def cancel_document(
    *, session: Session, client: Client, user: User, document_id: str
) -> DocumentOut:
    """Asks the document's open ingestion to stop (409 if it has already ended)."""
    document = await run_in_threadpool(_document, session, user, document_id, Action.EDIT)
    current = await refresh_document(session, client, document)
    if current.status in TERMINAL_STATUSES or document.workflow_id is None:
        raise ApiError(409, "conflict", f"The document's ingestion has already {current.status}")
    await request_cancel(client, document.workflow_id)
    return current


async def retry_document(
    *, session: Session, client: Client, settings: Settings, user: User, document_id: str
) -> DocumentOut:
    """Ingests a failed or cancelled document again, under its next workflow id."""
    document = await run_in_threadpool(_document, session, user, document_id, Action.EDIT)
    current = await refresh_document(session, client, document)
    if current.status not in RETRYABLE:
        raise ApiError(
            409,
            "conflict",
            f"Only failed or cancelled documents are retried; this one is {current.status}",
            {"status": current.status},
        )
    if not await run_in_threadpool(Path(document.stored_path).is_file):
        raise ApiError(409, "conflict", "The stored file is gone; upload the document again")
    kb = await run_in_threadpool(session.get, KnowledgeBase, document.knowledge_base_id)
    assert kb is not None  # documents go with their knowledge base
    reset_for_new_attempt(document)
    try:
        await start_ingestion(client, settings, document, kb)
    except ApiError:
        await run_in_threadpool(session.rollback)
        raise
    await run_in_threadpool(session.commit)
    return document_out(document)


async def delete_document(
    *, session: Session, client: Client, settings: Settings, user: User, document_id: str
) -> None:
    """Stops the ingestion, starts deleting the document's vectors, then forgets it."""
    document = await run_in_threadpool(_document, session, user, document_id, Action.EDIT)
    kb = await run_in_threadpool(session.get, KnowledgeBase, document.knowledge_base_id)
    assert kb is not None
    if document.status not in TERMINAL_STATUSES and document.workflow_id:
        await stop_ingestion(client, document.workflow_id)
    await start_vector_deletion(client, settings, kb.collection, document.id)
    await run_in_threadpool(forget_documents, session, [document])
