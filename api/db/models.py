"""Tables: the seed's four plus users, edges, versions and the runs index.

Every object has an owner."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from api.db.types import UtcDateTime


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuthSession(Base):
    """A login: every bearer token names one (its ``sid``); revoked or expired, it is refused."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    client_address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RateLimitState(Base):
    """The state of one rate limit or login throttle (``api/core/rate_limits.py``).

    Times are seconds since the epoch; a row whose ``expires_at`` has passed means the
    same as no row, and is pruned."""

    __tablename__ = "rate_limit_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Float, doc="GCRA arrival time, or a login block's end.")
    count: Mapped[int] = mapped_column(Integer, doc="Consecutive failed log-ins (throttles).")
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class Workflow(Base):
    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True, index=True, doc="Set when deleted: archived, not erased."
    )
    archived_by: Mapped[str | None] = mapped_column(
        String(36), nullable=True, doc="Who archived it (a user id, kept as it was)."
    )

    components: Mapped[list["WorkflowComponent"]] = relationship(
        back_populates="workflow",
        cascade="all, delete-orphan",
        order_by="WorkflowComponent.created_at",
    )
    edges: Mapped[list["WorkflowEdge"]] = relationship(
        back_populates="workflow", cascade="all, delete-orphan", order_by="WorkflowEdge.created_at"
    )

    @property
    def is_active(self) -> bool:
        """False once archived (the design's ``is_active``): readable, no longer changeable."""
        return self.archived_at is None


class WorkflowComponent(Base):
    """A node of the graph (the seed's workflow_components, keyed by a per-workflow node id)."""

    __tablename__ = "workflow_components"
    __table_args__ = (UniqueConstraint("workflow_id", "node_id", name="uq_component_node"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workflow_id: Mapped[str] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[str] = mapped_column(String(64))
    component_type: Mapped[str] = mapped_column(String(64))
    position_x: Mapped[float] = mapped_column(Float, default=0.0)
    position_y: Mapped[float] = mapped_column(Float, default=0.0)
    configuration: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    policy: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    workflow: Mapped[Workflow] = relationship(back_populates="components")


class WorkflowEdge(Base):
    """A connection between two components' ports (the seed had no place for these)."""

    __tablename__ = "workflow_edges"
    __table_args__ = (
        UniqueConstraint(
            "workflow_id",
            "source_node_id",
            "source_handle",
            "target_node_id",
            "target_handle",
            name="uq_edge",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workflow_id: Mapped[str] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    source_node_id: Mapped[str] = mapped_column(String(64))
    source_handle: Mapped[str] = mapped_column(String(64))
    target_node_id: Mapped[str] = mapped_column(String(64))
    target_handle: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    workflow: Mapped[Workflow] = relationship(back_populates="edges")


class WorkflowVersion(Base):
    """An immutable published snapshot of a workflow's graph, numbered from 1."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "number", name="uq_version_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workflow_id: Mapped[str] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    graph: Mapped[dict[str, object]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ChatSession(Base):
    __tablename__ = "chat_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    workflow_id: Mapped[str] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="New chat")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_session_created", "session_id", "created_at"),
        # One question and one answer per run, whoever records them.
        Index("uq_chat_messages_run_role", "run_id", "role", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    message_metadata: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    run_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Run(Base):
    """Index of runs; the Temporal event history stays the source of truth."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_owner_started", "owner_id", "started_at"),
        Index("ix_runs_workspace_started", "workspace_id", "started_at"),
        Index("ix_runs_workflow_started", "workflow_id", "started_at"),
        Index("ix_runs_status", "status"),
        Index("ix_runs_parent", "parent_run_id"),
        Index("ix_runs_started_id", "started_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="SET NULL"), nullable=True
    )
    plan_hash: Mapped[str] = mapped_column(String(64))
    version_number: Mapped[int | None] = mapped_column(
        Integer, nullable=True, doc="The published version run; NULL for the draft."
    )
    graph_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    query: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="run")  # run | rerun | replay
    parent_run_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    replay_from_node: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    trace_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True, doc="The OpenTelemetry trace of the request that started it."
    )


class KnowledgeBase(Base):
    """A named set of documents, embedded with one model into one Chroma collection."""

    __tablename__ = "knowledge_bases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    collection: Mapped[str] = mapped_column(String(63), unique=True)
    embedding_provider: Mapped[str] = mapped_column(String(32))
    embedding_model: Mapped[str] = mapped_column(String(100))
    chunk_size: Mapped[int] = mapped_column(default=1000)
    chunk_overlap: Mapped[int] = mapped_column(default=150)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class Document(Base):
    """An uploaded file and the state of its ingestion (live progress is a workflow query)."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_kb_created", "knowledge_base_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    knowledge_base_id: Mapped[str] = mapped_column(
        ForeignKey("knowledge_bases.id", ondelete="CASCADE")
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column()
    stored_path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    pages_extracted: Mapped[int] = mapped_column(default=0)
    chunks_embedded: Mapped[int] = mapped_column(default=0)
    chunks_total: Mapped[int] = mapped_column(default=0)
    workflow_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ProviderConnection(Base):
    """A provider an administrator connects: URL, encrypted key, allowed models.

    Graphs name a connection, never a URL or key; the worker reads the row when a step
    runs (``activities/providers/connections.py``). The key is Fernet-encrypted and never
    returned by the API."""

    __tablename__ = "provider_connections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key_ciphertext: Mapped[str | None] = mapped_column(Text, nullable=True)
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    allow_private_network: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ApiKey(Base):
    """A key a program uses instead of logging in: it acts as its owner, within its scope.

    Only a SHA-256 of the secret is stored; the key is shown once, when created."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True, doc="Shown; finds the key.")
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Workspace(Base):
    """Where workflows, knowledge bases, documents, runs and chats live; members have roles."""

    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    members: Mapped[list["WorkspaceMember"]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan"
    )


class WorkspaceMember(Base):
    """A user's role in a workspace: owner, editor, runner or viewer."""

    __tablename__ = "workspace_members"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    workspace: Mapped[Workspace] = relationship(back_populates="members")


class StepRecord(Base):
    """A paid step's result, recorded before it was returned (``activities/storage/
    step_records.py``): executed again after a worker died, the step reuses it."""

    __tablename__ = "step_records"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[float] = mapped_column(Float, index=True)


class AnswerStreamRow(Base):
    """A piece of an answer being streamed, or a stream's end (``activities/storage/
    answer_stream.py``): how tokens reach every API process without entering the history."""

    __tablename__ = "answer_stream"
    __table_args__ = (Index("ix_answer_stream_run_id_id", "run_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(80))
    node_id: Mapped[str] = mapped_column(String(64))
    stream: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[int] = mapped_column(Integer, doc="Provider deltas in ``text``.")
    ended: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Float, index=True)


class WorkerHeartbeat(Base):
    """A worker process (or an API's in-process worker) saying which task queues it serves
    (``activities/storage/worker_heartbeats.py``); readiness reads the recent ones."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    queues: Mapped[str] = mapped_column(String(400), doc="Comma-separated task queue names.")
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[float] = mapped_column(Float)
    seen_at: Mapped[float] = mapped_column(Float, index=True)


class UsageRecord(Base):
    """The tokens one attempt of an LLM step cost, written by the worker (or, for an
    attempt whose worker died mid-answer, estimated from its streamed tokens)."""

    __tablename__ = "usage_records"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(80), index=True)
    node_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    estimated: Mapped[bool] = mapped_column(
        Boolean, doc="Counted by us, not billed by the provider."
    )
    outcome: Mapped[str] = mapped_column(String(16), doc="completed | failed | interrupted")
    recorded_at: Mapped[float] = mapped_column(Float, index=True)
