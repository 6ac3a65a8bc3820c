"""Chat sessions: a conversation with a workflow, whose last turns go to the LLM as history.

A message runs the session's workflow (``api.runs.execution.execute_graph``); the question
and the answer are recorded only once the run has answered.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.chat.history import last_turns
from api.chat.history import messages as _messages
from api.chat.history import owned_session as _owned_session
from api.chat.schemas import (
    ChatMessageCreate,
    ChatMessageOut,
    ChatReply,
    ChatSessionCreate,
    ChatSessionOut,
)
from api.core.access import Action
from api.core.temporal import TemporalConnector
from api.db.models import ChatMessage, ChatSession, User, utcnow
from api.runs.execution import execute_graph
from api.workflows.graph_store import workflow_for_change
from settings import Settings
from workflows.step_io import ChatTurn


def _message_out(m: ChatMessage) -> ChatMessageOut:
    """A stored message as the API returns it."""
    return ChatMessageOut(
        id=m.id,
        role=m.role,
        content=m.content,
        metadata=m.message_metadata or {},
        run_id=m.run_id,
        created_at=m.created_at,
    )


def create_session(session: Session, *, user: User, body: ChatSessionCreate) -> ChatSessionOut:
    """Starts a chat with a workflow the user may run (404 outside their workspaces, 409 if
    archived)."""
    workflow = workflow_for_change(session, user, body.workflow_id, Action.RUN)
    chat = ChatSession(
        workflow_id=workflow.id,
        owner_id=user.id,
        workspace_id=workflow.workspace_id,
        title=body.title,
    )
    session.add(chat)
    session.commit()
    return ChatSessionOut.model_validate(chat, from_attributes=True)


def list_sessions(session: Session, *, user: User, workflow_id: str | None) -> list[ChatSessionOut]:
    """The user's chat sessions, of one workflow when given, most recent first."""
    stmt = select(ChatSession).where(ChatSession.owner_id == user.id)
    if workflow_id:
        stmt = stmt.where(ChatSession.workflow_id == workflow_id)
    rows = session.scalars(stmt.order_by(ChatSession.updated_at.desc()))
    return [ChatSessionOut.model_validate(c, from_attributes=True) for c in rows]


def delete_session(session: Session, *, user: User, chat_id: str) -> None:
    """Deletes the user's chat session and its messages (not while its workflow is archived:
    an archived workflow's chats are kept as they are)."""
    chat = _owned_session(session, user, chat_id)
    workflow_for_change(session, user, chat.workflow_id, Action.RUN)
    session.delete(chat)
    session.commit()


def list_messages(session: Session, *, user: User, chat_id: str) -> list[ChatMessageOut]:
    """The user's chat session's messages, oldest first."""
    _owned_session(session, user, chat_id)
    return [_message_out(m) for m in _messages(session, chat_id)]


async def send_message(
    session: Session,
    *,
    user: User,
    settings: Settings,
    temporal: TemporalConnector,
    chat_id: str,
    body: ChatMessageCreate,
) -> ChatReply:
    """Runs the session's workflow with the message and the last turns, and records both."""
    received_at = utcnow()
    chat, history = await run_in_threadpool(_conversation, session, user, chat_id)
    answer = await execute_graph(
        session=session,
        temporal=temporal,
        settings=settings,
        user=user,
        workflow_id=chat.workflow_id,
        query=body.content,
        history=history,
        chat_session_id=chat.id,
        version=body.version,
    )
    question = ChatMessage(
        session_id=chat.id, role="user", content=body.content, created_at=received_at
    )
    reply = ChatMessage(
        session_id=chat.id,
        role="assistant",
        content=answer.response,
        run_id=answer.run_id,
        message_metadata=answer.model_dump(
            mode="json", include={"model", "usage", "context_used", "citations", "web_sources"}
        ),
    )
    await run_in_threadpool(_record_exchange, session, chat, question, reply)
    return ChatReply(**answer.model_dump(), session_id=chat.id, message=_message_out(reply))


def _conversation(session: Session, user: User, chat_id: str) -> tuple[ChatSession, list[ChatTurn]]:
    """The user's chat session and its last turns, oldest first."""
    chat = _owned_session(session, user, chat_id)
    return chat, last_turns(session, chat_id)


def _record_exchange(
    session: Session, chat: ChatSession, question: ChatMessage, reply: ChatMessage
) -> None:
    """Stores the question and the answer and marks the session as just used."""
    session.add_all([question, reply])
    chat.updated_at = utcnow()
    session.commit()
