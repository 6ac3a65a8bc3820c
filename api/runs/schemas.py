"""Request and response bodies of the run history, replay and audit endpoints."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.core.schemas import MAX_QUERY_CHARS, Identifier, RequestBody, RunVersion
from api.runs.timeline_schemas import NodeTimeline, RunTimeline
from api.usage.schemas import RunUsage
from workflows.graph import NODE_ID_PATTERN
from workflows.plan import RunProgress
from workflows.step_io import Citation, TokenUsage, WebResult

RunKind = Literal["run", "rerun", "replay"]
# A run's status in the runs index. How its Temporal execution ended (timed out,
# terminated…) is ``timeline_schemas.ExecutionStatus``; the index records those as failed.
IndexedRunStatus = Literal["running", "completed", "failed"]


class RunOut(BaseModel):
    """One run in the index: what ran, for whom, and how it ended."""

    id: str
    workflow_id: str
    user_id: str
    workspace_id: str
    session_id: str | None
    version: int | None = Field(description="The published version run; null: the draft.")
    graph_hash: str | None = Field(description="SHA-256 of the graph that was compiled.")
    plan_hash: str
    query: str
    kind: RunKind
    parent_run_id: str | None = Field(description="The run this one re-runs or replays.")
    replay_from_node: str | None
    status: str
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    temporal_ui_url: str
    trace_id: str | None = Field(
        default=None,
        description="The OpenTelemetry trace of the request that started the run (32 hex "
        "digits): its steps and provider calls are spans of it. Null with tracing off.",
    )


class RunFilter(RequestBody):
    """Which runs to list (every filter optional) and which page of them."""

    workflow_id: str | None = None
    version: RunVersion = None
    status: IndexedRunStatus | None = None
    kind: RunKind | None = None
    user_id: str | None = Field(default=None, description="Runs one user started.")
    workspace_id: str | None = None
    parent_run_id: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    cursor: str | None = Field(default=None, description="``next_cursor`` of the last page.")
    limit: int = Field(default=50, ge=1)


class RunPage(BaseModel):
    """A page of runs, newest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[RunOut]
    next_cursor: str | None


class RunDetail(RunOut):
    progress: RunProgress | None = Field(
        description="Each step's status, asked of the running workflow (null if it cannot "
        "answer); the timeline is the durable record."
    )
    usage: RunUsage | None = Field(
        default=None,
        description="LLM tokens and estimated cost of the run, every attempt counted.",
    )


class RunTimelineOut(BaseModel):
    run: RunOut
    timeline: RunTimeline


class ReplayRequest(RequestBody):
    from_node: str = Field(pattern=NODE_ID_PATTERN, description="Re-execute from this node on.")
    version: RunVersion = Field(
        default=None,
        description="Run this version's graph from the node (e.g. the draft with an edited "
        "prompt); none: the original run's own plan.",
    )


class NodeComparison(BaseModel):
    node_id: str
    left: NodeTimeline | None
    right: NodeTimeline | None
    same_outputs: bool


class RunComparison(BaseModel):
    """Two runs side by side, node by node."""

    left: RunOut
    right: RunOut
    same_plan: bool
    same_outputs: bool
    nodes: list[NodeComparison]


class ReplayCheckRequest(RequestBody):
    run_ids: list[Identifier] = Field(default_factory=list, max_length=200)
    recent: int = Field(
        default=20, ge=0, le=200, description="Also check your most recent runs, this many."
    )


class ReplayCheckResult(BaseModel):
    run_id: str
    replays: bool
    error: str | None = None


class ReplayCheckReport(BaseModel):
    """Whether each run's history still replays against the workflow code running now."""

    checked: int
    failures: int
    results: list[ReplayCheckResult]


# --- starting a run ----------------------------------------------------------------------


def run_version_field() -> Any:
    return Field(
        default=None,
        description="A published version number, 'draft', or none for the latest published "
        "version (the draft when nothing is published).",
    )


class ExecuteRequest(RequestBody):
    """What ``execute`` and ``POST /workflows/{id}/runs`` run."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    version: RunVersion = run_version_field()
    session_id: Identifier | None = Field(
        default=None,
        description="One of your chat sessions with this workflow: the run receives its last "
        "turns as conversation history and is recorded as part of it. The conversation's "
        "messages are stored by the chat endpoints, not by this one.",
    )


class RunStarted(BaseModel):
    """A run that was started and is not awaited: follow ``events_url`` (Server-Sent Events)."""

    run_id: str
    events_url: str


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
