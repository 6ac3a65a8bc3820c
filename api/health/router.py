"""``/health``: the state of each dependency, without authentication."""

from fastapi import APIRouter, Response

from api.core.deps import SettingsDep, TemporalConnectorDep
from api.health import service
from api.health.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(
    response: Response, settings: SettingsDep, temporal: TemporalConnectorDep
) -> HealthOut:
    """Reports the database, Temporal, the worker and Chroma; 503 if any is down."""
    report = await service.check_health(temporal=temporal, settings=settings)
    response.status_code = 200 if report.status == "ok" else 503
    return report
