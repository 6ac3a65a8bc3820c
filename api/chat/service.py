"""Chat sessions: a conversation with a workflow, whose last turns go to the LLM as history.

A message runs the session's workflow (``api.runs.execution``): the question is stored once
the run has started, the answer once it completes (``api.chat.history``).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import WorkflowHandle

from api.chat.history import messages as _messages
from api.chat.history import owned_session as _owned_session
from api.chat.history import record_answer, record_question
from api.chat.schemas import (
    ChatMessageAccepted,
    ChatMessageCreate,
    ChatMessageOut,
    ChatMessageSend,
    ChatReply,
    ChatSessionCreate,
    ChatSessionOut,
)
from api.core.access import Action
from api.core.schemas import RunVersion
from api.core.temporal import TemporalConnector
from api.db.models import ChatMessage, ChatSession, Run, User, utcnow
from api.runs.execution import (
    answer_in_background,
    await_answer,
    prepare_run,
    start_prepared,
)
from api.workflows.graph_store import workflow_for_change
from settings import Settings
from workflows.plan import GraphRunResult


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


@dataclass(frozen=True)
class _Turn:
    """A chat turn whose run has started and whose question is stored."""

    chat: ChatSession
    run: Run
    handle: WorkflowHandle[Any, GraphRunResult]
    question: ChatMessage


async def _start_turn(
    session: Session,
    *,
    user: User,
    settings: Settings,
    temporal: TemporalConnector,
    chat_id: str,
    content: str,
    version: RunVersion,
) -> _Turn:
    """Starts the session's workflow with the message and the last turns, and stores the
    message once the run has started."""
    sent_at = utcnow()
    chat = await run_in_threadpool(_owned_session, session, user, chat_id)
    prepared = await prepare_run(
        session=session,
        temporal=temporal,
        user=user,
        workflow_id=chat.workflow_id,
        query=content,
        history=None,
        chat_session_id=chat.id,
        version=version,
    )
    handle = await start_prepared(
        session=session, temporal=temporal, settings=settings, prepared=prepared
    )
    question = await run_in_threadpool(
        record_question, session, chat, content, sent_at, prepared.run.id
    )
    return _Turn(chat, prepared.run, handle, question)


async def send_message(
    session: Session,
    *,
    user: User,
    settings: Settings,
    temporal: TemporalConnector,
    chat_id: str,
    body: ChatMessageCreate,
) -> ChatReply:
    """Runs the session's workflow with the message and the last turns. The message is
    stored as soon as the run has started, the answer when the run completes — by this
    request, or by the runs index's sweep if this request is gone by then."""
    turn = await _start_turn(
        session,
        user=user,
        settings=settings,
        temporal=temporal,
        chat_id=chat_id,
        content=body.content,
        version=body.version,
    )
    answer = await await_answer(session=session, run=turn.run, handle=turn.handle)
    reply = await run_in_threadpool(record_answer, session, turn.chat.id, answer)
    return ChatReply(**answer.model_dump(), session_id=turn.chat.id, message=_message_out(reply))


async def accept_message(
    session: Session,
    *,
    user: User,
    settings: Settings,
    temporal: TemporalConnector,
    body: ChatMessageSend,
) -> ChatMessageAccepted:
    """Starts the session's workflow with the message and answers at once: the question
    is stored, the run's events stream from ``events_url``, and the answer is stored when
    the run completes — by this process while it lives, else by the runs index's sweep."""
    turn = await _start_turn(
        session,
        user=user,
        settings=settings,
        temporal=temporal,
        chat_id=body.session_id,
        content=body.message,
        version=body.version,
    )
    chat_id, run_id = turn.chat.id, turn.run.id
    answer_in_background(run_id, turn.handle, lambda db, answer: record_answer(db, chat_id, answer))
    return ChatMessageAccepted(
        run_id=run_id,
        events_url=f"/api/v1/runs/{run_id}/events",
        session_id=chat_id,
        message=_message_out(turn.question),
    )
