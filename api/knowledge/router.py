"""Knowledge bases: CRUD, and reindexing with another embedding model."""

import asyncio
import logging
import uuid
from collections import Counter

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.core.deps import CurrentUser, OptionalTemporalDep, SessionDep, SettingsDep, TemporalDep
from api.core.errors import ApiError
from api.core.ownership import owned
from api.db.models import Document, KnowledgeBase, User, utcnow
from api.knowledge.documents import remove_stored_files, reset_for_new_attempt
from api.knowledge.ingestion import start_ingestion, start_vector_deletion, stop_ingestion
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

router = APIRouter(prefix="/knowledge-bases", tags=["knowledge bases"])
log = logging.getLogger("api")


def new_collection_name() -> str:
    """``kb-<32 hex>``: unique, and a valid Chroma collection name."""
    return f"kb-{uuid.uuid4().hex}"


def _owned_kb(session: Session, user: User, kb_id: str) -> KnowledgeBase:
    return owned(session, KnowledgeBase, kb_id, user, "knowledge base")


def _documents_of(session: Session, kb: KnowledgeBase) -> list[Document]:
    stmt = select(Document).where(Document.knowledge_base_id == kb.id)
    return list(session.scalars(stmt.order_by(Document.created_at)))


def _detail(kb: KnowledgeBase, documents: list[DocumentOut]) -> KnowledgeBaseDetail:
    by_status = Counter(d.status for d in documents)
    counts = DocumentCounts(**by_status, total=len(documents))
    out = KnowledgeBaseOut.model_validate(kb, from_attributes=True)
    return KnowledgeBaseDetail(**out.model_dump(), documents=counts)


def _delete_rows_and_files(session: Session, kb: KnowledgeBase, documents: list[Document]) -> None:
    for document in documents:
        session.delete(document)
    session.delete(kb)
    session.commit()
    remove_stored_files(documents)


async def _stop_open_ingestions(client: Client, documents: list[Document]) -> None:
    open_ids = [d.workflow_id for d in documents if d.status not in TERMINAL_STATUSES]
    await asyncio.gather(*(stop_ingestion(client, wid) for wid in open_ids if wid))


@router.post("", status_code=201)
def create_knowledge_base(
    body: KnowledgeBaseCreate, session: SessionDep, user: CurrentUser
) -> KnowledgeBaseOut:
    """Creates an empty knowledge base with its own vector collection."""
    kb = KnowledgeBase(
        owner_id=user.id,
        name=body.name,
        description=body.description,
        collection=new_collection_name(),
        embedding_provider=body.embedding_provider.value,
        embedding_model=body.chosen_model,
        chunk_size=body.chunk_size,
        chunk_overlap=body.chunk_overlap,
    )
    session.add(kb)
    session.commit()
    return KnowledgeBaseOut.model_validate(kb, from_attributes=True)


@router.get("")
def list_knowledge_bases(session: SessionDep, user: CurrentUser) -> list[KnowledgeBaseOut]:
    """Lists the current user's knowledge bases, most recently changed first."""
    stmt = select(KnowledgeBase).where(KnowledgeBase.owner_id == user.id)
    rows = session.scalars(stmt.order_by(KnowledgeBase.updated_at.desc()))
    return [KnowledgeBaseOut.model_validate(kb, from_attributes=True) for kb in rows]


@router.get("/{kb_id}")
async def get_knowledge_base(
    kb_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> KnowledgeBaseDetail:
    """One knowledge base with how many of its documents are in each status."""
    kb = await run_in_threadpool(_owned_kb, session, user, kb_id)
    documents = await run_in_threadpool(_documents_of, session, kb)
    return _detail(kb, await refresh_documents(session, client, documents))


@router.put("/{kb_id}")
def update_knowledge_base(
    kb_id: str, body: KnowledgeBaseUpdate, session: SessionDep, user: CurrentUser
) -> KnowledgeBaseOut:
    """Renames a knowledge base or changes its description."""
    kb = _owned_kb(session, user, kb_id)
    if body.name is not None:
        kb.name = body.name
    if body.description is not None:
        kb.description = body.description
    session.commit()
    return KnowledgeBaseOut.model_validate(kb, from_attributes=True)


@router.post("/{kb_id}/reindex", status_code=202)
async def reindex_knowledge_base(
    kb_id: str,
    body: ReindexRequest,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> KnowledgeBaseDetail:
    """Switches the embedding model and ingests every document again.

    The documents go into a fresh collection while the old one is deleted, so no
    deletion can race the new upserts and vectors of two models never mix; graphs
    must pick up the new collection name and model (they need the new model anyway).
    """
    kb = await run_in_threadpool(_owned_kb, session, user, kb_id)
    documents = await run_in_threadpool(_documents_of, session, kb)
    await _stop_open_ingestions(client, documents)
    await start_vector_deletion(client, settings, kb.collection)
    kb.embedding_provider = body.embedding_provider.value
    kb.embedding_model = body.chosen_model
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
    return _detail(kb, [document_out(d) for d in documents])


@router.delete("/{kb_id}", status_code=204)
async def delete_knowledge_base(
    kb_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    """Stops its ingestions, deletes its collection, documents, stored files and itself."""
    kb = await run_in_threadpool(_owned_kb, session, user, kb_id)
    documents = await run_in_threadpool(_documents_of, session, kb)
    await _stop_open_ingestions(client, documents)
    await start_vector_deletion(client, settings, kb.collection)
    await run_in_threadpool(_delete_rows_and_files, session, kb, documents)
    return Response(status_code=204)
