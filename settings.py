"""Process settings shared by the API and the worker, read once from the environment.

Every host, port, key and limit of the server processes lives here; no server code reads
``os.environ`` itself. (The command line, ``api/cli``, is a client of the API and reads
its own ``GENAI_*`` variables; docs/configuration.md lists both.)
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One settings object for every process; see docs/configuration.md."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file in data_dir."
    )

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    graph_run_task_queue: str = "graph-runs"
    ingest_task_queue: str = "ingest"
    api_worker_slots: int = Field(
        default=4,
        ge=0,
        le=64,
        description="GraphRun slots of the API's in-process worker (eager start); 0 = none.",
    )

    chroma_url: str | None = Field(
        default=None, description="Chroma server URL; unset means an embedded PersistentClient."
    )

    # Provider secrets: read by activities in the worker, never put into a plan or payload.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_compatible_base_url: str | None = Field(
        default=None,
        description="With it, an environment connection 'openai-compatible' (Ollama, vLLM).",
    )
    openai_compatible_api_key: SecretStr | None = Field(
        default=None, description="Key of the 'openai-compatible' environment connection."
    )
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = None
    serpapi_api_key: SecretStr | None = None
    serpapi_base_url: str = "https://serpapi.com"
    provider_timeout_seconds: float = 60.0

    connection_encryption_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated Fernet keys; the first encrypts provider connection keys, "
        "every one decrypts (rotation). Unset: one is created once in data_dir.",
    )

    jwt_secret: SecretStr | None = Field(
        default=None, description="Unset: a random secret is created once in data_dir."
    )
    jwt_ttl_minutes: int = 12 * 60
    admin_email: str | None = None
    admin_password: SecretStr | None = None

    # Rate limits per principal (a user, later an API key), per hour; see api/core/rate_limits.py.
    rate_limits_enabled: bool = Field(
        default=True, description="false turns the API, execution and upload limits off."
    )
    rate_limit_api_calls_per_hour: int = Field(default=1000, ge=1)
    rate_limit_executions_per_hour: int = Field(default=100, ge=1)
    rate_limit_uploads_per_hour: int = Field(default=50, ge=1)
    rate_limit_redis_url: str | None = Field(
        default=None, description="Unset: limits are kept in the database; set: in this Redis."
    )
    rate_limit_redis_prefix: str = "genai-stack:"
    # Log-in throttling: growing delays after consecutive failures, per account and address.
    login_account_failure_limit: int = Field(default=5, ge=1)
    login_address_failure_limit: int = Field(default=20, ge=1)
    login_delay_seconds: float = Field(default=30.0, gt=0)
    login_max_delay_seconds: float = Field(default=900.0, gt=0)
    login_failure_memory_seconds: float = Field(default=900.0, gt=0)

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 9464

    cors_allowed_origins: str | None = Field(
        default=None,
        description="Comma-separated origins allowed to call the API from a browser ('*': any); "
        "unset: same origin only.",
    )
    api_docs_enabled: bool = Field(
        default=True, description="Serve /docs, /redoc and /openapi.json (false: 404)."
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Set: the API's /metrics needs 'Authorization: Bearer <it>'."
    )

    # Operability (telemetry/): metrics, traces and logs of every process.
    metrics_enabled: bool = Field(
        default=True, description="false: no application metrics are recorded or served."
    )
    tracing_enabled: bool = Field(
        default=True,
        description="Spans for requests, runs, steps and provider calls (exported only with an "
        "OTLP endpoint; the trace id is still on runs and log lines).",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector base URL (e.g. http://jaeger:4318); unset: not exported.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line; text: for a terminal."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = Field(default=True, description="One log line per HTTP request.")
    prices_file: Path | None = Field(
        default=None,
        description="JSON price table (USD per million tokens) overriding the built-in one.",
    )
    worker_queues: str = Field(
        default="graph,ingest",
        description="What a worker process serves: 'graph' (graph-runs), 'ingest', or both.",
    )
    worker_heartbeat_seconds: float = Field(
        default=5.0, gt=0, description="How often each worker says which queues it serves."
    )
    queue_unserved_after_seconds: float = Field(
        default=15.0, gt=0, description="A queue with no worker heartbeat this long is unserved."
    )
    temporal_sdk_metrics_port: int = Field(
        default=9465,
        ge=0,
        description="Port of the worker's Temporal SDK metrics (temporal_*); 0: not served.",
    )

    max_request_bytes: int = 1_000_000
    inline_payload_limit_bytes: int = 100_000
    run_timeout_seconds: float = 300.0
    runs_reconcile_interval_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How often each API records runs that ended while nobody waited; 0: never.",
    )
    archive_retention_days: int = Field(
        default=30,
        ge=0,
        le=36_500,
        description="An archived workflow may be purged once archived this many days.",
    )
    max_upload_bytes: int = 50 * 1024 * 1024
    preload_local_embeddings: bool = Field(
        default=True, description="Load all-MiniLM-L6-v2 when the worker starts, not on first use."
    )

    @property
    def upload_dir(self) -> Path:
        """Stored uploads, under generated names; nothing here is served."""
        return self.data_dir / "uploads"

    @property
    def ingest_work_dir(self) -> Path:
        """Extracted pages and chunks of documents being ingested (JSON Lines files)."""
        return self.data_dir / "ingest"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'genai_stack.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma database."""
        return self.data_dir / "chroma"

    @property
    def blob_dir(self) -> Path:
        """Folder of large values passed between steps by reference."""
        return self.data_dir / "blobs"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
