"""Request and response bodies of workspaces and their members."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.core.access import Role
from api.core.schemas import RequestBody


class WorkspaceCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200)


class WorkspaceUpdate(RequestBody):
    name: str = Field(min_length=1, max_length=200)


class MemberAdd(RequestBody):
    """Adds an existing user by email."""

    email: str = Field(min_length=3, max_length=254)
    role: Role


class MemberUpdate(RequestBody):
    role: Role


class MemberOut(BaseModel):
    user_id: str
    email: str
    role: Role
    created_at: datetime


class WorkspaceOut(BaseModel):
    """A workspace and the caller's role in it."""

    id: str
    name: str
    role: Role
    created_at: datetime


class WorkspaceDetail(WorkspaceOut):
    members: list[MemberOut]
