"""Workspaces: every user has one of their own; owners add, change and remove members.

A workspace always keeps at least one owner: the last owner can be neither demoted nor
removed."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.core.access import Action, Role, require
from api.core.errors import ApiError, not_found
from api.db.models import User, Workspace, WorkspaceMember
from api.workspaces.schemas import (
    MemberAdd,
    MemberOut,
    MemberUpdate,
    WorkspaceCreate,
    WorkspaceDetail,
    WorkspaceOut,
    WorkspaceUpdate,
)


def create_personal_workspace(session: Session, user: User) -> Workspace:
    """The workspace a new user owns (not committed: part of creating the user)."""
    workspace = Workspace(name=f"{user.email}'s workspace")
    workspace.members.append(WorkspaceMember(user_id=user.id, role=Role.OWNER.value))
    session.add(workspace)
    return workspace


def list_workspaces(session: Session, *, user: User) -> list[WorkspaceOut]:
    """The workspaces the user belongs to, oldest first, with the user's role."""
    rows = session.execute(
        select(Workspace, WorkspaceMember.role)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(WorkspaceMember.user_id == user.id)
        .order_by(Workspace.created_at, Workspace.id)
    ).all()
    return [_out(workspace, Role(role)) for workspace, role in rows]


def create_workspace(session: Session, *, user: User, body: WorkspaceCreate) -> WorkspaceDetail:
    """A new workspace with the user as its owner."""
    workspace = Workspace(name=body.name)
    workspace.members.append(WorkspaceMember(user_id=user.id, role=Role.OWNER.value))
    session.add(workspace)
    session.commit()
    return _detail(session, workspace, Role.OWNER)


def get_workspace(session: Session, *, user: User, workspace_id: str) -> WorkspaceDetail:
    """The workspace with its members (any member may read them)."""
    role = require(session, user, workspace_id, Action.VIEW, "workspace")
    return _detail(session, _workspace(session, workspace_id), role)


def rename_workspace(
    session: Session, *, user: User, workspace_id: str, body: WorkspaceUpdate
) -> WorkspaceDetail:
    role = require(session, user, workspace_id, Action.MANAGE, "workspace")
    workspace = _workspace(session, workspace_id)
    workspace.name = body.name
    session.commit()
    return _detail(session, workspace, role)


def add_member(
    session: Session, *, user: User, workspace_id: str, body: MemberAdd
) -> WorkspaceDetail:
    """Adds an existing user with a role; 409 if already a member."""
    role = require(session, user, workspace_id, Action.MANAGE, "workspace")
    invited = session.scalar(select(User).where(func.lower(User.email) == body.email.lower()))
    if invited is None:
        raise ApiError(
            404,
            "not_found",
            "No user has that email; an administrator creates accounts",
            {"email": body.email},
        )
    if session.get(WorkspaceMember, (workspace_id, invited.id)) is not None:
        raise ApiError(409, "conflict", f"{invited.email} is already a member")
    session.add(WorkspaceMember(workspace_id=workspace_id, user_id=invited.id, role=body.role))
    session.commit()
    return _detail(session, _workspace(session, workspace_id), role)


def change_member(
    session: Session, *, user: User, workspace_id: str, member_id: str, body: MemberUpdate
) -> WorkspaceDetail:
    """Changes a member's role; the last owner stays an owner (409)."""
    role = require(session, user, workspace_id, Action.MANAGE, "workspace")
    member = _member(session, workspace_id, member_id)
    if member.role == Role.OWNER and body.role != Role.OWNER:
        _keep_an_owner(session, workspace_id)
    member.role = body.role.value
    session.commit()
    return _detail(session, _workspace(session, workspace_id), role)


def remove_member(session: Session, *, user: User, workspace_id: str, member_id: str) -> None:
    """Removes a member (owners remove anyone; every member may leave); never the last owner."""
    action = Action.VIEW if member_id == user.id else Action.MANAGE
    require(session, user, workspace_id, action, "workspace")
    member = _member(session, workspace_id, member_id)
    if member.role == Role.OWNER:
        _keep_an_owner(session, workspace_id)
    session.delete(member)
    session.commit()


def _keep_an_owner(session: Session, workspace_id: str) -> None:
    owners = session.scalar(
        select(func.count()).where(
            WorkspaceMember.workspace_id == workspace_id,
            WorkspaceMember.role == Role.OWNER.value,
        )
    )
    if (owners or 0) <= 1:
        raise ApiError(
            409, "last_owner", "A workspace keeps at least one owner; make another member owner"
        )


def _workspace(session: Session, workspace_id: str) -> Workspace:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise not_found("workspace", workspace_id)
    return workspace


def _member(session: Session, workspace_id: str, user_id: str) -> WorkspaceMember:
    member = session.get(WorkspaceMember, (workspace_id, user_id))
    if member is None:
        raise not_found("member", user_id)
    return member


def _out(workspace: Workspace, role: Role) -> WorkspaceOut:
    return WorkspaceOut(
        id=workspace.id, name=workspace.name, role=role, created_at=workspace.created_at
    )


def _detail(session: Session, workspace: Workspace, role: Role) -> WorkspaceDetail:
    rows = session.execute(
        select(WorkspaceMember, User.email)
        .join(User, User.id == WorkspaceMember.user_id)
        .where(WorkspaceMember.workspace_id == workspace.id)
        .order_by(WorkspaceMember.created_at, User.email)
    ).all()
    members = [
        MemberOut(user_id=m.user_id, email=email, role=Role(m.role), created_at=m.created_at)
        for m, email in rows
    ]
    return WorkspaceDetail(**_out(workspace, role).model_dump(), members=members)
