"""Request and response bodies of workflows, their components, edges and validation, and
of the component catalogue."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, JsonValue

from api.core.schemas import RequestBody
from workflows.components import Port, StepDefaults
from workflows.graph import NODE_ID_PATTERN, Edge, Graph, Position, StepPolicyOverride


class WorkflowCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    graph: Graph | None = None


class WorkflowUpdate(RequestBody):
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


class ComponentCreate(RequestBody):
    """Adds a node; its id is generated from the type when not given."""

    node_id: str | None = Field(default=None, pattern=NODE_ID_PATTERN)
    type: str = Field(min_length=1, max_length=64)
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
