"""One run's usage: in total, and per LLM node and streamed answer (attempt)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from activities.storage.usage_records import USAGE_RECORDS
from api.usage.costing import UsageTally, prices_of
from api.usage.interrupted import complete_interrupted
from api.usage.schemas import RunUsage
from settings import Settings
from telemetry.prices import PriceTable


@dataclass
class RunUsageBreakdown:
    """A run's usage, by node, and by node and attempt (the node's stream number)."""

    total: RunUsage
    by_node: dict[str, RunUsage] = field(default_factory=dict)
    by_attempt: dict[tuple[str, int], RunUsage] = field(default_factory=dict)


def run_usage(session: Session, prices: PriceTable, run_id: str) -> RunUsageBreakdown:
    """Every usage row of the run, interrupted attempts' tokens completed first."""
    complete_interrupted(session, [run_id])
    usage = USAGE_RECORDS
    rows = session.execute(
        sa.select(
            usage.c.node_id,
            usage.c.attempt,
            usage.c.provider,
            usage.c.model,
            usage.c.prompt_tokens,
            usage.c.completion_tokens,
            usage.c.estimated,
        )
        .where(usage.c.run_id == run_id)
        .order_by(usage.c.node_id, usage.c.attempt)
    ).all()
    total = UsageTally(prices)
    nodes: dict[str, UsageTally] = {}
    attempts: dict[tuple[str, int], UsageTally] = {}
    for row in rows:
        figures = (row.provider, row.model, row.prompt_tokens, row.completion_tokens, row.estimated)
        total.add(*figures)
        nodes.setdefault(row.node_id, UsageTally(prices)).add(*figures)
        attempts.setdefault((row.node_id, row.attempt), UsageTally(prices)).add(*figures)
    return RunUsageBreakdown(
        total=total.usage(),
        by_node={node: tally.usage() for node, tally in nodes.items()},
        by_attempt={key: tally.usage() for key, tally in attempts.items()},
    )


def run_total(session: Session, settings: Settings, run_id: str) -> RunUsage:
    """The run's usage in total, priced with the API's price table."""
    return run_usage(session, prices_of(settings), run_id).total
