"""Documents: streamed upload, ingestion status and progress events, cancel, retry, delete."""

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.core.deps import (
    CurrentUser,
    OptionalTemporalDep,
    SessionDep,
    SettingsDep,
    TemporalConnectorDep,
    TemporalDep,
)
from api.core.errors import ApiError
from api.core.ownership import owned
from api.db.models import Document, KnowledgeBase
from api.knowledge.documents import forget_documents, reset_for_new_attempt, store_upload
from api.knowledge.events import progress_events
from api.knowledge.file_types import decide_document_type
from api.knowledge.ingestion import (
    request_cancel,
    start_ingestion,
    start_vector_deletion,
    stop_ingestion,
)
from api.knowledge.progress import document_out, refresh_document, refresh_documents
from api.knowledge.schemas import TERMINAL_STATUSES, DocumentOut
from api.knowledge.uploads import invalid_field, receive_upload

router = APIRouter(tags=["documents"])

UPLOAD_PATH = "/documents/upload"
RETRYABLE = frozenset({"failed", "cancelled"})
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["knowledge_base_id", "file"],
                    "properties": {
                        "knowledge_base_id": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


@router.post(UPLOAD_PATH, status_code=202, openapi_extra=_UPLOAD_BODY)
async def upload_document(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> DocumentOut:
    """Streams a PDF, DOCX, text or Markdown file to disk and starts its ingestion."""
    upload = await receive_upload(
        request,
        settings.upload_dir,
        settings.max_upload_bytes,
        file_field="file",
        text_fields=frozenset({"knowledge_base_id"}),
    )
    try:
        kb_id = upload.fields.get("knowledge_base_id", "").strip()
        if not kb_id:
            raise invalid_field("knowledge_base_id", "is required")
        kb = await run_in_threadpool(owned, session, KnowledgeBase, kb_id, user, "knowledge base")
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


@router.get("/knowledge-bases/{kb_id}/documents")
async def list_documents(
    kb_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> list[DocumentOut]:
    """Lists a knowledge base's documents, newest first, with their ingestion status."""
    kb = await run_in_threadpool(owned, session, KnowledgeBase, kb_id, user, "knowledge base")
    stmt = (
        select(Document)
        .where(Document.knowledge_base_id == kb.id)
        .order_by(Document.created_at.desc())
    )
    documents = list(await run_in_threadpool(session.scalars, stmt))
    return await refresh_documents(session, client, documents)


@router.get("/documents/{document_id}")
async def get_document(
    document_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> DocumentOut:
    """One document with its ingestion status, stage, counts, percentage and ETA."""
    document = await run_in_threadpool(owned, session, Document, document_id, user, "document")
    return await refresh_document(session, client, document)


@router.get(
    "/documents/{document_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "DocumentOut events"}},
)
async def document_events(
    document_id: str, session: SessionDep, user: CurrentUser, connector: TemporalConnectorDep
) -> StreamingResponse:
    """Streams the document's status as Server-Sent Events until ingestion ends."""
    await run_in_threadpool(owned, session, Document, document_id, user, "document")
    return StreamingResponse(
        progress_events(document_id, connector),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/documents/{document_id}/cancel", status_code=202)
async def cancel_document(
    document_id: str, session: SessionDep, user: CurrentUser, client: TemporalDep
) -> DocumentOut:
    """Asks the ingestion to stop; the status becomes cancelled once it has."""
    document = await run_in_threadpool(owned, session, Document, document_id, user, "document")
    current = await refresh_document(session, client, document)
    if current.status in TERMINAL_STATUSES or document.workflow_id is None:
        raise ApiError(409, "conflict", f"The document's ingestion has already {current.status}")
    await request_cancel(client, document.workflow_id)
    return current


@router.post("/documents/{document_id}/retry", status_code=202)
async def retry_document(
    document_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> DocumentOut:
    """Ingests a failed or cancelled document again, under a new workflow id."""
    document = await run_in_threadpool(owned, session, Document, document_id, user, "document")
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


@router.delete("/documents/{document_id}", status_code=204)
async def delete_document(
    document_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    """Stops the ingestion, deletes the document's vectors, file and row."""
    document = await run_in_threadpool(owned, session, Document, document_id, user, "document")
    kb = await run_in_threadpool(session.get, KnowledgeBase, document.knowledge_base_id)
    assert kb is not None
    if document.status not in TERMINAL_STATUSES and document.workflow_id:
        await stop_ingestion(client, document.workflow_id)
    await start_vector_deletion(client, settings, kb.collection, document.id)
    await run_in_threadpool(forget_documents, session, [document])
    return Response(status_code=204)
