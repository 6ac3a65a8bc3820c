"""The component catalogue: each node type's typed ports, config schema and step defaults.

Configs are strict pydantic models (unknown fields are errors); the API serves their
JSON Schemas so a front end can build config forms from them.
"""

import builtins
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class PortType(StrEnum):
    """What travels along an edge; an edge joins ports of the same type."""

    TEXT = "text"
    PASSAGES = "passages"
    WEB_RESULTS = "web_results"
    ANSWER = "answer"


class ExecutionMode(StrEnum):
    """How a step's activity runs: in the workflow's worker, or dispatched by the server."""

    LOCAL = "local"
    REGULAR = "regular"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserQueryConfig(_Config):
    """The entry point: the user's question."""

    component: Literal["user_query"] = "user_query"
    placeholder: str = Field(default="Ask a question…", max_length=200)
    max_length: int = Field(default=4000, ge=1, le=20_000)


class EmbeddingProvider(StrEnum):
    LOCAL = "local"
    OPENAI = "openai"
    GEMINI = "gemini"


class KnowledgeBaseConfig(_Config):
    """Retrieve passages from a knowledge base (a Chroma collection).

    A graph names a knowledge base by ``knowledge_base_id``; the API checks that the
    user may read it and fills in its collection and embedding model before compiling,
    so queries are always embedded by the model that built it. Graphs cannot name a
    collection themselves (plans recorded before that rule still carry one).
    """

    component: Literal["knowledge_base"] = "knowledge_base"
    knowledge_base_id: str | None = Field(default=None, min_length=1, max_length=64)
    collection: str | None = Field(
        default=None,
        min_length=3,
        max_length=63,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]$",
        description="Filled in by the API from the knowledge base.",
    )
    embedding_provider: EmbeddingProvider = Field(
        default=EmbeddingProvider.LOCAL, description="Filled in by the API from the knowledge base."
    )
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        min_length=1,
        max_length=100,
        description="Filled in by the API from the knowledge base.",
    )
    top_k: int = Field(default=4, ge=1, le=50)
    similarity_threshold: float = Field(default=0.0, ge=0.0, le=1.0)


# A provider connection's name: lower-case letters, digits and dashes.
CONNECTION_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"

# Config fields the API fills in from the objects a graph names (hidden from config forms).
SERVER_FILLED_FIELDS: dict[str, frozenset[str]] = {
    "knowledge_base": frozenset({"collection", "embedding_provider", "embedding_model"}),
    "llm_engine": frozenset({"provider", "base_url"}),
}
# Of those, the ones a saved graph may not carry at all: they would choose where a
# server-held key goes, or read a collection without an ownership check.
GRAPH_FORBIDDEN_FIELDS: dict[str, frozenset[str]] = {
    "knowledge_base": frozenset({"collection"}),
    "llm_engine": frozenset({"base_url"}),
}


class LlmProvider(StrEnum):
    OPENAI = "openai"
    GEMINI = "gemini"
    OPENAI_COMPATIBLE = "openai-compatible"


class LlmEngineConfig(_Config):
    """Answer the query with a language model, using any context and web results given."""

    component: Literal["llm_engine"] = "llm_engine"
    connection: str | None = Field(
        default=None,
        pattern=CONNECTION_NAME_PATTERN,
        description="The provider connection to call, by name (GET /api/v1/connections);"
        " an administrator sets its URL and key.",
    )
    provider: LlmProvider = Field(
        default=LlmProvider.OPENAI, description="Filled in by the API from the connection."
    )
    model: str = Field(default="gpt-4o-mini", min_length=1, max_length=100)
    base_url: HttpUrl | None = Field(
        default=None,
        description="Only in plans recorded before connections; graphs cannot set it.",
    )
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=1000, ge=1, le=32_000)
    custom_prompt: str = Field(default="", max_length=10_000)
    use_web_search: bool = False


class WebSearchConfig(_Config):
    """Search the web through SerpAPI."""

    component: Literal["web_search"] = "web_search"
    engine: Literal["google", "bing", "duckduckgo"] = "google"
    num_results: int = Field(default=5, ge=1, le=20)


class OutputConfig(_Config):
    """Shape the final answer returned to the user."""

    component: Literal["output"] = "output"
    response_format: Literal["text", "markdown", "json"] = "markdown"
    include_metadata: bool = True


ComponentConfig = Annotated[
    UserQueryConfig | KnowledgeBaseConfig | LlmEngineConfig | WebSearchConfig | OutputConfig,
    Field(discriminator="component"),
]


class Port(BaseModel):
    """A typed connection point on a component."""

    name: str
    type: PortType
    required: bool = True
    description: str = ""


class StepDefaults(BaseModel):
    """A component's default retry policy, timeout and execution mode."""

    maximum_attempts: int = 3
    initial_interval_seconds: float = 0.5
    backoff_coefficient: float = 2.0
    maximum_interval_seconds: float = 10.0
    start_to_close_seconds: float = 30.0
    execution: ExecutionMode = ExecutionMode.LOCAL


class ComponentSpec(BaseModel):
    """One entry of the catalogue."""

    type: str
    label: str
    description: str
    color: str
    inputs: list[Port]
    outputs: list[Port]
    config_model: builtins.type[_Config] = Field(exclude=True)
    activity: str | None = Field(
        default=None, description="Activity name for steps with side effects; None runs inline."
    )
    defaults: StepDefaults = Field(default_factory=StepDefaults)

    def input_port(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output_port(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)


_QUERY_IN = Port(name="query", type=PortType.TEXT, description="The user's question.")

CATALOGUE: dict[str, ComponentSpec] = {
    spec.type: spec
    for spec in [
        ComponentSpec(
            type="user_query",
            label="User Query",
            description="Entry point: receives the user's question.",
            color="#4CAF50",
            inputs=[],
            outputs=[Port(name="query", type=PortType.TEXT)],
            config_model=UserQueryConfig,
        ),
        ComponentSpec(
            type="knowledge_base",
            label="Knowledge Base",
            description="Finds passages relevant to the query in a knowledge base.",
            color="#2196F3",
            inputs=[_QUERY_IN],
            outputs=[Port(name="context", type=PortType.PASSAGES)],
            config_model=KnowledgeBaseConfig,
            activity="search_knowledge_base",
            defaults=StepDefaults(start_to_close_seconds=30.0),
        ),
        ComponentSpec(
            type="web_search",
            label="Web Search",
            description="Searches the web (SerpAPI) for the query.",
            color="#00BCD4",
            inputs=[_QUERY_IN],
            outputs=[Port(name="results", type=PortType.WEB_RESULTS)],
            config_model=WebSearchConfig,
            activity="search_web",
            defaults=StepDefaults(start_to_close_seconds=20.0),
        ),
        ComponentSpec(
            type="llm_engine",
            label="LLM Engine",
            description="Generates an answer with OpenAI, Gemini or an OpenAI-compatible server.",
            color="#FF9800",
            inputs=[
                _QUERY_IN,
                Port(name="context", type=PortType.PASSAGES, required=False),
                Port(name="web_results", type=PortType.WEB_RESULTS, required=False),
            ],
            outputs=[Port(name="answer", type=PortType.ANSWER)],
            config_model=LlmEngineConfig,
            activity="generate_answer",
            defaults=StepDefaults(maximum_attempts=4, start_to_close_seconds=120.0),
        ),
        ComponentSpec(
            type="output",
            label="Output",
            description="Returns the answer to the user.",
            color="#9C27B0",
            inputs=[Port(name="answer", type=PortType.ANSWER)],
            outputs=[],
            config_model=OutputConfig,
        ),
    ]
}
