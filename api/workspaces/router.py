"""Workspaces and their members: any user creates one; owners manage members and roles."""

from fastapi import APIRouter, Response

from api.core.deps import CurrentUser, SessionDep
from api.workspaces import service
from api.workspaces.schemas import (
    MemberAdd,
    MemberUpdate,
    WorkspaceCreate,
    WorkspaceDetail,
    WorkspaceOut,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


@router.get("")
def list_workspaces(session: SessionDep, user: CurrentUser) -> list[WorkspaceOut]:
    """The workspaces you belong to, with your role in each."""
    return service.list_workspaces(session, user=user)


@router.post("", status_code=201)
def create_workspace(
    body: WorkspaceCreate, session: SessionDep, user: CurrentUser
) -> WorkspaceDetail:
    """A new workspace, owned by you."""
    return service.create_workspace(session, user=user, body=body)


@router.get("/{workspace_id}")
def get_workspace(workspace_id: str, session: SessionDep, user: CurrentUser) -> WorkspaceDetail:
    """A workspace and its members."""
    return service.get_workspace(session, user=user, workspace_id=workspace_id)


@router.put("/{workspace_id}")
def rename_workspace(
    workspace_id: str, body: WorkspaceUpdate, session: SessionDep, user: CurrentUser
) -> WorkspaceDetail:
    """Renames a workspace (owners)."""
    return service.rename_workspace(session, user=user, workspace_id=workspace_id, body=body)


@router.post("/{workspace_id}/members", status_code=201)
def add_member(
    workspace_id: str, body: MemberAdd, session: SessionDep, user: CurrentUser
) -> WorkspaceDetail:
    """Adds a user by email with a role (owners)."""
    return service.add_member(session, user=user, workspace_id=workspace_id, body=body)


@router.put("/{workspace_id}/members/{user_id}")
def change_member(
    workspace_id: str, user_id: str, body: MemberUpdate, session: SessionDep, user: CurrentUser
) -> WorkspaceDetail:
    """Changes a member's role (owners); the last owner stays an owner."""
    return service.change_member(
        session, user=user, workspace_id=workspace_id, member_id=user_id, body=body
    )


@router.delete("/{workspace_id}/members/{user_id}", status_code=204)
def remove_member(
    workspace_id: str, user_id: str, session: SessionDep, user: CurrentUser
) -> Response:
    """Removes a member (owners), or leaves (yourself); never the last owner."""
    service.remove_member(session, user=user, workspace_id=workspace_id, member_id=user_id)
    return Response(status_code=204)
