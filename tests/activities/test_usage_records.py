"""Each LLM attempt leaves one usage row: the billed tokens of a completed answer, an
estimate for one that failed after streaming or whose worker died mid-answer (completed
from its answer stream when read), and none for a step whose recorded result is reused."""

import asyncio
import dataclasses
import math
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.graph.prompt import DEFAULT_SYSTEM_INSTRUCTION
from activities.storage.answer_stream import AnswerStreams
from activities.storage.usage_records import USAGE_RECORDS, AttemptUsage, UsageRecords
from api.usage.run_usage import run_usage
from settings import Settings
from telemetry.prices import price_table
from tests.support.activity_inputs import answer_input
from tests.support.fakes import Failure, FakeOpenAI, StreamBreak

QUERY = "How long do refunds take?"


def usage_rows(settings: Settings) -> list[Any]:
    engine = sa.create_engine(settings.sqlalchemy_url)
    with engine.connect() as conn:
        found = conn.execute(sa.select(USAGE_RECORDS).order_by(USAGE_RECORDS.c.recorded_at)).all()
    engine.dispose()
    return list(found)


async def test_a_completed_answer_records_the_tokens_the_provider_billed(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    fake_openai.answer = "Refunds take fourteen days."

    output = await ActivityEnvironment().run(
        answer_activities.generate_answer, answer_input(node_id="llm", query=QUERY)
    )

    [row] = usage_rows(fake_provider_settings)
    assert (row.run_id, row.node_id, row.attempt) == ("test", "llm", 1)
    assert (row.provider, row.model, row.outcome, row.estimated) == (
        "openai",
        "gpt-4o-mini",
        "completed",
        False,
    )
    assert row.prompt_tokens == output.usage.prompt_tokens > 0
    assert row.completion_tokens == output.usage.completion_tokens == 4


async def test_an_answer_that_breaks_after_streaming_records_an_estimate(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    fake_openai.answer = "Refunds take fourteen days from the day we receive the parcel."
    fake_openai.script([StreamBreak(after_tokens=3)])

    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(
            answer_activities.generate_answer, answer_input(node_id="llm", query=QUERY)
        )

    assert failed.value.type == "ProviderUnavailable"
    [row] = usage_rows(fake_provider_settings)
    assert (row.node_id, row.attempt, row.outcome, row.estimated) == ("llm", 1, "failed", True)
    assert row.completion_tokens == 3
    # The prompt: the default system instruction and the question, 4 characters a token.
    assert row.prompt_tokens == math.ceil((len(DEFAULT_SYSTEM_INSTRUCTION) + len(QUERY)) / 4)


async def test_an_answer_refused_before_streaming_records_no_tokens(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    fake_openai.script([Failure(429)])

    with pytest.raises(ApplicationError):
        await ActivityEnvironment().run(
            answer_activities.generate_answer, answer_input(node_id="llm")
        )

    [row] = usage_rows(fake_provider_settings)
    assert (row.outcome, row.prompt_tokens, row.completion_tokens) == ("failed", 0, 0)


async def test_each_attempt_of_a_node_has_its_own_row(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    fake_openai.script([StreamBreak(after_tokens=2)])
    first, second = ActivityEnvironment(), ActivityEnvironment()
    # Each attempt of a step is its own activity, with its own id.
    first.info = dataclasses.replace(first.info, activity_id="1")
    second.info = dataclasses.replace(second.info, activity_id="2")
    with pytest.raises(ApplicationError):
        await first.run(answer_activities.generate_answer, answer_input(node_id="llm"))
    await second.run(answer_activities.generate_answer, answer_input(node_id="llm"))

    rows = usage_rows(fake_provider_settings)
    assert [(r.outcome, r.completion_tokens) for r in rows] == [("failed", 2), ("completed", 9)]


async def test_a_step_executed_again_reuses_its_record_and_adds_no_row(
    answer_activities: AnswerActivities, fake_openai: FakeOpenAI, fake_provider_settings: Settings
) -> None:
    env = ActivityEnvironment()  # the same run and activity id: a re-execution
    first = await env.run(answer_activities.generate_answer, answer_input(node_id="llm"))
    again = await env.run(answer_activities.generate_answer, answer_input(node_id="llm"))

    assert again == first
    assert len(fake_openai.chat_requests) == 1
    [row] = usage_rows(fake_provider_settings)
    assert row.outcome == "completed"


async def test_an_attempt_whose_worker_died_is_counted_from_its_answer_stream(
    fake_provider_settings: Settings,
) -> None:
    engine = sa.create_engine(fake_provider_settings.sqlalchemy_url)
    usage = AttemptUsage(
        key="run-1/r/1/1/llm/1",
        run_id="run-1",
        node_id="llm",
        attempt=1,
        provider="openai",
        model="gpt-4o-mini",
        prompt_chars=400,
    )
    await UsageRecords(fake_provider_settings, engine).begin(usage)
    writer = await AnswerStreams(fake_provider_settings, engine).open("run-1", "llm")
    for word in ("Refunds", " take", " fourteen", " days"):
        writer.append(word)
    await asyncio.sleep(0.2)  # flushed; then the worker is gone: no end row, no end()

    with Session(engine) as session:
        found = run_usage(session, price_table(None), "run-1")

    [row] = usage_rows(fake_provider_settings)
    assert (row.outcome, row.estimated) == ("interrupted", True)
    assert (row.prompt_tokens, row.completion_tokens) == (100, 4)
    assert found.by_attempt[("llm", 1)] == found.total
    assert (found.total.total_tokens, found.total.estimated) == (104, True)
    assert found.total.estimated_cost_usd == pytest.approx((100 * 0.15 + 4 * 0.60) / 1e6)
    engine.dispose()
