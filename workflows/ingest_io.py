"""Typed inputs and outputs of document ingestion, shared by the workflow, activities and API.

Text never travels through workflow history: extracted pages and chunks live in JSON
Lines files under the worker's data folder, and only their paths and counts are passed.
"""

from typing import Literal

from pydantic import BaseModel, Field

from workflows.components import EmbeddingProvider

DocumentType = Literal["pdf", "docx", "txt", "md"]
IngestStage = Literal[
    "queued", "extracting", "chunking", "embedding", "completed", "failed", "cancelled"
]


class KnowledgeBaseRef(BaseModel):
    """What ingestion needs to know about the knowledge base a document goes into."""

    knowledge_base_id: str
    collection: str
    embedding_provider: EmbeddingProvider
    embedding_model: str
    chunk_size: int = Field(ge=100, le=8000, description="Target characters per chunk.")
    chunk_overlap: int = Field(ge=0, le=2000, description="Characters shared by neighbours.")


class ResumePoint(BaseModel):
    """Where a continued-as-new ingestion picks up (set by the workflow, never by callers)."""

    pages_extracted: int
    chunks_path: str
    chunks_total: int
    next_chunk: int


class IngestDocumentInput(BaseModel):
    """The ``IngestDocument`` workflow input."""

    document_id: str
    file_path: str = Field(description="Absolute path of the stored upload.")
    file_type: DocumentType
    filename: str = Field(description="The sanitised original name, shown in citations.")
    knowledge_base: KnowledgeBaseRef
    chunks_per_call: int = Field(default=64, ge=1, le=4096)
    batch_size: int = Field(default=32, ge=1, le=512, description="Chunks per embedding call.")
    resume: ResumePoint | None = None
    continue_after_events: int = Field(
        default=5_000,
        ge=50,
        le=40_000,
        description="History length past which the workflow continues as new (far below 50k).",
    )


class ExtractInput(BaseModel):
    """``work_dir`` is relative to the worker's ``settings.ingest_work_dir``."""

    document_id: str
    file_path: str
    file_type: DocumentType
    work_dir: str


class ExtractOutput(BaseModel):
    """``pages_path`` holds one JSON object per line: ``{"page": int, "text": str}``."""

    pages_path: str
    pages_extracted: int
    characters: int


class ChunkInput(BaseModel):
    document_id: str
    pages_path: str
    chunk_size: int
    chunk_overlap: int
    work_dir: str


class ChunkOutput(BaseModel):
    """``chunks_path`` holds one JSON object per line: ``{"index", "text", "page"}``."""

    chunks_path: str
    chunks_total: int


class EmbedChunksInput(BaseModel):
    """Embed and upsert chunks ``[start, stop)`` of a document, ``batch_size`` at a time.

    The activity heartbeats the next chunk index and, when retried, resumes from it.
    Chunk ids are ``{document_id}:{index}``, so a repeated upsert overwrites.
    """

    document_id: str
    document_name: str
    chunks_path: str
    start: int
    stop: int
    batch_size: int
    knowledge_base: KnowledgeBaseRef


class EmbedChunksOutput(BaseModel):
    chunks_embedded: int


class DeleteVectorsInput(BaseModel):
    """Removes a document's vectors, or the whole collection when ``document_id`` is None."""

    collection: str
    document_id: str | None = None


class IngestProgress(BaseModel):
    """Answer of the ``progress`` query (and the workflow result, when it ends)."""

    stage: IngestStage = "queued"
    pages_extracted: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    error: str | None = None
