"""Run history, versions pinned by runs, timelines, audit records and the three replays."""

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest

from tests.support.fakes.http_fake import Failure
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import RunningStack
from tests.support.polling import eventually

PASSAGES = [("Refunds take 30 days from delivery.", "policy.pdf", 4)]


@pytest.fixture(scope="module")
def knowledge_base(running_stack: RunningStack, admin: httpx.Client) -> str:
    """A knowledge base of the admin's holding ``PASSAGES``."""
    return seeded_knowledge_base(admin, running_stack.env, PASSAGES)


def create_workflow(client: httpx.Client, graph: dict[str, Any]) -> str:
    reply = client.post("/workflows", json={"name": "history", "graph": graph})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def execute(client: httpx.Client, wf_id: str, query: str, **extra: Any) -> dict[str, Any]:
    reply = client.post(f"/workflows/{wf_id}/execute", json={"query": query, **extra})
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def timeline(client: httpx.Client, run_id: str) -> dict[str, Any]:
    reply = client.get(f"/runs/{run_id}/timeline")
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["timeline"])


def nodes_of(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["node_id"]: n for n in found["nodes"]}


def system_prompt(fakes: Fakes) -> str:
    messages = fakes.openai.chat_requests[-1]["messages"]
    return "\n".join(str(m["content"]) for m in messages if m["role"] == "system")


def with_prompt(prompt: str) -> dict[str, Any]:
    return direct_llm_graph(model="gpt-4o-mini", custom_prompt=prompt)


def test_a_run_pinned_to_version_1_keeps_executing_version_1(
    admin: httpx.Client, fakes: Fakes
) -> None:
    wf_id = create_workflow(admin, with_prompt("Answer as version one."))
    assert admin.post(f"/workflows/{wf_id}/versions", json={"note": "v1"}).status_code == 201
    admin.put(f"/workflows/{wf_id}/graph", json=with_prompt("Answer as version two."))
    assert admin.post(f"/workflows/{wf_id}/versions", json={"note": "v2"}).status_code == 201
    admin.put(f"/workflows/{wf_id}/graph", json=with_prompt("Answer as the draft."))

    pinned = execute(admin, wf_id, "which version?", version=1)
    assert "version one" in system_prompt(fakes) and pinned["version"] == 1
    latest = execute(admin, wf_id, "which version?")
    assert "version two" in system_prompt(fakes) and latest["version"] == 2
    draft = execute(admin, wf_id, "which version?", version="draft")
    assert "the draft" in system_prompt(fakes) and draft["version"] is None

    by_version = admin.get("/runs", params={"workflow_id": wf_id, "version": 1}).json()["items"]
    assert [r["id"] for r in by_version] == [pinned["run_id"]]
    assert by_version[0]["version"] == 1 and by_version[0]["query"] == "which version?"
    drafts = admin.get("/runs", params={"workflow_id": wf_id, "version": "draft"}).json()
    assert [r["id"] for r in drafts["items"]] == [draft["run_id"]]
    missing = admin.post(f"/workflows/{wf_id}/execute", json={"query": "q", "version": 7})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_runs_are_listed_newest_first_with_filters_and_cursor_pages(admin: httpx.Client) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    run_ids = [execute(admin, wf_id, f"question {i}")["run_id"] for i in range(5)]

    seen: list[str] = []
    params: dict[str, Any] = {"workflow_id": wf_id, "limit": 2}
    while True:
        page = admin.get("/runs", params=params).json()
        assert len(page["items"]) <= 2
        seen += [r["id"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == list(reversed(run_ids))

    completed = admin.get("/runs", params={"workflow_id": wf_id, "status": "completed"}).json()
    assert len(completed["items"]) == 5
    failed = admin.get("/runs", params={"workflow_id": wf_id, "status": "failed"}).json()
    assert failed["items"] == []
    later = admin.get("/runs", params={"workflow_id": wf_id, "started_after": "2999-01-01T00:00"})
    assert later.json()["items"] == []
    for bad in ({"cursor": "not-a-cursor"}, {"status": "exploded"}, {"version": "latest"}):
        reply = admin.get("/runs", params=bad)
        assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_request"


def test_timeline_shows_each_node_with_tokens_model_and_passages(
    admin: httpx.Client, knowledge_base: str
) -> None:
    wf_id = create_workflow(admin, rag_graph(knowledge_base, use_web_search=True))
    run = execute(admin, wf_id, "refund window?")
    reply = admin.get(f"/runs/{run['run_id']}/timeline").json()
    assert run["run_id"] in reply["run"]["temporal_ui_url"]
    found = reply["timeline"]
    assert found["status"] == "completed" and found["query"] == "refund window?"
    assert [n["node_id"] for n in found["nodes"]] == ["query", "kb", "llm.web_search", "llm", "out"]
    nodes = nodes_of(found)
    assert all(n["status"] == "completed" for n in nodes.values())
    llm = nodes["llm"]
    assert llm["model"] == "gpt-4o-mini" and llm["usage"]["total_tokens"] > 0
    assert [a["status"] for a in llm["attempts"]] == ["completed"]
    assert llm["duration_ms"] >= 0 and llm["started_at"] <= llm["finished_at"]
    assert "Refunds take 30 days" in json.dumps(nodes["kb"]["passages"])
    assert nodes["llm.web_search"]["web_results"]
    assert nodes["out"]["outputs"]["output"]["response"] == run["response"]


def test_timeline_keeps_every_failed_attempt_and_its_error(
    admin: httpx.Client, fakes: Fakes
) -> None:
    graph = direct_llm_graph(model="gpt-4o-mini")
    graph["nodes"][1]["policy"] = {"initial_interval_seconds": 0.05, "maximum_attempts": 4}
    wf_id = create_workflow(admin, graph)
    fakes.openai.script([Failure(429), Failure(500)], CHAT)
    run = execute(admin, wf_id, "flaky provider")
    attempts = nodes_of(timeline(admin, run["run_id"]))["llm"]["attempts"]
    assert [a["status"] for a in attempts] == ["failed", "failed", "completed"]
    assert "429" in attempts[0]["error"] and "500" in attempts[1]["error"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]


def test_exported_audit_record_verifies_and_a_changed_byte_does_not(
    admin: httpx.Client,
) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    admin.post(f"/workflows/{wf_id}/versions", json={"note": "audited"}).raise_for_status()
    run = execute(admin, wf_id, "audit me")
    record = admin.get(f"/runs/{run['run_id']}/audit").json()
    assert record["run"]["id"] == run["run_id"] and record["version"]["number"] == 1
    assert record["version"]["graph"]["nodes"][1]["config"]["model"] == "gpt-4o-mini"
    assert record["inputs"]["query"] == "audit me"
    assert record["plan_hash"] == record["run"]["plan_hash"]
    assert record["event_history"]["events"][0]["eventType"].endswith("EXECUTION_STARTED")
    assert record["outputs"]["nodes"]["out"]["output"]["response"] == run["response"]

    verdict = admin.post("/audit/verify", json=record).json()
    assert verdict["valid"] is True and verdict["problems"] == []

    text = json.dumps(record)
    at = text.index("audit me")
    tampered = json.loads(text[:at] + "A" + text[at + 1 :])  # one byte: 'a' becomes 'A'
    verdict = admin.post("/audit/verify", json=tampered).json()
    assert verdict["valid"] is False and verdict["digest_matches"] is False

    # A forger who recomputes the digest still lacks the server's signing key.
    content = {k: v for k, v in tampered.items() if k != "integrity"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    tampered["integrity"]["digest"] = hashlib.sha256(canonical.encode()).hexdigest()
    verdict = admin.post("/audit/verify", json=tampered).json()
    assert verdict["digest_matches"] is True and verdict["signature_matches"] is False
    assert verdict["valid"] is False
    assert admin.post("/audit/verify", json=[1, 2]).status_code == 422


def test_rerun_repeats_plan_and_inputs_and_links_to_the_original(
    admin: httpx.Client, fakes: Fakes
) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    first = execute(admin, wf_id, "again please")
    before = len(fakes.openai.chat_requests)
    reply = admin.post(f"/runs/{first['run_id']}/rerun")
    assert reply.status_code == 200, reply.text
    second = reply.json()
    assert second["run_id"] != first["run_id"]
    assert len(fakes.openai.chat_requests) == before + 1
    assert "again please" in str(fakes.openai.chat_requests[-1]["messages"][-1]["content"])

    rerun = admin.get(f"/runs/{second['run_id']}").json()
    assert rerun["kind"] == "rerun" and rerun["parent_run_id"] == first["run_id"]
    original = admin.get(f"/runs/{first['run_id']}").json()
    assert rerun["plan_hash"] == original["plan_hash"] and rerun["query"] == "again please"
    children = admin.get("/runs", params={"parent_run_id": first["run_id"]}).json()["items"]
    assert [r["id"] for r in children] == [second["run_id"]]

    side_by_side = admin.get(f"/runs/{first['run_id']}/compare/{second['run_id']}").json()
    assert side_by_side["same_plan"] is True
    assert [n["node_id"] for n in side_by_side["nodes"]] == ["query", "llm", "out"]
    assert all(n["left"]["status"] == n["right"]["status"] == "completed"
               for n in side_by_side["nodes"])  # fmt: skip


def test_replay_from_the_llm_calls_no_upstream_service_again(
    admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    graph = rag_graph(knowledge_base, use_web_search=True)
    wf_id = create_workflow(admin, graph)
    original = execute(admin, wf_id, "refunds?")
    embeds, searches = len(fakes.openai.embedding_requests), len(fakes.serpapi.searches)
    chats = len(fakes.openai.chat_requests)

    reply = admin.post(f"/runs/{original['run_id']}/replay", json={"from_node": "llm"})
    assert reply.status_code == 200, reply.text
    replayed = reply.json()
    assert len(fakes.openai.embedding_requests) == embeds  # knowledge base: not again
    assert len(fakes.serpapi.searches) == searches  # web search: not again
    assert len(fakes.openai.chat_requests) == chats + 1  # the LLM: once
    assert replayed["citations"] == original["citations"]
    statuses = {n["node_id"]: n["status"] for n in timeline(admin, replayed["run_id"])["nodes"]}
    assert statuses == {
        "query": "reused",
        "kb": "reused",
        "llm.web_search": "reused",
        "llm": "completed",
        "out": "completed",
    }
    run = admin.get(f"/runs/{replayed['run_id']}").json()
    assert run["kind"] == "replay" and run["replay_from_node"] == "llm"
    assert run["parent_run_id"] == original["run_id"]

    # Debugging a prompt: the draft's edited prompt runs on the recorded retrieval.
    graph["nodes"][2]["config"]["custom_prompt"] = "Answer like a pirate."
    admin.put(f"/workflows/{wf_id}/graph", json=graph).raise_for_status()
    reply = admin.post(
        f"/runs/{original['run_id']}/replay", json={"from_node": "llm", "version": "draft"}
    )
    assert reply.status_code == 200, reply.text
    assert "pirate" in system_prompt(fakes)
    assert "Refunds take 30 days" in json.dumps(fakes.openai.chat_requests[-1]["messages"])
    assert len(fakes.openai.embedding_requests) == embeds
    assert len(fakes.serpapi.searches) == searches

    unknown = admin.post(f"/runs/{original['run_id']}/replay", json={"from_node": "nope"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_node"


def test_replay_check_reports_that_recent_runs_still_replay(admin: httpx.Client) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    run = execute(admin, wf_id, "deterministic?")
    report = admin.post("/runs/replay-check", json={"run_ids": [run["run_id"]], "recent": 3})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["checked"] >= 1 and body["failures"] == 0
    assert run["run_id"] in {r["run_id"] for r in body["results"]}


def test_another_users_runs_and_audit_records_are_invisible(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    run_id = execute(admin, wf_id, "mine")["run_id"]
    for method, path in [
        ("GET", f"/runs/{run_id}"),
        ("GET", f"/runs/{run_id}/timeline"),
        ("GET", f"/runs/{run_id}/audit"),
        ("POST", f"/runs/{run_id}/rerun"),
        ("GET", f"/runs/{run_id}/compare/{run_id}"),
    ]:
        reply = other_user.request(method, path)
        assert reply.status_code == 404, (path, reply.text)
        assert reply.json()["error"]["code"] == "not_found"
    replay = other_user.post(f"/runs/{run_id}/replay", json={"from_node": "llm"})
    assert replay.status_code == 404
    check = other_user.post("/runs/replay-check", json={"run_ids": [run_id], "recent": 0})
    assert check.status_code == 404
    listed = other_user.get("/runs", params={"workflow_id": wf_id}).json()
    assert listed["items"] == []
    assert (
        other_user.get("/runs", params={"user_id": admin.get("/auth/me").json()["id"]}).json()[
            "items"
        ]
        == []
    )


async def temporal_run_ids(running_stack: RunningStack, query: str) -> set[str]:
    client = await running_stack.temporal()
    return {w.id async for w in client.list_workflows(query)}


def test_runs_carry_search_attributes_for_the_temporal_ui_and_cli(
    admin: httpx.Client, running_stack: RunningStack
) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    admin.post(f"/workflows/{wf_id}/versions", json={}).raise_for_status()
    pinned = execute(admin, wf_id, "find me", version=1)["run_id"]
    draft = execute(admin, wf_id, "find me too", version="draft")["run_id"]
    user_id = admin.get("/auth/me").json()["id"]
    query = f"GenaiWorkflowId = '{wf_id}' AND GenaiUserId = '{user_id}'"
    found: list[set[str]] = []

    def both_listed() -> bool:
        found.append(asyncio.run(temporal_run_ids(running_stack, query)))
        return found[-1] == {pinned, draft}

    # Temporal's visibility store is eventually consistent.
    eventually(both_listed, timeout=10, interval=0.2, message=lambda: f"listed {found[-1]}")
    by_version = f"GenaiWorkflowId = '{wf_id}' AND GenaiVersion = 1 AND GenaiRunKind = 'run'"
    assert asyncio.run(temporal_run_ids(running_stack, by_version)) == {pinned}


def test_bad_run_history_requests_get_clear_errors_and_change_nothing(
    admin: httpx.Client,
) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    run_id = execute(admin, wf_id, "only run")["run_id"]
    too_big = 2**40
    for body in ({"query": "q", "version": too_big}, {"query": "q", "version": "latest"}):
        reply = admin.post(f"/workflows/{wf_id}/execute", json=body)
        assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_request"
    assert admin.get("/runs", params={"version": too_big}).status_code == 422
    for body in ({"from_node": "bad node!"}, {}, {"from_node": "llm", "version": 0}):
        reply = admin.post(f"/runs/{run_id}/replay", json=body)
        assert reply.status_code == 422 and reply.json()["error"]["code"] == "invalid_request"
    assert admin.post("/runs/run-missing/rerun").status_code == 404
    assert admin.get("/runs/run-missing/audit").status_code == 404
    reply = admin.post("/runs/replay-check", json={"recent": 1000})
    assert reply.status_code == 422
    runs = admin.get("/runs", params={"workflow_id": wf_id}).json()["items"]
    assert [r["id"] for r in runs] == [run_id]  # no half-made run was recorded


def test_an_administrator_may_read_every_users_runs_but_not_replay_them(
    admin: httpx.Client, other_user: httpx.Client
) -> None:
    wf_id = create_workflow(other_user, direct_llm_graph(model="gpt-4o-mini"))
    run_id = execute(other_user, wf_id, "theirs")["run_id"]
    other_id = other_user.get("/auth/me").json()["id"]
    listed = admin.get("/runs", params={"user_id": other_id, "workflow_id": wf_id}).json()
    assert [r["id"] for r in listed["items"]] == [run_id]
    assert listed["items"][0]["user_id"] == other_id
    assert admin.get(f"/runs/{run_id}/timeline").status_code == 200
    assert admin.get(f"/runs/{run_id}/audit").json()["started_by"]["id"] == other_id
    assert admin.post(f"/runs/{run_id}/rerun").status_code == 404
