"""Tokens added up with their estimated cost, by the price table in effect when read.

Usage rows hold tokens, not money: the cost is computed when usage is read, with the
API's price table (``PRICES_FILE`` merged over the built-in one), so correcting a price
corrects every report.
"""

from api.usage.schemas import RunUsage
from settings import Settings
from telemetry.prices import PriceTable, price_table


def prices_of(settings: Settings) -> PriceTable:
    """The API's price table (a bad ``PRICES_FILE`` raises ``PriceTableError``)."""
    return price_table(settings.prices_file)


class UsageTally:
    """Adds tokens of any models up, pricing each model's share."""

    def __init__(self, prices: PriceTable) -> None:
        self._prices = prices
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.unpriced_tokens = 0
        self.priced_tokens = 0
        self.cost = 0.0
        self.estimated = False

    def add(
        self, provider: str, model: str, prompt_tokens: int, completion_tokens: int, estimated: bool
    ) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.estimated = self.estimated or estimated
        cost = self._prices.cost(provider, model, prompt_tokens, completion_tokens)
        if cost is None:
            self.unpriced_tokens += prompt_tokens + completion_tokens
        else:
            self.priced_tokens += prompt_tokens + completion_tokens
            self.cost += cost

    def usage(self) -> RunUsage:
        total = self.prompt_tokens + self.completion_tokens
        unknown = total > 0 and self.priced_tokens == 0 and self.unpriced_tokens > 0
        return RunUsage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            total_tokens=total,
            estimated_cost_usd=None if unknown else round(self.cost, 8),
            unpriced_tokens=self.unpriced_tokens,
            estimated=self.estimated,
        )
