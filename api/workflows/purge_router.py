"""Administration of archived workflows: purging them after the retention period."""

from fastapi import APIRouter

from api.core.deps import AdminUser, SessionDep, SettingsDep
from api.workflows import purge
from api.workflows.schemas import PurgeReport, PurgeRequest

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post("/purge")
def purge_archived_workflows(
    session: SessionDep, settings: SettingsDep, _: AdminUser, body: PurgeRequest | None = None
) -> PurgeReport:
    """Erases archived workflows (with their runs, versions and chats) archived at least
    ARCHIVE_RETENTION_DAYS ago: the ones named, or all of them. Administrators only."""
    return purge.purge_archived(session, settings=settings, body=body or PurgeRequest())
