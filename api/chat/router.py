"""Chat sessions: a conversation with a workflow, whose history goes to the LLM."""

from fastapi import APIRouter, Response, WebSocket

from api.chat import service
from api.chat.schemas import (
    ChatMessageAccepted,
    ChatMessageCreate,
    ChatMessageOut,
    ChatMessageSend,
    ChatReply,
    ChatSessionCreate,
    ChatSessionOut,
)
from api.chat.socket import serve_chat_socket
from api.core.deps import (
    CurrentUser,
    ExecutionQuota,
    SessionDep,
    SettingsDep,
    TemporalConnectorDep,
)
from api.runs.live_events import counted_stream

router = APIRouter(prefix="/chat", tags=["chat"])


@router.post("/sessions", status_code=201)
def create_session(
    body: ChatSessionCreate, session: SessionDep, user: CurrentUser
) -> ChatSessionOut:
    """Starts a chat with one of the user's workflows."""
    return service.create_session(session, user=user, body=body)


@router.get("/sessions")
def list_sessions(
    session: SessionDep, user: CurrentUser, workflow_id: str | None = None
) -> list[ChatSessionOut]:
    """Lists the user's chat sessions, most recent first."""
    return service.list_sessions(session, user=user, workflow_id=workflow_id)


@router.delete("/sessions/{chat_id}", status_code=204)
def delete_session(chat_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Deletes a chat session and its messages."""
    service.delete_session(session, user=user, chat_id=chat_id)
    return Response(status_code=204)


@router.get("/sessions/{chat_id}/messages")
def get_history(chat_id: str, session: SessionDep, user: CurrentUser) -> list[ChatMessageOut]:
    """The session's messages, oldest first."""
    return service.list_messages(session, user=user, chat_id=chat_id)


@router.post("/sessions/{chat_id}/messages", dependencies=[ExecutionQuota])
async def send_message(
    chat_id: str,
    body: ChatMessageCreate,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ChatReply:
    """Runs the session's workflow with the message and the conversation so far."""
    return await service.send_message(
        session, user=user, settings=settings, temporal=temporal, chat_id=chat_id, body=body
    )


@router.post("/messages", status_code=202, dependencies=[ExecutionQuota])
async def accept_message(
    body: ChatMessageSend,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    temporal: TemporalConnectorDep,
) -> ChatMessageAccepted:
    """Sends a message and answers at once with the stored question and the run; its
    events (steps, the answer) stream from ``events_url``; the answer is stored when the
    run completes."""
    return await service.accept_message(
        session, user=user, settings=settings, temporal=temporal, body=body
    )


@router.websocket("/ws/{session_id}")
async def chat_socket(
    websocket: WebSocket, session_id: str, session: SessionDep, settings: SettingsDep
) -> None:
    """The chat over a WebSocket: authenticate with the first frame, then send messages and
    receive each run's events (``api/chat/socket.py`` has the protocol)."""
    with counted_stream("websocket"):
        await serve_chat_socket(
            websocket,
            session=session,
            settings=settings,
            temporal=websocket.app.state.temporal,
            chat_id=session_id,
        )
