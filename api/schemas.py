"""Request and response bodies of the HTTP API."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from workflows.graph import (
    NODE_ID_PATTERN,
    Edge,
    Graph,
    Position,
    StepPolicyOverride,
    VersionNumber,
)
from workflows.step_io import Citation, TokenUsage, WebResult

MAX_QUERY_CHARS = 20_000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Body):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class UserCreate(_Body):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1024)
    is_admin: bool = False


class UserOut(BaseModel):
    id: str
    email: str
    is_admin: bool


class WorkflowCreate(_Body):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    graph: Graph | None = None


class WorkflowUpdate(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class WorkflowOut(BaseModel):
    id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
    last_run_status: str | None = Field(
        default=None, description="Status of the newest run (list only); None if never run."
    )
    last_run_at: datetime | None = None
    latest_version: int | None = Field(
        default=None, description="The highest published version number; None if never published."
    )


class WorkflowDetail(WorkflowOut):
    graph: Graph


class ComponentCreate(_Body):
    """Adds a node; its id is generated from the type when not given."""

    node_id: str | None = Field(default=None, pattern=NODE_ID_PATTERN)
    type: str = Field(min_length=1, max_length=64)
    position: Position = Field(default_factory=Position)
    config: dict[str, JsonValue] = Field(default_factory=dict)
    policy: StepPolicyOverride | None = None


class ComponentUpdate(_Body):
    position: Position | None = None
    config: dict[str, JsonValue] | None = None
    policy: StepPolicyOverride | None = None


class EdgeOut(Edge):
    id: str


class GraphProblemOut(BaseModel):
    code: str
    message: str
    node_id: str | None
    field: str | None


class ValidationResult(BaseModel):
    valid: Literal[True] = True
    plan_hash: str
    steps: list[str]


def run_version_field() -> Any:
    return Field(
        default=None,
        description="A published version number, 'draft', or none for the latest published "
        "version (the draft when nothing is published).",
    )


class ExecuteRequest(_Body):
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: VersionNumber | Literal["draft"] | None = run_version_field()


class ExecuteResponse(BaseModel):
    """The seed's response shape plus the run id, citations and web sources."""

    success: bool = True
    response: str
    model: str | None
    usage: TokenUsage
    context_used: bool
    run_id: str
    version: int | None = Field(default=None, description="The version run; null: the draft.")
    citations: list[Citation] = Field(default_factory=list)
    web_sources: list[WebResult] = Field(default_factory=list)


class ChatSessionCreate(_Body):
    workflow_id: str = Field(min_length=1, max_length=64)
    title: str = Field(default="New chat", min_length=1, max_length=200)


class ChatSessionOut(BaseModel):
    id: str
    workflow_id: str
    title: str
    created_at: datetime
    updated_at: datetime


class ChatMessageCreate(_Body):
    content: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: VersionNumber | Literal["draft"] | None = run_version_field()


class ChatMessageOut(BaseModel):
    id: str
    role: str
    content: str
    metadata: dict[str, JsonValue]
    run_id: str | None
    created_at: datetime


class ChatReply(ExecuteResponse):
    session_id: str
    message: ChatMessageOut


class DependencyHealth(BaseModel):
    ok: bool
    detail: str = ""


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, DependencyHealth]
