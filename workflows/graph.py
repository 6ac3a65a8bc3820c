"""The user's graph as the builder saves it: nodes, edges and per-node overrides.

A graph may be incomplete or invalid while it is a draft; the compiler
(``workflows.compiler``) is what turns it into a checked ``Plan``.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictFloat, StrictInt

NODE_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
MAX_NODES = 200
MAX_EDGES = 1000
MAX_VERSION_NUMBER = 2_147_483_647  # versions are numbered in a 32-bit integer column

# A published version's number, as requests name it.
VersionNumber = Annotated[int, Field(ge=1, le=MAX_VERSION_NUMBER)]


class Position(BaseModel):
    """Where the node sits on the canvas (numbers only: ``true`` is not a coordinate)."""

    model_config = ConfigDict(extra="forbid")

    x: StrictFloat = 0.0
    y: StrictFloat = 0.0


class StepPolicyOverride(BaseModel):
    """Per-node overrides of a component's retry policy, timeouts and execution mode (numbers
    only: ``true`` is not an attempt count)."""

    model_config = ConfigDict(extra="forbid")

    maximum_attempts: StrictInt | None = Field(default=None, ge=1, le=20)
    initial_interval_seconds: StrictFloat | None = Field(default=None, gt=0, le=60)
    backoff_coefficient: StrictFloat | None = Field(default=None, ge=1, le=10)
    maximum_interval_seconds: StrictFloat | None = Field(default=None, gt=0, le=600)
    start_to_close_seconds: StrictFloat | None = Field(default=None, gt=0, le=3600)
    execution: str | None = Field(
        default=None, description="'local' (in the workflow's worker, no dispatch) or 'regular'."
    )


class Node(BaseModel):
    """One component placed on the canvas."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=NODE_ID_PATTERN)
    type: str = Field(min_length=1, max_length=64)
    position: Position = Field(default_factory=Position)
    config: dict[str, JsonValue] = Field(default_factory=dict)
    policy: StepPolicyOverride | None = None


class Edge(BaseModel):
    """A connection from one node's output port to another node's input port."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(pattern=NODE_ID_PATTERN)
    source_handle: str = Field(min_length=1, max_length=64)
    target: str = Field(pattern=NODE_ID_PATTERN)
    target_handle: str = Field(min_length=1, max_length=64)


class Graph(BaseModel):
    """A whole workflow graph."""

    model_config = ConfigDict(extra="forbid")

    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
