"""Request and response bodies of workflows, their components, edges and validation, and
of the component catalogue."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, JsonValue

from api.core.schemas import RequestBody
from workflows.components import Port, StepDefaults
from workflows.graph import NODE_ID_PATTERN, Edge, Graph, Position, StepPolicyOverride


class WorkflowCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    workspace_id: str | None = Field(
        default=None, max_length=64, description="Where it goes; default: your own workspace."
    )
    description: str = Field(default="", max_length=2000)
    graph: Graph | None = None


class WorkflowUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class WorkflowOut(BaseModel):
    id: str
    workspace_id: str
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
    is_active: bool = Field(
        default=True,
        description="False once archived (deleted): readable, but changes and runs answer 409.",
    )
    archived_at: datetime | None = Field(default=None, description="When it was archived.")


class WorkflowDetail(WorkflowOut):
    graph: Graph


class ComponentCreate(RequestBody):
    """Adds a node; its id is generated from the type when not given."""

    node_id: str | None = Field(default=None, pattern=NODE_ID_PATTERN)
    type: str = Field(
        pattern=NODE_ID_PATTERN, description="A component type of the catalogue (an identifier)."
    )
    position: Position = Field(default_factory=Position)
    config: dict[str, JsonValue] = Field(default_factory=dict)
    policy: StepPolicyOverride | None = None


class ComponentUpdate(RequestBody):
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


class ComponentOut(BaseModel):
    type: str
    label: str
    description: str
    color: str
    inputs: list[Port]
    outputs: list[Port]
    defaults: StepDefaults
    config_schema: dict[str, Any]


class PurgeRequest(RequestBody):
    """Which archived workflows to purge: the given ones (each must have been archived for
    the retention period), or every one archived that long."""

    workflow_ids: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")]] | None = Field(
        default=None, min_length=1, max_length=1000
    )
    dry_run: bool = Field(default=False, description="Report what would be purged; erase nothing.")


class PurgedWorkflow(BaseModel):
    id: str
    name: str
    owner_id: str
    archived_at: datetime
    runs: int
    versions: int
    chat_sessions: int


class PurgeReport(BaseModel):
    retention_days: int
    cutoff: datetime = Field(description="Workflows archived at or before this may be purged.")
    dry_run: bool
    purged: list[PurgedWorkflow]
