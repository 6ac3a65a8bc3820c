"""Request and response bodies of knowledge bases and their documents."""

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from api.core.schemas import RequestBody
from workflows.components import EmbeddingProvider
from workflows.ingest_io import DocumentType, IngestStage

DEFAULT_EMBEDDING_MODELS: dict[EmbeddingProvider, str] = {
    EmbeddingProvider.LOCAL: "all-MiniLM-L6-v2",
    EmbeddingProvider.OPENAI: "text-embedding-3-small",
    EmbeddingProvider.GEMINI: "text-embedding-004",
}

DocumentStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})


class EmbeddingChoice(RequestBody):
    """A provider and model; the model defaults to the provider's usual one."""

    embedding_provider: EmbeddingProvider = EmbeddingProvider.LOCAL
    embedding_model: str | None = Field(default=None, min_length=1, max_length=100)

    @property
    def chosen_model(self) -> str:
        return self.embedding_model or DEFAULT_EMBEDDING_MODELS[self.embedding_provider]


class KnowledgeBaseCreate(EmbeddingChoice):
    name: str = Field(min_length=1, max_length=200)
    workspace_id: str | None = Field(
        default=None, max_length=64, description="Where it goes; default: your own workspace."
    )
    description: str = Field(default="", max_length=2000)
    chunk_size: int = Field(default=1000, ge=100, le=8000, description="Characters per chunk.")
    chunk_overlap: int = Field(default=150, ge=0, le=2000, description="Shared by neighbours.")

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Self:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be less than "
                f"chunk_size ({self.chunk_size})"
            )
        return self


class KnowledgeBaseUpdate(RequestBody):
    """Only the name and description; embedding changes go through ``/reindex``."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class ReindexRequest(EmbeddingChoice):
    """The embedding model every document of the knowledge base is ingested with again."""


class KnowledgeBaseOut(BaseModel):
    id: str
    workspace_id: str
    name: str
    description: str
    collection: str
    embedding_provider: EmbeddingProvider
    embedding_model: str
    chunk_size: int
    chunk_overlap: int
    created_at: datetime
    updated_at: datetime


class DocumentCounts(BaseModel):
    """How many of a knowledge base's documents are in each status."""

    queued: int = 0
    running: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


class KnowledgeBaseDetail(KnowledgeBaseOut):
    documents: DocumentCounts


class DocumentOut(BaseModel):
    """A document and how far its ingestion has got."""

    id: str
    knowledge_base_id: str
    filename: str
    file_type: DocumentType
    size_bytes: int
    status: DocumentStatus
    stage: IngestStage
    pages_extracted: int
    chunks_embedded: int
    chunks_total: int
    percentage: float = Field(ge=0, le=100, description="Never decreases during one attempt.")
    eta_seconds: float | None = Field(description="Estimated while embedding, else null.")
    notice: str | None = Field(
        default=None,
        description="Why an unfinished ingestion is not moving (no ingestion worker), else null.",
    )
    error: str | None
    workflow_id: str | None
    created_at: datetime
    finished_at: datetime | None
