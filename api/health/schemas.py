"""The health report."""

from typing import Literal

from pydantic import BaseModel


class DependencyHealth(BaseModel):
    ok: bool
    detail: str = ""


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    dependencies: dict[str, DependencyHealth]
