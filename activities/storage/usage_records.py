"""The tokens each attempt of an LLM step cost, one row per attempt, for usage and cost.

The worker writes the row in two steps, so that an attempt whose worker dies mid-answer
still leaves one:

1. ``begin``, just before the provider is called: provider, model and the prompt's
   estimated tokens, with outcome ``interrupted`` and no completion tokens — what stays
   if the worker is killed before the attempt ends;
2. ``end``, when the attempt completes (the tokens the provider billed, ``estimated``
   false) or fails (the deltas it streamed as completion tokens and the prompt's estimate,
   ``estimated`` true; nothing streamed: no tokens).

For an attempt left ``interrupted``, the API adds the completion tokens its answer stream
holds (``api/usage/interrupted.py``).

The key is the run, the activity's id and attempt, the node and the node's stream number:
a step executed again after its worker died opens the next stream, so the interrupted call
and the one after it — both paid — are two rows; a step whose recorded result is reused
(``StepRecords``) calls nothing and writes nothing. ``attempt`` holds the stream number,
so a row and the streamed answer it paid for (``StreamedAnswer.attempt``) match.

Estimates: a prompt's tokens are its characters / 4, rounded up (OpenAI's rule of thumb
for English; tokenizers differ, so an estimate is flagged, never billed); a streamed
answer's tokens are its text deltas (one token each from OpenAI, a few from Gemini).

Writing is best effort, like the answer stream: a failed write is logged and dropped and
never fails the step.
"""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from activities.storage.database import shared_engine
from settings import Settings

UsageOutcome = Literal["completed", "failed", "interrupted"]
CHARS_PER_TOKEN = 4

log = logging.getLogger(__name__)

# The table as the worker writes it and the API reads it (api/db/models.py UsageRecord).
_metadata = sa.MetaData()
USAGE_RECORDS = sa.Table(
    "usage_records",
    _metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("run_id", sa.String(80), nullable=False, index=True),
    sa.Column("node_id", sa.String(64), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("provider", sa.String(40), nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("prompt_tokens", sa.Integer, nullable=False),
    sa.Column("completion_tokens", sa.Integer, nullable=False),
    sa.Column("estimated", sa.Boolean, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False, index=True),
)


def estimated_tokens(chars: int) -> int:
    """Tokens of ``chars`` characters of text, estimated (characters / 4, rounded up)."""
    return math.ceil(chars / CHARS_PER_TOKEN)


def insert_if_absent(conn: sa.Connection, rows: list[dict[str, object]]) -> None:
    """Inserts the rows whose key is not in the table yet (PostgreSQL or SQLite)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(USAGE_RECORDS).on_conflict_do_nothing(), rows)


@dataclass(frozen=True)
class AttemptUsage:
    """One LLM call's row: who paid for it, and what its prompt is estimated to cost."""

    key: str
    run_id: str
    node_id: str
    attempt: int
    provider: str
    model: str
    prompt_chars: int

    @property
    def estimated_prompt_tokens(self) -> int:
        return estimated_tokens(self.prompt_chars)


class UsageRecords:
    """Writes the usage rows of LLM attempts (in the database the API uses)."""

    def __init__(self, settings: Settings, engine: sa.Engine | None = None) -> None:
        self._settings = settings
        self._engine = engine

    @cached_property
    def _db(self) -> sa.Engine:
        return self._engine or shared_engine(self._settings.sqlalchemy_url)

    async def begin(self, usage: AttemptUsage) -> None:
        """The row an interrupted attempt leaves: the prompt's estimate, no completion."""
        row = self._row(usage, usage.model, usage.estimated_prompt_tokens, 0, True, "interrupted")
        await self._write(usage, lambda conn: insert_if_absent(conn, [row]))

    async def end(
        self,
        usage: AttemptUsage,
        *,
        outcome: Literal["completed", "failed"],
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        estimated: bool,
    ) -> None:
        """The attempt's final row, replacing the one ``begin`` wrote."""
        row = self._row(usage, model, prompt_tokens, completion_tokens, estimated, outcome)

        def replace(conn: sa.Connection) -> None:
            conn.execute(USAGE_RECORDS.delete().where(USAGE_RECORDS.c.key == usage.key))
            conn.execute(USAGE_RECORDS.insert().values(**row))

        await self._write(usage, replace)

    @staticmethod
    def _row(
        usage: AttemptUsage,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        estimated: bool,
        outcome: UsageOutcome,
    ) -> dict[str, object]:
        return {
            "key": usage.key,
            "run_id": usage.run_id,
            "node_id": usage.node_id,
            "attempt": usage.attempt,
            "provider": usage.provider,
            "model": model[:200],
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "estimated": estimated,
            "outcome": outcome,
            "recorded_at": time.time(),
        }

    async def _write(self, usage: AttemptUsage, write: Callable[[sa.Connection], None]) -> None:
        def run() -> None:
            with self._db.begin() as conn:
                write(conn)

        try:
            await asyncio.to_thread(run)
        except sa.exc.SQLAlchemyError as error:
            log.warning("usage of %s not recorded: %s", usage.key, error)
