"""Estimated cost of tokens: a built-in price table an operator can override.

Prices are USD per million tokens, keyed ``"<provider>/<model>"``. A model matches its
exact key or else the longest key that prefixes it (``gpt-4o-mini-2024-07-18`` is priced
as ``gpt-4o-mini``); a model with no match has no price (its cost is unknown, not zero).
``PRICES_FILE`` names a JSON object of the same shape, merged over the built-in table;
a price of ``{"prompt": 0, "completion": 0}`` marks a model as free (a local Ollama).

The figures are list prices at the time of writing; they are estimates, not invoices.
"""

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Price(BaseModel):
    """USD per million prompt (input) and completion (output) tokens."""

    model_config = ConfigDict(extra="forbid")

    prompt: float = Field(ge=0)
    completion: float = Field(default=0.0, ge=0)


BUILT_IN_PRICES: dict[str, Price] = {
    key: Price(prompt=p, completion=c)
    for key, (p, c) in {
        "openai/gpt-4o-mini": (0.15, 0.60),
        "openai/gpt-4o": (2.50, 10.00),
        "openai/gpt-4.1-nano": (0.10, 0.40),
        "openai/gpt-4.1-mini": (0.40, 1.60),
        "openai/gpt-4.1": (2.00, 8.00),
        "openai/o3-mini": (1.10, 4.40),
        "openai/o4-mini": (1.10, 4.40),
        "openai/gpt-3.5-turbo": (0.50, 1.50),
        "openai/text-embedding-3-small": (0.02, 0.0),
        "openai/text-embedding-3-large": (0.13, 0.0),
        "gemini/gemini-1.5-flash": (0.075, 0.30),
        "gemini/gemini-1.5-pro": (1.25, 5.00),
        "gemini/gemini-2.0-flash": (0.10, 0.40),
        "gemini/gemini-2.5-flash": (0.30, 2.50),
        "gemini/gemini-2.5-pro": (1.25, 10.00),
        "gemini/text-embedding-004": (0.0, 0.0),
        "local/all-MiniLM-L6-v2": (0.0, 0.0),
    }.items()
}


class PriceTableError(ValueError):
    """The operator's price file cannot be read; the message says where and why."""


class PriceTable:
    """Looks prices up by provider and model."""

    def __init__(self, prices: dict[str, Price]) -> None:
        self._prices = dict(prices)

    @classmethod
    def load(cls, override: Path | None) -> "PriceTable":
        """The built-in table, with ``override`` (a JSON file) merged over it."""
        prices = dict(BUILT_IN_PRICES)
        if override is not None:
            try:
                raw = json.loads(Path(override).read_text(encoding="utf-8"))
                if not isinstance(raw, dict):
                    raise PriceTableError(f"{override}: expected a JSON object")
                for key, value in raw.items():
                    if "/" not in key:
                        raise PriceTableError(f"{override}: key {key!r} is not 'provider/model'")
                    prices[key] = Price.model_validate(value)
            except (OSError, json.JSONDecodeError, ValidationError) as exc:
                raise PriceTableError(f"{override}: {exc}") from exc
        return cls(prices)

    def price(self, provider: str, model: str) -> Price | None:
        """The price of ``model``: its own key, else the longest key prefixing it."""
        exact = self._prices.get(f"{provider}/{model}")
        if exact is not None:
            return exact
        best: tuple[int, Price] | None = None
        for key, price in self._prices.items():
            key_provider, _, key_model = key.partition("/")
            matches = key_provider == provider and model.startswith(key_model)
            if matches and (best is None or len(key_model) > best[0]):
                best = (len(key_model), price)
        return best[1] if best else None

    def cost(
        self, provider: str, model: str, prompt_tokens: int, completion_tokens: int
    ) -> float | None:
        """Estimated USD for these tokens; None when the model has no price."""
        price = self.price(provider, model)
        if price is None:
            return None
        return (prompt_tokens * price.prompt + completion_tokens * price.completion) / 1_000_000

    def known_model(self, provider: str, model: str) -> str:
        """``model`` when it has a price, else ``"other"``: a bounded metric label."""
        return model if self.price(provider, model) is not None else "other"

    def as_dict(self) -> dict[str, Price]:
        return dict(self._prices)


@lru_cache(maxsize=4)
def price_table(override: Path | None) -> PriceTable:
    """The process's price table (read once per override path)."""
    return PriceTable.load(override)
