"""``/health``, ``/health/live`` and ``/health/ready``, without authentication.

Liveness answers without touching anything: a restart cures none of the dependencies.
Readiness fails (503) only when the API itself cannot work (database or Temporal down);
a queue without workers or Chroma down is ``degraded`` with 200, so an orchestrator keeps
a working API in rotation while an ingestion worker is replaced. ``/health`` is the same
report, 200 only when everything is up: what start-up scripts wait for.
"""

from typing import Any

from fastapi import APIRouter, Request, Response

from api.core.deps import SettingsDep, TemporalConnectorDep
from api.health import service
from api.health.schemas import HealthReport, LiveOut

router = APIRouter(tags=["health"])


def _report_also_on(status_code: int, when: str) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"model": HealthReport, "description": when}}


@router.get("/health/live")
async def live() -> LiveOut:
    """The process answers (liveness): no dependency is asked."""
    return LiveOut()


@router.get(
    "/health/ready",
    responses=_report_also_on(503, "Down: the database or Temporal is unreachable."),
)
async def ready(
    request: Request, response: Response, settings: SettingsDep, temporal: TemporalConnectorDep
) -> HealthReport:
    """Readiness: 503 only when the database or Temporal is down; degraded is 200."""
    report = await service.check_health(
        temporal=temporal, settings=settings, version=request.app.version
    )
    response.status_code = 503 if report.status == "down" else 200
    return report


@router.get("/health", responses=_report_also_on(503, "Degraded or down: something is not up."))
async def health(
    request: Request, response: Response, settings: SettingsDep, temporal: TemporalConnectorDep
) -> HealthReport:
    """The readiness report, 200 only when every service is up and every queue served."""
    report = await service.check_health(
        temporal=temporal, settings=settings, version=request.app.version
    )
    response.status_code = 200 if report.status == "ok" else 503
    return report
