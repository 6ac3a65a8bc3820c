"""Usage and estimated cost over the real stack: a known sequence of runs against the
provider fakes, then ``GET /usage`` adds up exactly what each run reports, prices it with
the API's price table, partitions the same totals by day, workflow, user and model, and
shows nothing of a workspace to anyone outside it."""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fakes.http_fake import StreamBreak
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph
from tests.support.live_stack import RunningStack
from tests.support.login import login

# USD per million tokens: round figures, so a cost is checked exactly.
PROMPT_PRICE, COMPLETION_PRICE = 1.0, 2.0
PRICED, UNPRICED = "gpt-4o-mini", "house-model-7"
TOKEN_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass
class UsageWorld:
    """Runs of one user in their workspace, read through an API with a price file."""

    owner: httpx.Client
    outsider: httpx.Client
    owner_email: str
    workspace_id: str
    workflows: dict[str, str]  # name → id
    runs: dict[str, list[str]]  # workflow name → run ids
    retried_run: str


def create_user(admin: httpx.Client, api_url: str, who: str) -> tuple[httpx.Client, str]:
    email = f"usage-{who}-{uuid.uuid4().hex[:6]}@example.org"
    password = f"{who}-password-1"
    admin.post("/users", json={"email": email, "password": password}).raise_for_status()
    return login(api_url, email, password), email


def run(client: httpx.Client, workflow_id: str, query: str) -> str:
    reply = client.post(f"/workflows/{workflow_id}/execute", json={"query": query})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["run_id"])


@pytest.fixture(scope="module")
def priced_api(
    running_stack: RunningStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An API process whose price file sets round prices for ``PRICED``."""
    prices = tmp_path_factory.mktemp("prices") / "prices.json"
    prices.write_text(
        json.dumps({f"openai/{PRICED}": {"prompt": PROMPT_PRICE, "completion": COMPLETION_PRICE}})
    )
    with running_stack.extra_api({"PRICES_FILE": str(Path(prices))}, name="api-priced") as url:
        yield url


@pytest.fixture(scope="module")
def world(priced_api: str, admin: httpx.Client, fakes: Fakes) -> Iterator[UsageWorld]:
    owner, owner_email = create_user(admin, priced_api, "owner")
    outsider, _ = create_user(admin, priced_api, "outsider")
    [workspace] = owner.get("/workspaces").json()
    workflows: dict[str, str] = {}
    for name, model in (("priced answers", PRICED), ("house answers", UNPRICED)):
        reply = owner.post(
            "/workflows", json={"name": name, "graph": direct_llm_graph(model=model)}
        )
        assert reply.status_code == 201, reply.text
        workflows[name] = reply.json()["id"]
    runs = {
        "priced answers": [
            run(owner, workflows["priced answers"], "How long do refunds take?"),
            run(owner, workflows["priced answers"], "And exchanges, how long are they?"),
        ],
        "house answers": [run(owner, workflows["house answers"], "Where is my parcel?")],
    }
    # The next answer breaks after 3 tokens: the step's second attempt completes.
    fakes.openai.script([StreamBreak(after_tokens=3)], path_suffix=CHAT)
    retried = run(owner, workflows["priced answers"], "Can I return an opened kettle?")
    runs["priced answers"].append(retried)
    yield UsageWorld(
        owner, outsider, owner_email, workspace["id"], workflows, runs, retried_run=retried
    )
    owner.close()
    outsider.close()


def run_usage(client: httpx.Client, run_id: str) -> dict[str, Any]:
    reply = client.get(f"/runs/{run_id}")
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["usage"])


def report(client: httpx.Client, **params: str) -> dict[str, Any]:
    reply = client.get("/usage", params=params)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def tokens(figures: dict[str, Any]) -> tuple[int, int, int]:
    return (figures["prompt_tokens"], figures["completion_tokens"], figures["total_tokens"])


def all_runs(world: UsageWorld) -> list[str]:
    return [run_id for ids in world.runs.values() for run_id in ids]


def test_a_run_reports_the_tokens_its_answer_was_billed(world: UsageWorld) -> None:
    run_id = world.runs["priced answers"][0]
    timeline = world.owner.get(f"/runs/{run_id}/timeline").json()["timeline"]
    [llm] = [n for n in timeline["nodes"] if n["node_id"] == "llm"]

    usage = run_usage(world.owner, run_id)

    assert tokens(usage) == tokens(llm["usage"]) and usage["total_tokens"] > 0
    assert usage["estimated"] is False
    assert timeline["usage"] == usage == llm["attempts_usage"]
    [streamed] = llm["streams"]
    assert streamed["outcome"] == "completed" and streamed["usage"] == usage
    expected = (
        usage["prompt_tokens"] * PROMPT_PRICE + usage["completion_tokens"] * COMPLETION_PRICE
    ) / 1e6
    assert usage["estimated_cost_usd"] == pytest.approx(expected)


def test_a_failed_attempt_is_counted_with_an_estimate_next_to_the_one_that_completed(
    world: UsageWorld,
) -> None:
    timeline = world.owner.get(f"/runs/{world.retried_run}/timeline").json()["timeline"]
    [llm] = [n for n in timeline["nodes"] if n["node_id"] == "llm"]

    failed, completed = llm["streams"]
    assert failed["outcome"] == "failed" and completed["outcome"] == "completed"
    assert failed["usage"]["completion_tokens"] == 3 and failed["usage"]["estimated"] is True
    assert failed["usage"]["prompt_tokens"] > 0
    assert tokens(completed["usage"]) == tokens(llm["usage"])  # what the answer was billed
    both = [a + b for a, b in zip(tokens(failed["usage"]), tokens(completed["usage"]), strict=True)]
    assert list(tokens(timeline["usage"])) == both
    assert timeline["usage"]["estimated"] is True
    assert run_usage(world.owner, world.retried_run) == timeline["usage"]


def test_the_totals_are_the_sum_of_the_runs_and_priced_by_the_price_table(
    world: UsageWorld,
) -> None:
    per_run = [run_usage(world.owner, run_id) for run_id in all_runs(world)]
    found = report(world.owner)

    totals = found["totals"]
    for field in TOKEN_FIELDS:
        assert totals[field] == sum(u[field] for u in per_run), field
    assert totals["runs"] == len(per_run) == 4
    [house] = world.runs["house answers"]
    unpriced = run_usage(world.owner, house)
    assert unpriced["estimated_cost_usd"] is None
    assert totals["unpriced_tokens"] == unpriced["total_tokens"] > 0
    assert found["cost_unknown"] is True
    priced = [u for u in per_run if u["estimated_cost_usd"] is not None]
    prompt = sum(u["prompt_tokens"] for u in priced)
    completion = sum(u["completion_tokens"] for u in priced)
    assert totals["estimated_cost_usd"] == pytest.approx(
        (prompt * PROMPT_PRICE + completion * COMPLETION_PRICE) / 1e6
    )


@pytest.mark.parametrize("group_by", ["day", "workflow", "user", "model"])
def test_each_grouping_partitions_the_same_totals(world: UsageWorld, group_by: str) -> None:
    found = report(world.owner, group_by=group_by)

    assert found["group_by"] == group_by
    rows, totals = found["rows"], found["totals"]
    for field in (*TOKEN_FIELDS, "unpriced_tokens"):
        assert sum(r[field] for r in rows) == totals[field], field
    assert sum(r["estimated_cost_usd"] or 0 for r in rows) == pytest.approx(
        totals["estimated_cost_usd"]
    )
    used = {r["key"]: r for r in rows if r["total_tokens"]}
    if group_by == "workflow":
        assert {r["label"] for r in used.values()} == set(world.workflows)
        for name, workflow_id in world.workflows.items():
            assert used[workflow_id]["runs"] == len(world.runs[name])
    elif group_by == "user":
        assert [r["label"] for r in used.values()] == [world.owner_email]
    elif group_by == "model":
        assert set(used) == {f"openai/{PRICED}", f"openai/{UNPRICED}"}
    else:
        assert len(rows) >= 30  # every day of the default range, quiet ones too
        assert sum(r["runs"] for r in rows) == totals["runs"]


def test_filters_by_workflow_and_workspace(world: UsageWorld) -> None:
    workflow_id = world.workflows["house answers"]
    [house] = world.runs["house answers"]

    only = report(world.owner, workflow_id=workflow_id)["totals"]
    mine = report(world.owner, workspace_id=world.workspace_id)["totals"]

    assert tokens(only) == tokens(run_usage(world.owner, house))
    assert mine["runs"] == 4


def test_a_user_outside_the_workspace_sees_none_of_its_usage(world: UsageWorld) -> None:
    found = report(world.outsider)
    assert found["totals"]["total_tokens"] == 0 and found["totals"]["runs"] == 0
    assert report(world.outsider, group_by="workflow")["rows"] == []

    foreign = world.outsider.get("/usage", params={"workspace_id": world.workspace_id})
    assert foreign.status_code == 404
    assert world.outsider.get(f"/runs/{world.retried_run}").status_code == 404


def test_a_range_is_dates_or_datetimes_and_a_day_named_in_to_is_included(
    world: UsageWorld,
) -> None:
    today = report(world.owner)["to"][:10]

    found = report(world.owner, **{"from": today, "to": today, "group_by": "day"})

    assert [r["key"] for r in found["rows"]] == [today]
    assert found["totals"]["runs"] == 4
    later = report(world.owner, **{"from": f"{today}T23:59:59Z", "to": f"{today}T23:59:59.5Z"})
    assert later["totals"]["runs"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "last tuesday"}, "from"),
        ({"to": "2026-13-40"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"from": "2024-01-01", "to": "2025-06-01"}, "to"),
        ({"group_by": "week"}, "group_by"),
    ],
)
def test_bad_parameters_are_refused_with_the_field_named(
    world: UsageWorld, params: dict[str, str], field: str
) -> None:
    reply = world.owner.get("/usage", params=params)

    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in json.dumps(error["details"])


def test_the_price_table_in_effect_is_served(world: UsageWorld) -> None:
    reply = world.owner.get("/usage/prices")

    assert reply.status_code == 200, reply.text
    found = reply.json()
    assert found["overridden"] is True
    prices = {p["key"]: p for p in found["prices"]}
    assert prices[f"openai/{PRICED}"]["prompt_usd_per_million"] == PROMPT_PRICE
    assert prices[f"openai/{PRICED}"]["completion_usd_per_million"] == COMPLETION_PRICE
    assert f"openai/{UNPRICED}" not in prices
