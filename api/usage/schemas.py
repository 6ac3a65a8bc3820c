"""Response bodies of the usage endpoints, and the usage a run and its attempts carry."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

UsageGrouping = Literal["day", "workflow", "user", "model"]


class RunUsage(BaseModel):
    """LLM tokens and their estimated cost (every attempt counted: completed, failed and
    interrupted ones were all paid for)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    estimated_cost_usd: float | None = Field(
        default=0.0,
        description="Tokens × the price table's prices (USD); null when none of the tokens "
        "is of a model with a price. An estimate, not an invoice.",
    )
    unpriced_tokens: int = Field(
        default=0, description="Tokens of models without a price: not in the cost."
    )
    estimated: bool = Field(
        default=False,
        description="Some tokens were counted by us (an attempt that failed or was "
        "interrupted while streaming, a server that reports no usage), not billed.",
    )


class UsageGroup(RunUsage):
    """One row of a usage report: a day, a workflow, a user or a model."""

    key: str = Field(
        description="The day (YYYY-MM-DD, UTC), workflow id, user id or provider/model."
    )
    label: str = Field(description="What to show: the day, workflow name, email or model.")
    runs: int = Field(description="Runs with LLM usage in this group.")


class UsageReport(BaseModel):
    """Tokens and estimated cost of the runs you may read, started in [from, to)."""

    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to", description="Exclusive.")
    group_by: UsageGrouping
    rows: list[UsageGroup]
    totals: UsageGroup = Field(description="Every row together (key and label 'total').")
    cost_unknown: bool = Field(
        description="Some tokens are of models without a price (see unpriced_tokens)."
    )


class ModelPrice(BaseModel):
    """USD per million tokens of one model (a model also matches the longest key that
    prefixes it)."""

    key: str = Field(description="provider/model")
    provider: str
    model: str
    prompt_usd_per_million: float
    completion_usd_per_million: float


class PriceList(BaseModel):
    """The price table in effect: the built-in one with PRICES_FILE merged over it."""

    overridden: bool = Field(description="Whether PRICES_FILE is set.")
    prices: list[ModelPrice]
