"""Usage and estimated cost of the runs you may read, and the price table behind it."""

from fastapi import APIRouter, Query

from api.core.deps import CurrentUser, SessionDep, SettingsDep
from api.usage import service
from api.usage.schemas import PriceList, UsageGrouping, UsageReport

router = APIRouter(prefix="/usage", tags=["usage"])


@router.get("")
def get_usage(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    start: str | None = Query(
        default=None,
        alias="from",
        max_length=40,
        description="An ISO date or datetime (UTC when naive); default: 30 days before 'to'.",
    ),
    end: str | None = Query(
        default=None,
        alias="to",
        max_length=40,
        description="An ISO date (that day included) or datetime (excluded); default: now.",
    ),
    group_by: UsageGrouping = "day",
    workspace_id: str | None = Query(default=None, max_length=64),
    workflow_id: str | None = Query(default=None, max_length=64),
) -> UsageReport:
    """Tokens and estimated cost of the runs you may read, grouped by day, workflow, user
    or model."""
    return service.usage_report(
        session,
        user=user,
        settings=settings,
        window=service.usage_window(start, end),
        group_by=group_by,
        workspace_id=workspace_id,
        workflow_id=workflow_id,
    )


@router.get("/prices")
def get_prices(user: CurrentUser, settings: SettingsDep) -> PriceList:
    """The price table costs are estimated with (USD per million tokens)."""
    return service.price_list(settings)
