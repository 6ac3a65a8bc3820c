"""Knowledge bases: what the knowledge-base routes do, behind HTTP.

Re-indexing is ordered so that a crash at any point leaves the knowledge base usable:
the row points at the new collection (committed) before the old collection's deletion
is started, so at worst the old vectors are orphaned — never is a knowledge base left
naming a collection that is being deleted.
"""

import asyncio
import logging
import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.core.access import Action, accessible, readable_workspace_ids, target_workspace_id
from api.core.errors import ApiError
from api.db.models import Document, KnowledgeBase, User, utcnow
from api.knowledge.documents import (
    remove_stored_files,
    reset_for_new_attempt,
)
from api.knowledge.ingestion import (
    start_ingestion,
    start_vector_deletion,
    stop_ingestion,
)
from api.knowledge.progress import document_out, refresh_documents
from api.knowledge.schemas import (
    TERMINAL_STATUSES,
    DocumentCounts,
    DocumentOut,
    KnowledgeBaseCreate,
    KnowledgeBaseDetail,
    KnowledgeBaseOut,
    KnowledgeBaseUpdate,
    ReindexRequest,
)
from settings import Settings

log = logging.getLogger("api")


def new_collection_name() -> str:
    """``kb-<32 hex>``: unique, and a valid Chroma collection name."""
    return f"kb-{uuid.uuid4().hex}"


def knowledge_base_for(
    session: Session, user: User, kb_id: str, action: Action = Action.VIEW
) -> KnowledgeBase:
    """A knowledge base of the user's workspaces whose role there allows ``action``."""
    return accessible(session, KnowledgeBase, kb_id, user, "knowledge base", action)


def documents_of(
    session: Session, kb: KnowledgeBase, *, newest_first: bool = False
) -> list[Document]:
    order = Document.created_at.desc() if newest_first else Document.created_at
    stmt = select(Document).where(Document.knowledge_base_id == kb.id).order_by(order)
    return list(session.scalars(stmt))


def _out(kb: KnowledgeBase) -> KnowledgeBaseOut:
    return KnowledgeBaseOut.model_validate(kb, from_attributes=True)


def _detail(kb: KnowledgeBase, documents: list[DocumentOut]) -> KnowledgeBaseDetail:
    by_status: Counter[str] = Counter(d.status for d in documents)
    counts = DocumentCounts(**by_status, total=len(documents))
    return KnowledgeBaseDetail(**_out(kb).model_dump(), documents=counts)


async def _stop_open_ingestions(client: Client, documents: list[Document]) -> None:
    open_ids = [d.workflow_id for d in documents if d.status not in TERMINAL_STATUSES]
    await asyncio.gather(*(stop_ingestion(client, wid) for wid in open_ids if wid))


# --- knowledge bases -----------------------------------------------------------------------


def create_knowledge_base(
    *, session: Session, user: User, request: KnowledgeBaseCreate
) -> KnowledgeBaseOut:
    """An empty knowledge base with its own (not yet created) vector collection."""
    kb = KnowledgeBase(
        owner_id=user.id,
        workspace_id=target_workspace_id(session, user, request.workspace_id),
        name=request.name,
        description=request.description,
        collection=new_collection_name(),
        embedding_provider=request.embedding_provider.value,
        embedding_model=request.chosen_model,
        chunk_size=request.chunk_size,
        chunk_overlap=request.chunk_overlap,
    )
    session.add(kb)
    session.commit()
    return _out(kb)


def list_knowledge_bases(
    *, session: Session, user: User, workspace_id: str | None
) -> list[KnowledgeBaseOut]:
    """The knowledge bases of the user's workspaces (or of one), most recently changed first."""
    workspaces = readable_workspace_ids(session, user, workspace_id)
    stmt = select(KnowledgeBase).where(KnowledgeBase.workspace_id.in_(workspaces))
    return [_out(kb) for kb in session.scalars(stmt.order_by(KnowledgeBase.updated_at.desc()))]


async def knowledge_base_detail(
    *, session: Session, client: Client | None, user: User, kb_id: str
) -> KnowledgeBaseDetail:
    """One knowledge base with its documents counted by (up-to-date) status."""
    kb = await run_in_threadpool(knowledge_base_for, session, user, kb_id)
    documents = await run_in_threadpool(documents_of, session, kb)
    return _detail(kb, await refresh_documents(session, client, documents))


def update_knowledge_base(
    *, session: Session, user: User, kb_id: str, request: KnowledgeBaseUpdate
) -> KnowledgeBaseOut:
    """Renames the knowledge base or changes its description."""
    kb = knowledge_base_for(session, user, kb_id, Action.EDIT)
    if request.name is not None:
        kb.name = request.name
    if request.description is not None:
        kb.description = request.description
    session.commit()
    return _out(kb)


async def reindex_knowledge_base(
    *,
    session: Session,
    client: Client,
    settings: Settings,
    user: User,
    kb_id: str,
    request: ReindexRequest,
) -> KnowledgeBaseDetail:
    """Points the knowledge base at a fresh collection for the new model, ingests every
    document into it, and only then starts deleting the old collection.

    A fresh collection means no deletion can race the new upserts and vectors of two
    models never mix. The order makes each step safe to be interrupted: once the row is
    committed every reader uses the new collection; if starting the deletion then fails
    (or the process dies) the old vectors are orphaned, which nobody sees.
    """
    kb = await run_in_threadpool(knowledge_base_for, session, user, kb_id, Action.EDIT)
    documents = await run_in_threadpool(documents_of, session, kb)
    await _stop_open_ingestions(client, documents)
    old_collection = kb.collection
    kb.embedding_provider = request.embedding_provider.value
    kb.embedding_model = request.chosen_model
    kb.collection = new_collection_name()
    for document in documents:
        reset_for_new_attempt(document)
    await run_in_threadpool(session.commit)
    for document in documents:
        try:
            await start_ingestion(client, settings, document, kb)
        except ApiError as err:  # recorded on the document, which can be retried
            document.status, document.error, document.finished_at = "failed", err.message, utcnow()
    await run_in_threadpool(session.commit)
    try:
        await start_vector_deletion(client, settings, old_collection)
    except ApiError as err:
        log.warning(
            "knowledge base %s now uses collection %s; deleting its old collection %s "
            "could not be started, its vectors are orphaned: %s",
            kb.id,
            kb.collection,
            old_collection,
            err.message,
        )
    return _detail(kb, [document_out(d) for d in documents])


def _delete_rows_and_files(session: Session, kb: KnowledgeBase, documents: list[Document]) -> None:
    for document in documents:
        session.delete(document)
    session.delete(kb)
    session.commit()
    remove_stored_files(documents)


async def delete_knowledge_base(
    *, session: Session, client: Client, settings: Settings, user: User, kb_id: str
) -> None:
    """Stops its ingestions and deletes its collection, then its documents, files and row.

    The collection's deletion is started first: if Temporal refuses it (503) nothing is
    deleted, and the user can try again.
    """
    kb = await run_in_threadpool(knowledge_base_for, session, user, kb_id, Action.EDIT)
    documents = await run_in_threadpool(documents_of, session, kb)
    await _stop_open_ingestions(client, documents)
    await start_vector_deletion(client, settings, kb.collection)
    await run_in_threadpool(_delete_rows_and_files, session, kb, documents)
