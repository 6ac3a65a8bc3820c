"""Chat sessions: a conversation with a workflow, whose history goes to the LLM."""

from fastapi import APIRouter, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.chat.schemas import (
    ChatMessageCreate,
    ChatMessageOut,
    ChatReply,
    ChatSessionCreate,
    ChatSessionOut,
)
from api.core.deps import CurrentUser, SessionDep, SettingsDep, TemporalConnectorDep
from api.core.ownership import owned
from api.db.models import ChatMessage, ChatSession, utcnow
from api.runs.execution import execute_graph
from api.workflows.graph_store import owned_workflow
from workflows.step_io import ChatTurn

router = APIRouter(prefix="/chat", tags=["chat"])

HISTORY_TURNS = 20


def _owned_session(session: SessionDep, user: CurrentUser, chat_id: str) -> ChatSession:
    return owned(session, ChatSession, chat_id, user, "chat session")


def _message_out(m: ChatMessage) -> ChatMessageOut:
    return ChatMessageOut(
        id=m.id,
        role=m.role,
        content=m.content,
        metadata=m.message_metadata or {},
        run_id=m.run_id,
        created_at=m.created_at,
    )


@router.post("/sessions", status_code=201)
def create_session(
    body: ChatSessionCreate, session: SessionDep, user: CurrentUser
) -> ChatSessionOut:
    """Starts a chat with one of the user's workflows."""
    workflow = owned_workflow(session, user, body.workflow_id)
    chat = ChatSession(workflow_id=workflow.id, owner_id=user.id, title=body.title)
    session.add(chat)
    session.commit()
    return ChatSessionOut.model_validate(chat, from_attributes=True)


@router.get("/sessions")
def list_sessions(
    session: SessionDep, user: CurrentUser, workflow_id: str | None = None
) -> list[ChatSessionOut]:
    """Lists the user's chat sessions, most recent first."""
    stmt = select(ChatSession).where(ChatSession.owner_id == user.id)
    if workflow_id:
        stmt = stmt.where(ChatSession.workflow_id == workflow_id)
    rows = session.scalars(stmt.order_by(ChatSession.updated_at.desc()))
    return [ChatSessionOut.model_validate(c, from_attributes=True) for c in rows]


@router.delete("/sessions/{chat_id}", status_code=204)
def delete_session(chat_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Deletes a chat session and its messages."""
    session.delete(_owned_session(session, user, chat_id))
    session.commit()
    return Response(status_code=204)


def _messages(session: SessionDep, chat_id: str) -> list[ChatMessage]:
    stmt = select(ChatMessage).where(ChatMessage.session_id == chat_id)
    return list(session.scalars(stmt.order_by(ChatMessage.created_at, ChatMessage.id)))


@router.get("/sessions/{chat_id}/messages")
def get_history(chat_id: str, session: SessionDep, user: CurrentUser) -> list[ChatMessageOut]:
    """The session's messages, oldest first."""
    _owned_session(session, user, chat_id)
    return [_message_out(m) for m in _messages(session, chat_id)]


@router.post("/sessions/{chat_id}/messages")
async def send_message(
    chat_id: str,
    body: ChatMessageCreate,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ChatReply:
    """Runs the session's workflow with the message and the conversation so far."""
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


def _conversation(
    session: SessionDep, user: CurrentUser, chat_id: str
) -> tuple[ChatSession, list[ChatTurn]]:
    """The user's chat session and its last turns, oldest first."""
    chat = _owned_session(session, user, chat_id)
    history = [
        ChatTurn(role=m.role, content=m.content)  # type: ignore[arg-type]
        for m in _messages(session, chat_id)[-HISTORY_TURNS:]
        if m.role in ("user", "assistant")
    ]
    return chat, history


def _record_exchange(
    session: SessionDep, chat: ChatSession, question: ChatMessage, reply: ChatMessage
) -> None:
    session.add_all([question, reply])
    chat.updated_at = utcnow()
    session.commit()
