"""Results of paid steps, recorded before they are returned, so no completed call repeats.

A step that runs as a local activity (the default) is written into the workflow's history
only when the workflow task that ran it completes. A worker killed after an LLM call
returned but before that point replays the run on another worker, which executes the step
again — and pays for it again. So each paid step (LLM answer, web search, a knowledge-base
search embedded by a provider) records its result here, keyed by the workflow run and the
activity's id, before returning it; executed again, it returns the recorded result and
calls nothing. Only a call that was interrupted before it returned runs again.

The key is the run, the activity's id and a digest of its input. A replay that executes
the same step again has the same id and input (the interpreter's commands are
deterministic); the attempts of a step have different ids (each attempt is its own
activity), so a failed attempt is never mistaken for a completed one; the input digest
keeps two different calls apart wherever ids repeat (tests run activities outside a
workflow, under one id).

Rows older than ``STEP_RECORD_RETENTION`` are pruned now and then; a run whose worker is
gone for longer than that would pay again.
"""

import asyncio
import hashlib
import random
import time
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from temporalio import activity

from activities.storage.database import shared_engine
from settings import Settings

STEP_RECORD_RETENTION = 7 * 24 * 3600.0
_PRUNE_ONE_IN = 200

# The table as activities read and write it (api/db/models.py StepRecord defines it).
_metadata = sa.MetaData()
STEP_RECORDS = sa.Table(
    "step_records",
    _metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False, index=True),
)

Out = TypeVar("Out", bound=BaseModel)


class StepRecords:
    """Records and finds the results of paid steps (in the database the API uses)."""

    def __init__(self, settings: Settings, engine: sa.Engine | None = None) -> None:
        self._settings = settings
        self._engine = engine

    @cached_property
    def _db(self) -> sa.Engine:
        return self._engine or shared_engine(self._settings.sqlalchemy_url)

    async def once(
        self,
        step_input: BaseModel,
        result_type: type[Out],
        call: Callable[[], Awaitable[Out]],
        *,
        labels: set[str] | None = None,
    ) -> Out:
        """The step's recorded result if this activity already completed once with this
        input, else the result of ``call``, recorded before it is returned. Fields named in
        ``labels`` only label the call (say, the node streaming it) and stay out of its key,
        so records made before they existed are still found."""
        info = activity.info()
        identity = step_input.model_dump_json(exclude=labels)
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        key = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}/{digest}"
        found = await asyncio.to_thread(self._find, key)
        if found is not None:
            activity.logger.info("step %s already completed: its recorded result is reused", key)
            return result_type.model_validate_json(found)
        result = await call()
        await asyncio.to_thread(self._record, key, result.model_dump_json())
        return result

    def _find(self, key: str) -> str | None:
        with self._db.connect() as conn:
            row = conn.execute(
                sa.select(STEP_RECORDS.c.result).where(STEP_RECORDS.c.key == key)
            ).first()
        return row[0] if row else None

    def _record(self, key: str, result: str) -> None:
        now = time.time()
        with self._db.begin() as conn:
            conn.execute(
                STEP_RECORDS.delete().where(STEP_RECORDS.c.key == key)
            )  # a re-execution that raced the first one: the last result wins
            conn.execute(STEP_RECORDS.insert().values(key=key, result=result, recorded_at=now))
            if random.randrange(_PRUNE_ONE_IN) == 0:
                conn.execute(
                    STEP_RECORDS.delete().where(
                        STEP_RECORDS.c.recorded_at < now - STEP_RECORD_RETENTION
                    )
                )
