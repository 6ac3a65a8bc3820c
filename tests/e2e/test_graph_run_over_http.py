"""Create → build graph → validate → execute over HTTP, against the real processes."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from tests.support.fakes.http_fake import Failure
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.openai_fake import CHAT_COMPLETIONS as CHAT
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import RunningStack

PASSAGES = [
    ("The refund window is 30 days from delivery.", "policy.pdf", 3),
    ("Support is open Monday to Friday, 9 to 17 CET.", "support.md", 1),
]


@pytest.fixture(scope="module")
def knowledge_base(running_stack: RunningStack, admin: httpx.Client) -> str:
    """A knowledge base of the admin's holding ``PASSAGES``."""
    return seeded_knowledge_base(admin, running_stack.env, PASSAGES)


def create_workflow(client: httpx.Client, graph: dict, name: str = "wf") -> str:
    reply = client.post("/workflows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_components_catalogue_serves_ports_and_config_schemas(admin: httpx.Client) -> None:
    catalogue = {c["type"]: c for c in admin.get("/components").json()}
    assert set(catalogue) == {"user_query", "knowledge_base", "llm_engine", "web_search", "output"}
    llm = catalogue["llm_engine"]
    assert llm["color"] == "#FF9800"
    assert {p["name"] for p in llm["inputs"]} == {"query", "context", "web_results"}
    props = llm["config_schema"]["properties"]
    assert props["temperature"]["maximum"] == 2.0
    assert "component" not in props


def test_graph_built_component_by_component_validates_and_answers(
    admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    wf = admin.post("/workflows", json={"name": "step by step"}).json()
    base = f"/workflows/{wf['id']}"
    nodes = rag_graph(knowledge_base)["nodes"]
    for node in nodes:
        body = {k: node[k] for k in ("type", "position", "config")} | {"node_id": node["id"]}
        assert admin.post(f"{base}/components", json=body).status_code == 201
    for edge in rag_graph(knowledge_base)["edges"]:
        assert admin.post(f"{base}/edges", json=edge).status_code == 201
    moved = admin.put(f"{base}/components/llm", json={"position": {"x": 9, "y": 9}}).json()
    assert moved["position"] == {"x": 9.0, "y": 9.0}

    validation = admin.get(f"{base}/validate")
    assert validation.status_code == 200, validation.text
    assert validation.json()["steps"] == ["query", "kb", "llm", "out"]

    reply = admin.post(f"{base}/execute", json={"query": "How long is the refund window?"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["success"] is True
    assert body["model"] == "gpt-4o-mini"
    assert body["context_used"] is True
    assert body["run_id"].startswith("run-")
    assert body["response"].startswith("Fake answer from gpt-4o-mini")
    assert {c["document"] for c in body["citations"]} == {"policy.pdf", "support.md"}


def test_execute_passes_context_web_results_and_usage_through(
    admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    wf_id = create_workflow(admin, rag_graph(knowledge_base, use_web_search=True))
    plan = admin.get(f"/workflows/{wf_id}/validate").json()
    assert plan["steps"] == ["query", "kb", "llm.web_search", "llm", "out"]
    chats_before = len(fakes.openai.chat_requests)
    searches_before = len(fakes.serpapi.searches)

    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "refund window?"})
    assert reply.status_code == 200, reply.text
    body = reply.json()

    assert set(body) >= {"success", "response", "model", "usage", "context_used", "run_id"}
    sent = fakes.openai.chat_requests[chats_before:]
    assert len(sent) == 1
    prompt = "\n".join(str(m["content"]) for m in sent[0]["messages"])
    assert "The refund window is 30 days from delivery." in prompt
    assert "policy.pdf" in prompt
    search = fakes.serpapi.searches[searches_before:]
    assert len(search) == 1 and search[0]["q"] == "refund window?"
    first_result = body["web_sources"][0]
    assert first_result["title"] in prompt and first_result["link"] in prompt
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert sent[0]["temperature"] == 0.2

    run = admin.get(f"/runs/{body['run_id']}").json()
    assert run["status"] == "completed"
    assert {s["node_id"]: s["status"] for s in run["progress"]["steps"]} == {
        "query": "completed",
        "kb": "completed",
        "llm.web_search": "completed",
        "llm": "completed",
        "out": "completed",
    }
    assert run["plan_hash"] == plan["plan_hash"]


def test_gemini_provider_answers_with_its_token_usage(admin: httpx.Client, fakes: Fakes) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(provider="gemini", model="gemini-2.0-flash"))
    before = len(fakes.gemini.requests)
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "Say hello"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["model"] == "gemini-2.0-flash"
    assert body["response"].startswith("Fake answer from gemini-2.0-flash")
    assert body["context_used"] is False
    assert body["usage"]["total_tokens"] > 0
    assert len(fakes.gemini.requests) == before + 1


def test_rate_limited_llm_is_retried_until_it_answers(admin: httpx.Client, fakes: Fakes) -> None:
    policy = {"initial_interval_seconds": 0.05, "maximum_attempts": 4}
    graph = direct_llm_graph(model="gpt-4o-mini")
    graph["nodes"][1]["policy"] = policy
    wf_id = create_workflow(admin, graph)
    before = len(fakes.openai.chat_requests)
    fakes.openai.script([Failure(429), Failure(429)], CHAT)
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "retry me"})
    assert reply.status_code == 200, reply.text
    assert len(fakes.openai.chat_requests) - before == 3
    assert admin.get(f"/runs/{reply.json()['run_id']}").json()["status"] == "completed"


def test_rejected_api_key_fails_fast_without_retries(admin: httpx.Client, fakes: Fakes) -> None:
    wf_id = create_workflow(admin, direct_llm_graph(model="gpt-4o-mini"))
    before = len(fakes.openai.chat_requests)
    fakes.openai.script([Failure(401)], CHAT)
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "who am I?"})
    assert reply.status_code == 502, reply.text
    error = reply.json()["error"]
    assert error["code"] == "run_failed"
    assert "401" in error["message"] and "llm" in error["message"]
    assert error["details"]["node_id"] == "llm"
    assert len(fakes.openai.chat_requests) - before == 1
    run = admin.get(f"/runs/{error['details']['run_id']}").json()
    assert run["status"] == "failed"
    assert "401" in run["error"]


def test_chat_session_sends_history_and_keeps_it(
    admin: httpx.Client, fakes: Fakes, knowledge_base: str
) -> None:
    wf_id = create_workflow(admin, rag_graph(knowledge_base))
    chat = admin.post("/chat/sessions", json={"workflow_id": wf_id, "title": "Refunds"}).json()
    first = admin.post(f"/chat/sessions/{chat['id']}/messages", json={"content": "First question"})
    assert first.status_code == 200, first.text
    second = admin.post(f"/chat/sessions/{chat['id']}/messages", json={"content": "And then?"})
    assert second.status_code == 200, second.text

    messages = fakes.openai.chat_requests[-1]["messages"]
    contents = [str(m["content"]) for m in messages]
    assert any("First question" in c for c in contents[:-1])
    assert any(first.json()["response"] in c for c in contents[:-1])

    history = admin.get(f"/chat/sessions/{chat['id']}/messages").json()
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "First question"),
        ("assistant", first.json()["response"]),
        ("user", "And then?"),
        ("assistant", second.json()["response"]),
    ]
    assert history[1]["run_id"] == first.json()["run_id"]
    runs = admin.get("/runs", params={"workflow_id": wf_id}).json()["items"]
    assert {r["session_id"] for r in runs} == {chat["id"]}
    assert len(runs) == 2


async def fetch_history(running_stack: RunningStack, run_id: str) -> WorkflowHistory:
    client = await running_stack.temporal()
    return await client.get_workflow_handle(run_id).fetch_history()


def payload_bytes(message: Message) -> Iterator[bytes]:
    """Every payload's data inside a protobuf message (history JSON shows them base64)."""
    if isinstance(message, Payload):
        yield message.data
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if isinstance(value, Message):
            yield from payload_bytes(value)
            continue
        items = value.values() if hasattr(value, "values") else value  # map or repeated
        for item in items:
            if isinstance(item, Message):
                yield from payload_bytes(item)


def test_history_carries_the_plan_but_no_secret(
    admin: httpx.Client, running_stack: RunningStack, knowledge_base: str
) -> None:
    wf_id = create_workflow(admin, rag_graph(knowledge_base, use_web_search=True))
    plan_hash = admin.get(f"/workflows/{wf_id}/validate").json()["plan_hash"]
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "secrets?"})
    assert reply.status_code == 200, reply.text

    history = asyncio.run(fetch_history(running_stack, reply.json()["run_id"]))
    payloads = b"\n".join(b for event in history.events for b in payload_bytes(event))
    assert plan_hash.encode() in payloads  # the plan travels as the workflow input
    assert b"The refund window is 30 days" in payloads  # retrieved passages are recorded
    everything = payloads + history.to_json().encode()
    for secret in (OPENAI_KEY, SERPAPI_KEY, GEMINI_KEY, running_stack.env["JWT_SECRET"]):
        assert secret.encode() not in everything


def test_independent_branches_are_scheduled_together(
    admin: httpx.Client, running_stack: RunningStack, knowledge_base: str
) -> None:
    graph = rag_graph(knowledge_base, kb_policy={"execution": "regular"})
    graph["nodes"].append(
        {"id": "web", "type": "web_search", "config": {}, "policy": {"execution": "regular"}}
    )
    graph["edges"] += [
        {"source": "query", "source_handle": "query", "target": "web", "target_handle": "query"},
        {
            "source": "web",
            "source_handle": "results",
            "target": "llm",
            "target_handle": "web_results",
        },
    ]
    wf_id = create_workflow(admin, graph)
    reply = admin.post(f"/workflows/{wf_id}/execute", json={"query": "both at once"})
    assert reply.status_code == 200, reply.text

    events = asyncio.run(fetch_history(running_stack, reply.json()["run_id"])).events
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    first_completion = next(
        i
        for i, e in enumerate(events)
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
    )
    scheduled_before = {
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events[:first_completion]
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    assert sorted(scheduled) == ["search_knowledge_base", "search_web"]
    assert scheduled_before == {"search_knowledge_base", "search_web"}
