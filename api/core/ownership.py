"""Looking up an object that belongs to the current user."""

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.errors import not_found
from api.db.models import ChatSession, Document, KnowledgeBase, Run, User, Workflow

Owned = TypeVar("Owned", Workflow, ChatSession, Run, KnowledgeBase, Document)


def owned(session: Session, model: type[Owned], object_id: str, user: User, kind: str) -> Owned:
    """The user's object, or 404 — also for another user's, so ids leak nothing."""
    found = session.scalar(select(model).where(model.id == object_id, model.owner_id == user.id))
    if found is None:
        raise not_found(kind, object_id)
    return found
