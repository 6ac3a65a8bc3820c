"""Typed inputs and outputs of the activities a plan calls, shared by workflows and activities.

Values larger than the inline limit travel as a ``BlobRef`` (a content-addressed file in
the shared data folder), never through workflow history.
"""

from typing import Literal

from pydantic import BaseModel, Field

from workflows.components import EmbeddingProvider, LlmProvider


class BlobRef(BaseModel):
    """A large value stored outside the workflow history, named by its SHA-256."""

    blob_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int


class Passage(BaseModel):
    """A retrieved chunk of a document, with where it came from."""

    text: str
    document: str
    page: int | None = None
    chunk_id: str
    score: float


class Citation(BaseModel):
    """Where a passage used for an answer came from (the passage text is not repeated)."""

    document: str
    page: int | None = None
    chunk_id: str
    score: float
    snippet: str = Field(default="", max_length=300)


class WebResult(BaseModel):
    """One organic web search result."""

    title: str
    link: str
    snippet: str = ""


class ChatTurn(BaseModel):
    """A previous message of the chat session, given to the LLM as history."""

    role: Literal["user", "assistant"]
    content: str


class TokenUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class KnowledgeSearchInput(BaseModel):
    query: str
    collection: str
    embedding_provider: EmbeddingProvider
    embedding_model: str
    top_k: int
    similarity_threshold: float


class KnowledgeSearchOutput(BaseModel):
    passages: list[Passage] | BlobRef


class WebSearchInput(BaseModel):
    query: str
    engine: str
    num_results: int


class WebSearchOutput(BaseModel):
    results: list[WebResult] | BlobRef


class AnswerInput(BaseModel):
    """Everything the LLM step needs; the worker looks the connection's URL and key up."""

    provider: LlmProvider
    model: str
    connection: str | None = None
    base_url: str | None = None  # only in inputs recorded before connections
    temperature: float
    max_tokens: int
    custom_prompt: str = ""
    query: str
    history: list[ChatTurn] = Field(default_factory=list)
    passages: list[Passage] | BlobRef = Field(default_factory=list)
    web_results: list[WebResult] | BlobRef = Field(default_factory=list)
    # The LLM node, so its streamed tokens are labelled (absent in inputs recorded before
    # streaming; not part of the step's identity, see StepRecords.once).
    node_id: str | None = None


class AnswerOutput(BaseModel):
    text: str
    model: str
    usage: TokenUsage
    context_used: bool
    citations: list[Citation] = Field(default_factory=list)
    web_sources: list[WebResult] = Field(default_factory=list)
