"""Documents: streamed upload, ingestion status and progress events, cancel, retry, delete."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from api.core.deps import (
    CurrentUser,
    OptionalTemporalDep,
    SessionDep,
    SettingsDep,
    TemporalConnectorDep,
    TemporalDep,
    UploadQuota,
)
from api.knowledge import documents_service as service
from api.knowledge.schemas import DocumentOut
from api.knowledge.uploads import receive_upload

router = APIRouter(tags=["documents"])

UPLOAD_PATH = "/documents/upload"
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


@router.post(UPLOAD_PATH, status_code=202, openapi_extra=_UPLOAD_BODY, dependencies=[UploadQuota])
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
    return await service.add_document(
        session=session, client=client, settings=settings, user=user, upload=upload
    )


@router.get("/knowledge-bases/{kb_id}/documents")
async def list_documents(
    kb_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> list[DocumentOut]:
    """Lists a knowledge base's documents, newest first, with their ingestion status."""
    return await service.list_documents(session=session, client=client, user=user, kb_id=kb_id)


@router.get("/documents/{document_id}")
async def get_document(
    document_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> DocumentOut:
    """One document with its ingestion status, stage, counts, percentage and ETA."""
    return await service.document_status(
        session=session, client=client, user=user, document_id=document_id
    )


@router.get(
    "/documents/{document_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "DocumentOut events"}},
)
async def document_events(
    document_id: str, session: SessionDep, user: CurrentUser, connector: TemporalConnectorDep
) -> StreamingResponse:
    """Streams the document's status as Server-Sent Events until ingestion ends."""
    events = await service.document_progress_events(
        session=session, connector=connector, user=user, document_id=document_id
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/documents/{document_id}/cancel", status_code=202)
async def cancel_document(
    document_id: str, session: SessionDep, user: CurrentUser, client: TemporalDep
) -> DocumentOut:
    """Asks the ingestion to stop; the status becomes cancelled once it has."""
    return await service.cancel_document(
        session=session, client=client, user=user, document_id=document_id
    )


@router.post("/documents/{document_id}/retry", status_code=202)
async def retry_document(
    document_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> DocumentOut:
    """Ingests a failed or cancelled document again, under a new workflow id."""
    return await service.retry_document(
        session=session, client=client, settings=settings, user=user, document_id=document_id
    )


@router.delete("/documents/{document_id}", status_code=204)
async def delete_document(
    document_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    """Stops the ingestion, deletes the document's vectors, file and row."""
    await service.delete_document(
        session=session, client=client, settings=settings, user=user, document_id=document_id
    )
    return Response(status_code=204)
