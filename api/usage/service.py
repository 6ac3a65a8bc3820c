"""Usage reports: the tokens and estimated cost of the runs a user may read, grouped by
day, workflow, user or model; and the price table in effect.

A run's tokens count on the day (UTC) it started and within the range its start falls
in. Members see the runs of their workspaces (viewers too); administrators see every
run, as they may read every run (``api/runs/index.py``).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from activities.storage.usage_records import USAGE_RECORDS
from api.core.access import readable_workspace_ids
from api.core.errors import ApiError
from api.db.models import Run, User, Workflow
from api.usage.costing import UsageTally, prices_of
from api.usage.interrupted import complete_interrupted
from api.usage.schemas import (
    ModelPrice,
    PriceList,
    UsageGroup,
    UsageGrouping,
    UsageReport,
)
from settings import Settings

DEFAULT_DAYS = 30
MAX_DAYS = 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class UsageWindow:
    """Runs started at or after ``start`` and before ``end`` (both UTC)."""

    start: datetime
    end: datetime


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        "invalid_request",
        f"{field}: {message}",
        {"problems": [{"field": field, "message": message, "type": "value_error"}]},
    )


def _moment(field: str, value: str, *, end_of_day: bool) -> datetime:
    """An ISO date (its start, or with ``end_of_day`` the start of the next day) or an
    ISO datetime (naive: UTC)."""
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            at = datetime.combine(day, time(), tzinfo=UTC)
            return at + timedelta(days=1) if end_of_day else at
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _invalid(field, "not an ISO date (2026-11-28) or datetime") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def usage_window(start: str | None, end: str | None, *, now: datetime | None = None) -> UsageWindow:
    """The range ``from`` and ``to`` name: ``to`` a date includes that day; the default is
    the last 30 days; ``to`` before ``from`` or more than 366 days apart is a 422."""
    now = now or datetime.now(UTC)
    until = _moment("to", end, end_of_day=True) if end else now
    since = _moment("from", start, end_of_day=False) if start else until - timedelta(DEFAULT_DAYS)
    named_until = _moment("to", end, end_of_day=False) if end else until
    if named_until < since:
        raise _invalid("to", "must not be before 'from'")
    if until - since > timedelta(days=MAX_DAYS):
        raise _invalid("to", f"the range may span at most {MAX_DAYS} days")
    return UsageWindow(since, until)


def _utc_day(session: Session) -> sa.ColumnElement[str]:
    """The UTC day a run started, as YYYY-MM-DD, in the database's own terms."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", Run.started_at), "YYYY-MM-DD")
    return sa.func.substr(Run.started_at, 1, 10)  # SQLite keeps 'YYYY-MM-DD HH:MM:SS' in UTC


def _group_key(
    session: Session, group_by: UsageGrouping
) -> sa.ColumnElement[str] | InstrumentedAttribute[str]:
    if group_by == "day":
        return _utc_day(session)
    if group_by == "workflow":
        return Run.workflow_id
    if group_by == "user":
        return Run.owner_id
    return USAGE_RECORDS.c.provider + "/" + USAGE_RECORDS.c.model


def _runs_filter(
    session: Session,
    user: User,
    window: UsageWindow,
    workspace_id: str | None,
    workflow_id: str | None,
) -> list[sa.ColumnElement[bool]]:
    """Which runs count: started in the window, readable by the user, as filtered."""
    where = [Run.started_at >= window.start, Run.started_at < window.end]
    if not user.is_admin:
        where.append(Run.workspace_id.in_(readable_workspace_ids(session, user, workspace_id)))
    elif workspace_id:
        where.append(Run.workspace_id == workspace_id)
    if workflow_id:
        where.append(Run.workflow_id == workflow_id)
    return where


def usage_report(
    session: Session,
    *,
    user: User,
    settings: Settings,
    window: UsageWindow,
    group_by: UsageGrouping,
    workspace_id: str | None = None,
    workflow_id: str | None = None,
) -> UsageReport:
    """Tokens and estimated cost of the readable runs started in ``window``, grouped."""
    where = _runs_filter(session, user, window, workspace_id, workflow_id)
    complete_interrupted(session)
    usage = USAGE_RECORDS
    key = _group_key(session, group_by).label("key")
    joined = usage.join(Run, Run.id == usage.c.run_id)
    estimated = sa.func.max(sa.case((usage.c.estimated, 1), else_=0))
    figures = session.execute(
        sa.select(
            key,
            usage.c.provider,
            usage.c.model,
            sa.func.sum(usage.c.prompt_tokens),
            sa.func.sum(usage.c.completion_tokens),
            estimated,
        )
        .select_from(joined)
        .where(*where)
        .group_by(key, usage.c.provider, usage.c.model)
    ).all()
    runs = dict(
        session.execute(
            sa.select(key, sa.func.count(sa.distinct(usage.c.run_id)))
            .select_from(joined)
            .where(*where)
            .group_by(key)
        ).all()
    )
    all_runs = session.scalar(
        sa.select(sa.func.count(sa.distinct(usage.c.run_id))).select_from(joined).where(*where)
    )
    prices = prices_of(settings)
    tallies: dict[str, UsageTally] = {}
    total = UsageTally(prices)
    for group, provider, model, prompt, completion, was_estimated in figures:
        numbers = (provider, model, int(prompt or 0), int(completion or 0), bool(was_estimated))
        tallies.setdefault(str(group), UsageTally(prices)).add(*numbers)
        total.add(*numbers)
    if group_by == "day":
        for day in _days(window):
            tallies.setdefault(day, UsageTally(prices))
    labels = _labels(session, group_by, list(tallies))
    rows = [
        UsageGroup(
            key=group,
            label=labels.get(group, group),
            runs=int(runs.get(group, 0)),
            **tally.usage().model_dump(),
        )
        for group, tally in tallies.items()
    ]
    if group_by == "day":
        rows.sort(key=lambda row: row.key)
    else:
        rows.sort(key=lambda row: (-row.total_tokens, row.label))
    totals = UsageGroup(
        key="total", label="total", runs=int(all_runs or 0), **total.usage().model_dump()
    )
    return UsageReport(
        start=window.start,
        end=window.end,
        group_by=group_by,
        rows=rows,
        totals=totals,
        cost_unknown=totals.unpriced_tokens > 0,
    )


def _days(window: UsageWindow) -> list[str]:
    """Every UTC day the window touches, so a chart shows the quiet ones too."""
    day, last = window.start.date(), (window.end - timedelta(microseconds=1)).date()
    days = []
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def _labels(session: Session, group_by: UsageGrouping, keys: Sequence[str]) -> dict[str, str]:
    """What to show for each key: a workflow's name, a user's email (else the key)."""
    if group_by == "workflow" and keys:
        found = session.execute(sa.select(Workflow.id, Workflow.name).where(Workflow.id.in_(keys)))
        return {str(id_): str(name) for id_, name in found}
    if group_by == "user" and keys:
        found = session.execute(sa.select(User.id, User.email).where(User.id.in_(keys)))
        return {str(id_): str(email) for id_, email in found}
    return {}


def price_list(settings: Settings) -> PriceList:
    """The price table the API estimates costs with."""
    prices = prices_of(settings).as_dict()
    return PriceList(
        overridden=settings.prices_file is not None,
        prices=[
            ModelPrice(
                key=key,
                provider=key.partition("/")[0],
                model=key.partition("/")[2],
                prompt_usd_per_million=price.prompt,
                completion_usd_per_million=price.completion,
            )
            for key, price in sorted(prices.items())
        ],
    )
