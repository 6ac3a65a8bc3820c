"""Each LLM attempt leaves one usage row: the billed tokens of a completed answer, an
estimate for one that failed after streaming, and none for a step whose recorded result is
reused."""

import dataclasses
import math
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.answer import AnswerActivities
from activities.graph.prompt import DEFAULT_SYSTEM_INSTRUCTION
from activities.storage.usage_records import USAGE_RECORDS
from settings import Settings
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
