"""Document rows and their stored files: created together, removed together.

Stored files are named by the document id under ``settings.upload_dir``; the user's
filename is kept only in the row. Blocking (database and disk): call from a thread.
"""

import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from api.db.models import Document, KnowledgeBase, User
from api.knowledge.ingestion import ingest_workflow_id
from api.knowledge.uploads import ReceivedUpload
from workflows.ingest_io import DocumentType

log = logging.getLogger("api")


def store_upload(
    session: Session,
    user: User,
    kb: KnowledgeBase,
    upload: ReceivedUpload,
    file_type: DocumentType,
    upload_dir: Path,
) -> Document:
    """Moves the streamed file to its final name and records a queued document."""
    document_id = str(uuid.uuid4())
    stored = upload_dir.resolve() / document_id
    upload.path.rename(stored)
    document = Document(
        id=document_id,
        knowledge_base_id=kb.id,
        owner_id=user.id,
        workspace_id=kb.workspace_id,
        filename=upload.filename,
        file_type=file_type,
        size_bytes=upload.content.size,
        stored_path=str(stored),
        status="queued",
        workflow_id=ingest_workflow_id(document_id),
    )
    session.add(document)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        stored.unlink(missing_ok=True)
        raise
    return document


def reset_for_new_attempt(document: Document) -> None:
    """Back to queued under the next workflow id, counts and outcome cleared (not committed)."""
    document.workflow_id = ingest_workflow_id(document.id, document.workflow_id)
    document.status = "queued"
    document.error = None
    document.finished_at = None
    document.pages_extracted = document.chunks_embedded = document.chunks_total = 0


def remove_stored_files(documents: Iterable[Document]) -> None:
    """Deletes the documents' stored files; a missing one is already gone."""
    for document in documents:
        try:
            Path(document.stored_path).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s", document.stored_path)


def forget_documents(session: Session, documents: list[Document]) -> None:
    """Deletes the rows, then their stored files."""
    for document in documents:
        session.delete(document)
    session.commit()
    remove_stored_files(documents)
