"""A chat session's stored conversation: whose it is, and the last turns a run receives.

Kept apart from ``service`` (which starts runs through ``api.runs.execution``) so that
starting a run with a ``session_id`` can read the conversation without an import cycle.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.access import role_in
from api.core.errors import ApiError, not_found
from api.db.models import ChatMessage, ChatSession, User, utcnow
from api.runs.schemas import ExecuteResponse
from workflows.step_io import ChatTurn

HISTORY_TURNS = 20


def owned_session(session: Session, user: User, chat_id: str) -> ChatSession:
    """The user's own chat session while they are a member of its workspace; 404 otherwise
    (a conversation is its author's, even within a shared workspace)."""
    chat = session.scalar(
        select(ChatSession).where(ChatSession.id == chat_id, ChatSession.owner_id == user.id)
    )
    if chat is None or role_in(session, user, chat.workspace_id) is None:
        raise not_found("chat session", chat_id)
    return chat


def messages(session: Session, chat_id: str) -> list[ChatMessage]:
    """The session's messages, oldest first."""
    stmt = select(ChatMessage).where(ChatMessage.session_id == chat_id)
    return list(session.scalars(stmt.order_by(ChatMessage.created_at, ChatMessage.id)))


def last_turns(session: Session, chat_id: str) -> list[ChatTurn]:
    """The session's last ``HISTORY_TURNS`` questions and answers, oldest first."""
    return [
        ChatTurn(role=m.role, content=m.content)
        for m in messages(session, chat_id)[-HISTORY_TURNS:]
        if m.role in ("user", "assistant")
    ]


def conversation_turns(
    session: Session, user: User, chat_id: str, workflow_id: str
) -> list[ChatTurn]:
    """The last turns of the user's chat session ``chat_id`` with ``workflow_id``: 404 when
    it is not the user's, 422 when it is a conversation with another workflow."""
    chat = owned_session(session, user, chat_id)
    if chat.workflow_id != workflow_id:
        raise ApiError(
            422,
            "invalid_request",
            f"Chat session '{chat_id}' is a conversation with another workflow",
            {"problems": [{"field": "session_id", "message": "a session of another workflow"}]},
        )
    return last_turns(session, chat_id)


def record_question(
    session: Session, chat: ChatSession, content: str, sent_at: datetime, run_id: str
) -> ChatMessage:
    """Stores the user's message as soon as its run has started, so it is kept whatever
    happens to the request that waits for the answer."""
    question = ChatMessage(
        session_id=chat.id, role="user", content=content, run_id=run_id, created_at=sent_at
    )
    session.add(question)
    chat.updated_at = utcnow()
    session.commit()
    return question


def record_answer(session: Session, chat_id: str, answer: ExecuteResponse) -> ChatMessage:
    """Stores a run's answer in its chat session once: by the request that waited for it,
    or — when that request is gone — by the runs index's sweep (``api.runs.reconcile``)."""
    existing = _answer_of(session, answer.run_id)
    if existing is not None:
        return existing
    reply = ChatMessage(
        session_id=chat_id,
        role="assistant",
        content=answer.response,
        run_id=answer.run_id,
        message_metadata=answer.model_dump(
            mode="json", include={"model", "usage", "context_used", "citations", "web_sources"}
        ),
    )
    session.add(reply)
    chat = session.get(ChatSession, chat_id)
    if chat is not None:
        chat.updated_at = utcnow()
    try:
        session.commit()
    except IntegrityError:  # the other writer was first (one answer per run)
        session.rollback()
        found = _answer_of(session, answer.run_id)
        assert found is not None
        return found
    return reply


def _answer_of(session: Session, run_id: str) -> ChatMessage | None:
    return session.scalar(
        select(ChatMessage).where(ChatMessage.run_id == run_id, ChatMessage.role == "assistant")
    )
