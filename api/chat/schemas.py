"""Request and response bodies of chat sessions and messages."""

from datetime import datetime

from pydantic import BaseModel, Field, JsonValue

from api.core.schemas import MAX_QUERY_CHARS, Identifier, RequestBody, RunVersion
from api.runs.schemas import ExecuteResponse, RunStarted, run_version_field


class ChatSessionCreate(RequestBody):
    workflow_id: Identifier
    title: str = Field(default="New chat", min_length=1, max_length=200)


class ChatSessionOut(BaseModel):
    id: str
    workflow_id: str
    title: str
    created_at: datetime
    updated_at: datetime


class ChatMessageCreate(RequestBody):
    content: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: RunVersion = run_version_field()


class ChatMessageOut(BaseModel):
    id: str
    role: str
    content: str
    metadata: dict[str, JsonValue]
    run_id: str | None
    created_at: datetime


class ChatMessageSend(RequestBody):
    """The design's chat message: a session and the user's text; the answer streams."""

    session_id: Identifier
    message: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: RunVersion = run_version_field()


class ChatMessageAccepted(RunStarted):
    """The stored question and the run that answers it (follow ``events_url``)."""

    session_id: str
    message: ChatMessageOut


class ChatReply(ExecuteResponse):
    session_id: str
    message: ChatMessageOut
