"""The completion tokens of attempts whose worker died mid-answer, from their answer stream.

Such an attempt's usage row is the one the worker wrote before calling the provider
(``activities/storage/usage_records.py``): outcome ``interrupted``, the prompt's estimate,
no completion tokens. What it streamed is in the answer stream, whose rows are pruned
after 24 h; so whenever usage is read (a run's detail or timeline, a usage report) the
recent ``interrupted`` rows get the tokens their stream holds, which stay once written.
An attempt under way also looks interrupted until it ends; its row is replaced when it
does, and the update below only ever touches rows still ``interrupted``.
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from activities.storage.answer_stream import ANSWER_STREAM, RETENTION_SECONDS
from activities.storage.usage_records import USAGE_RECORDS

# Interrupted rows completed per read, at most (a report must stay one quick read).
_MAX_ROWS = 500


def complete_interrupted(session: Session, run_ids: Sequence[str] | None = None) -> None:
    """Sets each recent ``interrupted`` row's completion tokens (of ``run_ids``, or of any
    run) to the deltas its answer stream holds, and commits."""
    usage = USAGE_RECORDS
    pending = sa.select(usage.c.key, usage.c.run_id, usage.c.node_id, usage.c.attempt).where(
        usage.c.outcome == "interrupted",
        usage.c.recorded_at >= time.time() - RETENTION_SECONDS,
    )
    if run_ids is not None:
        pending = pending.where(usage.c.run_id.in_(run_ids))
    rows = session.execute(pending.limit(_MAX_ROWS)).all()
    if not rows:
        return
    stream = ANSWER_STREAM
    streamed = session.execute(
        sa.select(stream.c.run_id, stream.c.node_id, stream.c.stream, sa.func.sum(stream.c.tokens))
        .where(stream.c.run_id.in_(sorted({row.run_id for row in rows})))
        .group_by(stream.c.run_id, stream.c.node_id, stream.c.stream)
    ).all()
    tokens = {(run, node, number): int(count or 0) for run, node, number, count in streamed}
    for row in rows:
        count = tokens.get((row.run_id, row.node_id, row.attempt), 0)
        if count:
            session.execute(
                usage.update()
                .where(
                    usage.c.key == row.key,
                    usage.c.outcome == "interrupted",
                    usage.c.completion_tokens < count,
                )
                .values(completion_tokens=count)
            )
    session.commit()
