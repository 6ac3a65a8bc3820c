"""Who may do what: workspace roles, the actions they allow, and looking objects up by them.

Every workflow, knowledge base, document, run and chat belongs to a workspace. A member's
role allows a set of actions:

========  ====================================================================
viewer    view: read workflows, versions, runs, answers and knowledge bases
runner    view, run: execute, chat, re-run and replay
editor    view, run, edit: build and publish workflows, manage knowledge bases
owner     view, run, edit, manage: invite and remove members, change roles
========  ====================================================================

A user who is not a member gets 404 for the workspace's objects, exactly as for ids that
do not exist, so ids leak nothing; a member whose role does not allow the action gets 403.
"""

from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.errors import ApiError, not_found
from api.db.models import (
    ChatSession,
    Document,
    KnowledgeBase,
    Run,
    User,
    Workflow,
    WorkspaceMember,
)


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    RUNNER = "runner"
    VIEWER = "viewer"


class Action(StrEnum):
    VIEW = "view"
    RUN = "run"
    EDIT = "edit"
    MANAGE = "manage"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.RUNNER: frozenset({Action.VIEW, Action.RUN}),
    Role.EDITOR: frozenset({Action.VIEW, Action.RUN, Action.EDIT}),
    Role.OWNER: frozenset(Action),
}

_VERBS = {
    Action.VIEW: "read it",
    Action.RUN: "run workflows",
    Action.EDIT: "change it",
    Action.MANAGE: "manage its members",
}

InWorkspace = TypeVar("InWorkspace", Workflow, KnowledgeBase, Document, Run, ChatSession)


def role_in(session: Session, user: User, workspace_id: str) -> Role | None:
    """The user's role in the workspace, or None when not a member."""
    role = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user.id
        )
    )
    return Role(role) if role else None


def _roles_allowing(action: Action) -> list[str]:
    return [role.value for role, actions in ROLE_ACTIONS.items() if action in actions]


def readable_workspace_ids(session: Session, user: User, workspace_id: str | None) -> list[str]:
    """The workspaces a list covers: the one named (404 unless the user is a member), or
    every one the user belongs to."""
    if workspace_id is None:
        return member_workspace_ids(session, user)
    require(session, user, workspace_id, Action.VIEW, "workspace")
    return [workspace_id]


def member_workspace_ids(session: Session, user: User, action: Action = Action.VIEW) -> list[str]:
    """The workspaces in which the user's role allows ``action``."""
    return list(
        session.scalars(
            select(WorkspaceMember.workspace_id).where(
                WorkspaceMember.user_id == user.id,
                WorkspaceMember.role.in_(_roles_allowing(action)),
            )
        )
    )


def require(session: Session, user: User, workspace_id: str, action: Action, kind: str) -> Role:
    """The user's role in the workspace if it allows ``action``.

    Raises:
        ApiError: 404 when the user is not a member (``kind`` names what was looked for),
            403 when the role does not allow ``action``.
    """
    role = role_in(session, user, workspace_id)
    if role is None:
        raise not_found(kind, workspace_id)
    if action not in ROLE_ACTIONS[role]:
        raise ApiError(
            403,
            "forbidden",
            f"Your role in this workspace ({role.value}) does not allow you to {_VERBS[action]}",
            {"role": role.value, "needs": action.value},
        )
    return role


def default_workspace_id(session: Session, user: User) -> str:
    """The workspace new objects go to when none is named: the user's oldest one in which
    they may edit (their own, unless they left it).

    Raises:
        ApiError: 403 when the user may edit in no workspace.
    """
    found = session.scalar(
        select(WorkspaceMember.workspace_id)
        .where(
            WorkspaceMember.user_id == user.id,
            WorkspaceMember.role.in_(_roles_allowing(Action.EDIT)),
        )
        .order_by(WorkspaceMember.created_at, WorkspaceMember.workspace_id)
        .limit(1)
    )
    if found is None:
        raise ApiError(
            403, "forbidden", "You may create objects in no workspace; name a workspace_id"
        )
    return found


def target_workspace_id(session: Session, user: User, workspace_id: str | None) -> str:
    """Where a new object goes: the named workspace, if the user may edit there (403/404
    otherwise), else the default one."""
    if workspace_id is None:
        return default_workspace_id(session, user)
    require(session, user, workspace_id, Action.EDIT, "workspace")
    return workspace_id


def accessible(
    session: Session,
    model: type[InWorkspace],
    object_id: str,
    user: User,
    kind: str,
    action: Action,
) -> InWorkspace:
    """The object if the user's role in its workspace allows ``action``.

    Raises:
        ApiError: 404 when it does not exist or the user is not a member of its workspace;
            403 when the role does not allow ``action``.
    """
    found = session.get(model, object_id)
    if found is None:
        raise not_found(kind, object_id)
    try:
        require(session, user, found.workspace_id, action, kind)
    except ApiError as error:
        if error.status == 404:
            raise not_found(kind, object_id) from None
        raise
    return found
