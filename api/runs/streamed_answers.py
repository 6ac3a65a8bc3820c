"""What a run's LLM steps streamed, for its timeline: every streamed answer with its token
count and how it ended — including answers whose worker died mid-way, which a local step's
history never shows (``activities/storage/answer_stream.py`` keeps the rows) — and what
each attempt, each LLM node and the run cost (``api/usage/run_usage.py``)."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from activities.storage.answer_stream import ANSWER_STREAM
from api.runs.timeline_schemas import RunTimeline, StreamedAnswer
from api.usage.costing import prices_of
from api.usage.run_usage import run_usage
from settings import get_settings


def add_streamed_answers(session: Session, timeline: RunTimeline) -> None:
    """Fills each node's ``streams`` from the answer stream of ``timeline``'s run."""
    table = ANSWER_STREAM
    rows = session.execute(
        sa.select(
            table.c.node_id,
            table.c.stream,
            sa.func.sum(table.c.tokens),
            sa.func.sum(sa.func.length(table.c.text)),
            sa.func.max(table.c.ended),
        )
        .where(table.c.run_id == timeline.run_id)
        .group_by(table.c.node_id, table.c.stream)
        .order_by(table.c.node_id, table.c.stream)
    ).all()
    by_node: dict[str, list[tuple[int, int, int, str | None]]] = {}
    for node_id, stream, tokens, chars, ended in rows:
        by_node.setdefault(node_id, []).append((stream, int(tokens or 0), int(chars or 0), ended))
    for node in timeline.nodes:
        streams = by_node.get(node.node_id, [])
        for index, (stream, tokens, chars, ended) in enumerate(streams):
            if ended in ("completed", "failed"):
                outcome = ended
            elif index < len(streams) - 1 or node.status != "running":
                outcome = "interrupted"
            else:
                outcome = "streaming"
            node.streams.append(
                StreamedAnswer(attempt=stream, tokens=tokens, chars=chars, outcome=outcome)
            )
    add_usage(session, timeline)


def add_usage(session: Session, timeline: RunTimeline) -> None:
    """Fills the run's ``usage``, each LLM node's ``attempts_usage`` and each streamed
    answer's ``usage`` from the run's usage rows."""
    found = run_usage(session, prices_of(get_settings()), timeline.run_id)
    timeline.usage = found.total
    for node in timeline.nodes:
        node.attempts_usage = found.by_node.get(node.node_id)
        for streamed in node.streams:
            streamed.usage = found.by_attempt.get((node.node_id, streamed.attempt))
