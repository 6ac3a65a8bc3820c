"""The health reports: liveness (the process answers) and readiness (what it depends on)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ProviderStatus = Literal["configured", "not_configured"]


class LiveOut(BaseModel):
    """The process answers; nothing else was asked."""

    status: Literal["ok"] = "ok"


class ServiceHealth(BaseModel):
    """One service the API depends on, as a probe with a short timeout found it."""

    status: Literal["up", "down"]
    detail: str = Field(description="The dialect, the address or why it is down.")
    latency_ms: float | None = Field(description="The probe's round trip; null if not probed.")


class Services(BaseModel):
    database: ServiceHealth
    temporal: ServiceHealth
    chroma: ServiceHealth


class TaskQueueHealth(BaseModel):
    """Whether any worker serves a task queue, from the workers' own heartbeats."""

    status: Literal["served", "unserved"]
    workers: int = Field(description="Workers whose heartbeat names the queue and is recent.")
    pollers: int | None = Field(
        description="Pollers Temporal lists (it keeps a dead one for minutes): informational; "
        "null when Temporal did not answer."
    )
    last_seen: datetime | None = Field(
        description="The newest heartbeat naming the queue, recent or not; null if none."
    )


class HealthReport(BaseModel):
    """``down``: the database or Temporal is unreachable, the API cannot work. ``degraded``:
    it works, but a task queue has no worker (its runs or ingestions wait) or Chroma is down."""

    status: Literal["ok", "degraded", "down"]
    timestamp: datetime
    version: str
    services: Services
    task_queues: dict[str, TaskQueueHealth] = Field(description="By task queue name.")
    providers: dict[str, ProviderStatus] = Field(
        description="Whether this process's environment configures each provider (never a key)."
    )
