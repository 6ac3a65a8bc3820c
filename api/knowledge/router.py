"""Knowledge bases: CRUD, and reindexing with another embedding model."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.core.deps import CurrentUser, OptionalTemporalDep, SessionDep, SettingsDep, TemporalDep
from api.knowledge import service
from api.knowledge.schemas import (
    KnowledgeBaseCreate,
    KnowledgeBaseDetail,
    KnowledgeBaseOut,
    KnowledgeBaseUpdate,
    ReindexRequest,
)

router = APIRouter(prefix="/knowledge-bases", tags=["knowledge bases"])


@router.post("", status_code=201)
def create_knowledge_base(
    body: KnowledgeBaseCreate, session: SessionDep, user: CurrentUser
) -> KnowledgeBaseOut:
    """Creates an empty knowledge base with its own vector collection."""
    return service.create_knowledge_base(session=session, user=user, request=body)


@router.get("")
def list_knowledge_bases(
    session: SessionDep,
    user: CurrentUser,
    workspace_id: Annotated[
        str | None, Query(max_length=64, description="Only this workspace's knowledge bases.")
    ] = None,
) -> list[KnowledgeBaseOut]:
    """Lists the knowledge bases of your workspaces, most recently changed first."""
    return service.list_knowledge_bases(session=session, user=user, workspace_id=workspace_id)


@router.get("/{kb_id}")
async def get_knowledge_base(
    kb_id: str, session: SessionDep, user: CurrentUser, client: OptionalTemporalDep
) -> KnowledgeBaseDetail:
    """One knowledge base with how many of its documents are in each status."""
    return await service.knowledge_base_detail(
        session=session, client=client, user=user, kb_id=kb_id
    )


@router.put("/{kb_id}")
def update_knowledge_base(
    kb_id: str, body: KnowledgeBaseUpdate, session: SessionDep, user: CurrentUser
) -> KnowledgeBaseOut:
    """Renames a knowledge base or changes its description."""
    return service.update_knowledge_base(session=session, user=user, kb_id=kb_id, request=body)


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

    The documents go into a fresh collection, so no deletion can race the new upserts
    and vectors of two models never mix. The knowledge base points at the new collection
    before the old one's deletion starts, so a crash at any point leaves it usable (at
    worst with orphaned old vectors); graphs pick up the new collection name and model.
    """
    return await service.reindex_knowledge_base(
        session=session, client=client, settings=settings, user=user, kb_id=kb_id, request=body
    )


@router.delete("/{kb_id}", status_code=204)
async def delete_knowledge_base(
    kb_id: str,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    client: TemporalDep,
) -> Response:
    """Stops its ingestions, deletes its collection, documents, stored files and itself."""
    await service.delete_knowledge_base(
        session=session, client=client, settings=settings, user=user, kb_id=kb_id
    )
    return Response(status_code=204)
