"""Server-Sent Events of a document's progress: the ``GET /documents/{id}`` answer, sent
as ``event: progress`` whenever it changes and as ``event: done`` once it is final."""

import asyncio
from collections.abc import AsyncIterator

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.core.errors import ApiError, ErrorBody, ErrorResponse
from api.core.temporal import TemporalConnector
from api.db.models import Document
from api.db.session import get_sessionmaker
from api.knowledge.progress import refresh_document
from api.knowledge.schemas import TERMINAL_STATUSES, DocumentOut

POLL_SECONDS = 0.5
# A comment line now and then keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0


def server_sent_event(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


async def _current(document_id: str, connector: TemporalConnector) -> DocumentOut | None:
    try:
        client = await connector.client()
    except ApiError:
        client = None  # Temporal unreachable: the row still answers
    session: Session = get_sessionmaker()()
    try:
        document = await run_in_threadpool(session.get, Document, document_id)
        if document is None:
            return None
        return await refresh_document(session, client, document)
    finally:
        await run_in_threadpool(session.close)


async def progress_events(document_id: str, connector: TemporalConnector) -> AsyncIterator[str]:
    """Polls the document every ``POLL_SECONDS`` until its status is final."""
    last = ""
    quiet = 0.0
    while True:
        current = await _current(document_id, connector)
        if current is None:  # deleted while watched
            gone = ErrorBody(code="not_found", message=f"document '{document_id}' was deleted")
            yield server_sent_event("error", ErrorResponse(error=gone).model_dump_json())
            return
        data = current.model_dump_json()
        if current.status in TERMINAL_STATUSES:
            yield server_sent_event("done", data)
            return
        if data != last:
            yield server_sent_event("progress", data)
            last, quiet = data, 0.0
        elif quiet >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            quiet = 0.0
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS
