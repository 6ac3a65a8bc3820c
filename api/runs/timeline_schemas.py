"""The node-by-node timeline of one graph run, as the API serves it.

Built by ``api.runs.timeline.build_timeline`` from the run's Temporal event history.
Times are UTC; durations are whole milliseconds and ``None`` until something finishes.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, JsonValue

from api.usage.schemas import RunUsage
from workflows.step_io import BlobRef, Passage, TokenUsage, WebResult

# How the run's Temporal execution stands, read from its history (the index keeps only
# running, completed or failed: ``schemas.IndexedRunStatus``).
ExecutionStatus = Literal["running", "completed", "failed", "timed_out", "terminated", "cancelled"]
NodeStatus = Literal["pending", "running", "completed", "failed", "reused"]
AttemptStatus = Literal["completed", "failed", "timed_out", "cancelled", "running"]


class AttemptRecord(BaseModel):
    """One execution attempt of a step's activity.

    Times the history does not record are ``None``: with retries done by the server (or
    inside a worker, for a local activity) only the last attempt's start and end are
    recorded, and only the last failure before it.
    """

    attempt: int = Field(description="1 for the first attempt of the step.")
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    status: AttemptStatus
    error: str | None = None
    error_type: str | None = Field(
        default=None, description="The failure's type, e.g. ProviderAuthError or StartToClose."
    )
    backoff_ms: int | None = Field(
        default=None, description="How long the workflow waited before this attempt."
    )


class StreamedAnswer(BaseModel):
    """An answer an LLM step streamed: one per attempt that got as far as the provider's
    stream, including an attempt whose worker died mid-answer (which the history, for a
    local step, never records). Read from the answer stream while it keeps the run's rows
    (24 h)."""

    attempt: int = Field(description="1 for the node's first streamed answer in the run.")
    tokens: int = Field(
        description="Text deltas the provider sent (OpenAI: one token each; Gemini: several)."
    )
    chars: int
    outcome: Literal["completed", "failed", "interrupted", "streaming"] = Field(
        description="interrupted: it stopped with neither an answer nor an error (its"
        " worker died); the tokens it streamed were paid for."
    )
    usage: RunUsage | None = Field(
        default=None,
        description="The tokens this attempt cost and their estimated cost (billed when it"
        " completed, estimated when it failed or was interrupted); null if not recorded.",
    )


class NodeTimeline(BaseModel):
    """What one plan step did: status, attempts, inputs and outputs."""

    node_id: str
    component: str
    activity: str | None = None
    execution: Literal["local", "regular"] | None = Field(
        default=None, description="How the activity runs; None for steps without one."
    )
    implicit: bool = Field(default=False, description="Added by the compiler.")
    status: NodeStatus
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    error: str | None = None
    attempts: list[AttemptRecord] = Field(default_factory=list)
    inputs: dict[str, JsonValue] = Field(
        default_factory=dict, description="By input port: what upstream steps produced."
    )
    outputs: dict[str, JsonValue] = Field(
        default_factory=dict, description="By output port, once the step completed."
    )
    config: dict[str, JsonValue] = Field(default_factory=dict)
    model: str | None = Field(default=None, description="llm_engine: the model that answered.")
    usage: TokenUsage | None = Field(default=None, description="llm_engine: tokens used.")
    attempts_usage: RunUsage | None = Field(
        default=None,
        description="llm_engine: tokens and estimated cost of all its attempts (failed and "
        "interrupted ones too, which ``usage`` does not count).",
    )
    streams: list[StreamedAnswer] = Field(
        default_factory=list, description="llm_engine: every answer it streamed, in order."
    )
    passages: list[Passage] | BlobRef | None = Field(
        default=None, description="knowledge_base: the passages retrieved."
    )
    web_results: list[WebResult] | BlobRef | None = Field(
        default=None, description="web_search: the results found."
    )


class RunEvent(BaseModel):
    """A notable run-level event, such as a worker that stopped responding."""

    at: datetime
    kind: Literal[
        "workflow_task_timed_out",
        "workflow_task_failed",
        "activity_timed_out",
        "cancel_requested",
    ]
    message: str
    node_id: str | None = None
    detail: str | None = None


class RunTimeline(BaseModel):
    """One run, step by step, as its event history records it."""

    run_id: str = Field(description="The workflow id.")
    status: ExecutionStatus
    started_at: datetime
    finished_at: datetime | None = None
    duration_ms: int | None = None
    query: str
    plan_hash: str
    error: str | None = Field(default=None, description="Why the run failed or stopped.")
    nodes: list[NodeTimeline] = Field(description="In plan (topological) order.")
    events: list[RunEvent] = Field(default_factory=list)
    event_count: int
    usage: RunUsage | None = Field(
        default=None,
        description="LLM tokens and estimated cost of the whole run, every attempt counted.",
    )
