"""Request and response bodies of workflows, their components, edges and validation, and
of the component catalogue."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, JsonValue, StrictFloat, model_validator

from api.core.schemas import RequestBody
from workflows.components import Port, StepDefaults
from workflows.graph import NODE_ID_PATTERN, Edge, Graph, Node, Position, StepPolicyOverride


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


_CURRENT_SHAPE = ("type", "position", "config")
_DESIGN_SHAPE = ("component_type", "position_x", "position_y", "configuration")
_SHAPES = (
    "{type, position, config} or the design's "
    "{component_type, position_x, position_y, configuration}"
)


def _refuse_mixed_shapes(body: BaseModel) -> None:
    """422 when a body names fields of both shapes."""
    current = [f for f in _CURRENT_SHAPE if f in body.model_fields_set]
    design = [f for f in _DESIGN_SHAPE if f in body.model_fields_set]
    if current and design:
        raise ValueError(
            f"use either {_SHAPES}, not both (got {', '.join(current)} and {', '.join(design)})"
        )


class ComponentCreate(RequestBody):
    """Adds a node; its id is generated from the type when not given. Either shape:
    ``{type, position, config}`` or the design's ``{component_type, position_x, position_y,
    configuration}`` (never both); the design's is read into the first before anything
    else looks at the body."""

    node_id: str | None = Field(default=None, pattern=NODE_ID_PATTERN)
    type: str | None = Field(
        default=None,
        pattern=NODE_ID_PATTERN,
        description="A component type of the catalogue (an identifier); required unless "
        "component_type is given.",
    )
    position: Position | None = None
    config: dict[str, JsonValue] | None = None
    component_type: str | None = Field(
        default=None, pattern=NODE_ID_PATTERN, description="The design's name for type."
    )
    position_x: StrictFloat | None = Field(default=None, description="The design's position.x.")
    position_y: StrictFloat | None = Field(default=None, description="The design's position.y.")
    configuration: dict[str, JsonValue] | None = Field(
        default=None, description="The design's name for config."
    )
    policy: StepPolicyOverride | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        _refuse_mixed_shapes(self)
        if self.component_type is not None:
            self.type, self.component_type = self.component_type, None
            self.position = Position(x=self.position_x or 0.0, y=self.position_y or 0.0)
            self.config, self.configuration = self.configuration, None
            self.position_x = self.position_y = None
        elif any(f in self.model_fields_set for f in _DESIGN_SHAPE):
            raise ValueError("component_type is required with the design's fields")
        if self.type is None:
            raise ValueError(f"name the component's type: {_SHAPES}")
        return self

    @property
    def node_type(self) -> str:
        """The component type (either shape; the validator made sure there is one)."""
        return self.type or ""

    @property
    def node_position(self) -> Position:
        return self.position or Position()

    @property
    def node_config(self) -> dict[str, JsonValue]:
        return self.config or {}


class ComponentUpdate(RequestBody):
    """Moves a node or replaces its configuration or policy. Either shape: ``{position,
    config}`` or the design's ``{position_x, position_y, configuration}`` (both coordinates
    together), never both."""

    position: Position | None = None
    config: dict[str, JsonValue] | None = None
    position_x: StrictFloat | None = Field(default=None, description="The design's position.x.")
    position_y: StrictFloat | None = Field(default=None, description="The design's position.y.")
    configuration: dict[str, JsonValue] | None = Field(
        default=None, description="The design's name for config."
    )
    policy: StepPolicyOverride | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        _refuse_mixed_shapes(self)
        if (self.position_x is None) != (self.position_y is None):
            raise ValueError("position_x and position_y go together")
        if self.position_x is not None and self.position_y is not None:
            self.position = Position(x=self.position_x, y=self.position_y)
            self.position_x = self.position_y = None
        if self.configuration is not None:
            self.config, self.configuration = self.configuration, None
        return self


class ComponentNode(Node):
    """A placed component: the graph node plus its row's id, which ``PUT`` and ``DELETE
    /components/{component_id}`` take."""

    component_id: str = Field(description="The component's id (stable while the node exists).")


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
