"""Request and response bodies of workflow versions."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.versions.diff import GraphDiff
from workflows.graph import Graph

VersionRef = int | Literal["draft"]
"""One side of a diff: a version number, or the workflow's current draft."""


class VersionCreate(BaseModel):
    """Publishes the draft as a new version, with an optional note on what changed."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class VersionOut(BaseModel):
    """A published version without its graph."""

    workflow_id: str
    number: int = Field(description="1, 2, 3… per workflow.")
    content_hash: str = Field(description="SHA-256 hex of the graph's canonical JSON.")
    note: str
    author_id: str | None = Field(description="None once the author's account is deleted.")
    author_email: str | None
    created_at: datetime


class VersionDetail(VersionOut):
    """A published version with the graph it holds."""

    graph: Graph


class VersionDiff(GraphDiff):
    """The differences from ``base`` to ``target`` (each a version number or ``draft``)."""

    base: VersionRef
    target: VersionRef
