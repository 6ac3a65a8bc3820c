"""The chat's WebSocket, ``/api/v1/chat/ws/{session_id}``: the same messages and run events
as ``POST /chat/messages`` and ``GET /runs/{id}/events``, over one connection.

The token never goes in the URL (it would land in access logs): the first frame must be
``{"type": "auth", "token": "<login token or API key>"}`` within ``AUTH_SECONDS``, else the
socket closes with 1008 (policy violation). A session the user may not open closes it with
4404. Then, one at a time:

- ``{"type": "message", "content": "...", "version"?}`` → ``{"type": "accepted", "run_id",
  "message"}``, then every event of that run as ``{"type": "event", "id", "event",
  "data"}`` until it completes or fails;
- ``{"type": "resume", "run_id", "last_event_id"}`` → the run's events after that id (a
  client that lost its connection picks up where it was, on any API process);
- ``{"type": "ping"}`` → ``{"type": "pong"}`` (the server also sends ``{"type": "ping"}``
  while a run is quiet).

A frame that is not one of these gets ``{"type": "error", "code", "message"}`` and the
connection stays open; an error of the API (a 4xx, a failed start) is sent the same way.
"""

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.chat.history import owned_session
from api.chat.schemas import ChatMessageSend
from api.chat.service import accept_message
from api.core.deps import authenticate
from api.core.errors import ApiError
from api.core.rate_limits import limiter_for
from api.core.route_access import Need
from api.core.schemas import MAX_QUERY_CHARS, Identifier, RunVersion
from api.core.temporal import TemporalConnector
from api.db.models import User
from api.runs.live_events import (
    EventCursor,
    Keepalive,
    StreamEvent,
    follow_run,
    parse_last_event_id,
)
from settings import Settings

AUTH_SECONDS = 10.0
POLICY_VIOLATION = 1008
NOT_FOUND = 4404


class _Auth(BaseModel):
    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=4096)


class _Message(BaseModel):
    type: Literal["message"]
    content: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: RunVersion = None


class _Resume(BaseModel):
    type: Literal["resume"]
    run_id: Identifier
    last_event_id: str | None = Field(default=None, max_length=40)


class _Ping(BaseModel):
    type: Literal["ping"]


_Frame = TypeAdapter(Annotated[_Message | _Resume | _Ping, Field(discriminator="type")])


async def serve_chat_socket(
    websocket: WebSocket,
    *,
    session: Session,
    settings: Settings,
    temporal: TemporalConnector,
    chat_id: str,
) -> None:
    """Authenticates the socket from its first frame, then serves its frames until it closes."""
    await websocket.accept()
    user = await _authenticate(websocket, session, settings)
    if user is None:
        return
    try:
        await run_in_threadpool(owned_session, session, user, chat_id)
    except ApiError as err:
        await websocket.close(code=NOT_FOUND, reason=err.message[:120])
        return
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                frame = _Frame.validate_json(raw)
            except ValidationError as err:
                await _error(websocket, "invalid_frame", _first_problem(err))
                continue
            try:
                await _serve(websocket, frame, session, settings, temporal, user, chat_id)
            except ApiError as err:
                await _error(websocket, err.code, err.message)
    except WebSocketDisconnect:
        return


async def _authenticate(websocket: WebSocket, session: Session, settings: Settings) -> User | None:
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), AUTH_SECONDS)
        token = _Auth.model_validate_json(raw).token
        address = websocket.client.host if websocket.client else None
        caller = await run_in_threadpool(authenticate, session, settings, token, Need.RUN, address)
        limiter_for(settings).charge("api", caller.principal)
    except (TimeoutError, ValidationError, ApiError, WebSocketDisconnect):
        await websocket.close(
            code=POLICY_VIOLATION, reason="send {'type': 'auth', 'token': ...} first"
        )
        return None
    return caller.user


async def _serve(
    websocket: WebSocket,
    frame: _Message | _Resume | _Ping,
    session: Session,
    settings: Settings,
    temporal: TemporalConnector,
    user: User,
    chat_id: str,
) -> None:
    if isinstance(frame, _Ping):
        await websocket.send_json({"type": "pong"})
        return
    if isinstance(frame, _Resume):
        after = parse_last_event_id(frame.last_event_id)
        await _stream(websocket, session, temporal, user, frame.run_id, after)
        return
    body = ChatMessageSend(session_id=chat_id, message=frame.content, version=frame.version)
    accepted = await accept_message(
        session, user=user, settings=settings, temporal=temporal, body=body
    )
    await websocket.send_json(
        {"type": "accepted", **accepted.model_dump(mode="json", include={"run_id", "message"})}
    )
    await _stream(websocket, session, temporal, user, accepted.run_id, EventCursor())


async def _stream(
    websocket: WebSocket,
    session: Session,
    temporal: TemporalConnector,
    user: User,
    run_id: str,
    after: EventCursor,
) -> None:
    items = await follow_run(
        session=session, temporal=temporal, user=user, run_id=run_id, after=after
    )
    async for item in items:
        if isinstance(item, StreamEvent):
            data: Any = json.loads(item.data.model_dump_json())
            await websocket.send_json(
                {"type": "event", "id": item.id, "event": item.event, "data": data}
            )
        elif isinstance(item, Keepalive):
            await websocket.send_json({"type": "ping"})
        else:
            await websocket.send_json({"type": "error", **item.error.error.model_dump()})
            return


async def _error(websocket: WebSocket, code: str, message: str) -> None:
    await websocket.send_json({"type": "error", "code": code, "message": message})


def _first_problem(err: ValidationError) -> str:
    problem = err.errors(include_url=False)[0]
    where = ".".join(str(part) for part in problem["loc"]) or "frame"
    return f"{where}: {problem['msg']} (frames: message, resume, ping)"
