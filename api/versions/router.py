"""Workflow versions: publish the draft, list, read, diff and restore immutable snapshots."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.core.deps import CurrentUser, SessionDep
from api.versions import publishing, service
from api.versions.schemas import VersionCreate, VersionDetail, VersionDiff, VersionOut
from api.workflows.schemas import WorkflowDetail
from workflows.graph import MAX_VERSION_NUMBER

router = APIRouter(prefix="/workflows/{workflow_id}/versions", tags=["versions"])

VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION_NUMBER)]


@router.post("", status_code=201)
def publish_version(
    workflow_id: str,
    session: SessionDep,
    user: CurrentUser,
    body: VersionCreate | None = None,
) -> VersionOut:
    """Publishes the draft as the next version; it must compile and differ from the latest."""
    note = body.note if body is not None else ""
    return publishing.publish_version(session, user=user, workflow_id=workflow_id, note=note)


@router.get("")
def list_versions(workflow_id: str, session: SessionDep, user: CurrentUser) -> list[VersionOut]:
    """Lists the workflow's versions, newest first (without their graphs)."""
    return service.list_versions(session, user=user, workflow_id=workflow_id)


@router.get("/diff")
def diff_versions(
    workflow_id: str,
    session: SessionDep,
    user: CurrentUser,
    base: Annotated[str, Query(max_length=20, description="A version number or 'draft'.")],
    target: Annotated[
        str, Query(max_length=20, description="A version number or 'draft' (the default).")
    ] = "draft",
) -> VersionDiff:
    """What changed from ``base`` to ``target``: nodes, their fields, and edges."""
    return service.diff_versions(
        session, user=user, workflow_id=workflow_id, base=base, target=target
    )


@router.get("/{number}")
def get_version(
    workflow_id: str, number: VersionNumber, session: SessionDep, user: CurrentUser
) -> VersionDetail:
    """Returns one version with the graph it holds."""
    return service.get_version(session, user=user, workflow_id=workflow_id, number=number)


@router.post("/{number}/restore")
def restore_version(
    workflow_id: str, number: VersionNumber, session: SessionDep, user: CurrentUser
) -> WorkflowDetail:
    """Replaces the draft with the version's graph; the version itself is not touched."""
    return publishing.restore_version(session, user=user, workflow_id=workflow_id, number=number)
