"""An answer's tokens written to the answer stream as they arrive, and read back by the
API's feed: every row once, in order; a reader too slow for its queue is dropped."""

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.storage.answer_stream import ANSWER_STREAM, AnswerStreams
from api.runs.answer_feed import AnswerChunk, AnswerFeed, SlowConsumer
from settings import Settings
from tests.support.activity_inputs import answer_input
from tests.support.fakes import FakeOpenAI

RUN = "test"  # ActivityEnvironment's workflow id


def rows(settings: Settings) -> list[Any]:
    engine = sa.create_engine(settings.sqlalchemy_url)
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(
                ANSWER_STREAM.c.node_id,
                ANSWER_STREAM.c.stream,
                ANSWER_STREAM.c.text,
                ANSWER_STREAM.c.ended,
            ).order_by(ANSWER_STREAM.c.id)
        ).all()
    engine.dispose()
    return list(found)


async def test_each_answer_is_streamed_as_a_numbered_stream_ending_when_it_completes(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    fake_openai.answer = "Refunds take fourteen days from the return."
    env = ActivityEnvironment()
    first = await env.run(answer_activities.generate_answer, answer_input(node_id="llm"))
    fake_openai.answer = "A second, different answer."
    second = await env.run(
        answer_activities.generate_answer, answer_input(node_id="llm", query="again")
    )

    written = rows(fake_provider_settings)
    for number, output in ((1, first), (2, second)):
        stream = [r for r in written if r.stream == number]
        assert all(r.node_id == "llm" for r in stream)
        assert "".join(r.text for r in stream) == output.text
        assert [r.ended for r in stream][-1] == "completed"
        assert [r.ended for r in stream].count("completed") == 1


async def test_a_step_recorded_before_streaming_streams_nothing(
    answer_activities: AnswerActivities, fake_provider_settings: Settings
) -> None:
    await ActivityEnvironment().run(answer_activities.generate_answer, answer_input())
    assert rows(fake_provider_settings) == []


async def test_the_feed_hands_every_row_once_in_order_to_each_subscriber(
    fake_provider_settings: Settings,
) -> None:
    engine = sa.create_engine(fake_provider_settings.sqlalchemy_url)
    streams, feed = AnswerStreams(fake_provider_settings, engine), AnswerFeed(engine)
    early = await feed.subscribe(RUN, 0)
    writer = await streams.open(RUN, "llm")
    words = [f" word{i}" for i in range(50)]
    for word in words[:25]:
        writer.append(word)
    await asyncio.sleep(0.05)
    late = await feed.subscribe(RUN, 0)  # joins mid-answer: gets the start too
    for word in words[25:]:
        writer.append(word)
        await asyncio.sleep(0)
    await writer.close("completed")

    for subscription in (early, late):
        received: list[AnswerChunk] = []
        while not received or received[-1].ended is None:
            received.append(await asyncio.wait_for(subscription.next(), 5))
        assert "".join(c.text for c in received) == "".join(words)
        ids = [c.id for c in received]
        assert ids == sorted(set(ids))
        feed.unsubscribe(subscription)
    assert feed.subscribers == 0
    engine.dispose()


async def test_a_subscriber_slower_than_its_queue_is_dropped(
    fake_provider_settings: Settings,
) -> None:
    engine = sa.create_engine(fake_provider_settings.sqlalchemy_url)
    streams, feed = AnswerStreams(fake_provider_settings, engine), AnswerFeed(engine, queue_rows=3)
    reader = await feed.subscribe(RUN, 0)
    writer = await streams.open(RUN, "llm")
    for i in range(10):
        writer.append(f" {i}")
        await asyncio.sleep(0.03)  # one row each
    await writer.close("completed")
    await asyncio.sleep(0.1)
    received = [await reader.next() for _ in range(3)]
    assert " 0 1 2 3 4 5 6 7 8 9".startswith("".join(c.text for c in received))
    with pytest.raises(SlowConsumer):
        await reader.next()
    feed.unsubscribe(reader)
    engine.dispose()
