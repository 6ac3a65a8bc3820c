"""Provider connections through the HTTP API and the real worker: keys never leave the
server, a graph can never choose where a server-held key goes, and the SSRF guard holds at
save and at call."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api_errors import assert_error
from tests.support.fakes import FakeOpenAI
from tests.support.fakes.keys import GEMINI_KEY, OPENAI_KEY, SERPAPI_KEY
from tests.support.fakes.listener import listener
from tests.support.fakes.running import Fakes
from tests.support.graphs import direct_llm_graph, rag_graph
from tests.support.knowledge_api import seeded_knowledge_base
from tests.support.live_stack import RunningStack

TEAM_KEY = "sk-team-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def team_server() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server that accepts only the team connection's key."""
    with FakeOpenAI(api_key=TEAM_KEY, answer="from the team server") as server:
        yield server


@pytest.fixture(scope="module")
def team_connection(admin: httpx.Client, team_server: FakeOpenAI) -> str:
    name = f"team-{uuid.uuid4().hex[:8]}"
    reply = admin.post(
        "/connections",
        json={
            "name": name,
            "provider": "openai-compatible",
            "base_url": f"{team_server.url}/v1",
            "api_key": TEAM_KEY,
            "models": ["llama3.1", "qwen2.5"],
            "allow_private_network": True,
            "description": "vLLM on the team's box",
        },
    )
    assert reply.status_code == 201, reply.text
    return name


def workflow(client: httpx.Client, graph: dict[str, Any]) -> str:
    reply = client.post("/workflows", json={"name": "connections", "graph": graph})
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def test_keys_are_never_returned_and_urls_are_shown_to_administrators_only(
    admin: httpx.Client, other_user: httpx.Client, team_connection: str
) -> None:
    for client in (admin, other_user):
        listed = client.get("/connections")
        one = client.get(f"/connections/{team_connection}")
        for reply in (listed, one):
            assert reply.status_code == 200, reply.text
            assert TEAM_KEY not in reply.text and OPENAI_KEY not in reply.text
            assert GEMINI_KEY not in reply.text
    mine = admin.get(f"/connections/{team_connection}").json()
    assert mine["has_key"] is True and mine["source"] == "administrator"
    assert mine["base_url"].endswith("/v1") and mine["models"] == ["llama3.1", "qwen2.5"]
    assert other_user.get(f"/connections/{team_connection}").json()["base_url"] is None
    names = {c["name"]: c for c in other_user.get("/connections").json()}
    assert names["openai"]["source"] == "environment" and names["openai"]["has_key"] is True
    assert team_connection in names


def test_only_administrators_change_connections(
    other_user: httpx.Client, team_connection: str
) -> None:
    body = {"name": "mine", "provider": "openai-compatible", "base_url": "https://8.8.8.8/v1"}
    assert_error(other_user.post("/connections", json=body), 403, "forbidden")
    assert_error(
        other_user.patch(f"/connections/{team_connection}", json={"api_key": "x"}), 403, "forbidden"
    )
    assert_error(other_user.delete(f"/connections/{team_connection}"), 403, "forbidden")
    assert_error(other_user.post("/connections/rotate-keys"), 403, "forbidden")


REFUSED_AT_SAVE = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5:8000/v1",
    "http://192.168.1.10/v1",
    "http://0.0.0.0:7233/v1",
    "http://2130706433:8233/v1",
    "http://[::1]:9464/v1",
    "http://[::ffff:127.0.0.1]/v1",
    "http://localhost:7233/v1",
    "http://user:pass@example.com/v1",
    "http://example.com/v1?api_key=1",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", REFUSED_AT_SAVE)
def test_the_ssrf_guard_refuses_each_address_class_at_save(admin: httpx.Client, url: str) -> None:
    name = f"probe-{uuid.uuid4().hex[:8]}"
    reply = admin.post(
        "/connections", json={"name": name, "provider": "openai-compatible", "base_url": url}
    )
    error = assert_error(reply, 422, "url_not_allowed")
    assert error["details"]["field"] == "base_url"
    assert_error(admin.get(f"/connections/{name}"), 404, "not_found")


def test_metadata_addresses_stay_refused_even_with_private_networks_allowed(
    admin: httpx.Client,
) -> None:
    for url in ("http://169.254.169.254/", "http://0.0.0.0:8000/v1", "http://[fe80::1]/v1"):
        reply = admin.post(
            "/connections",
            json={
                "name": f"probe-{uuid.uuid4().hex[:8]}",
                "provider": "openai-compatible",
                "base_url": url,
                "allow_private_network": True,
            },
        )
        assert_error(reply, 422, "url_not_allowed")


def test_a_graph_can_never_carry_a_url_or_a_collection(
    other_user: httpx.Client, fakes: Fakes
) -> None:
    """The reported attack: a user points an LLM node at their own listener to collect the
    server's key. The graph is refused on every path that saves one, and nothing is sent."""
    with listener() as attacker:
        graph = direct_llm_graph(
            provider="openai-compatible", model="llama3.1", base_url=f"{attacker.url}/v1"
        )
        error = assert_error(
            other_user.post("/workflows", json={"name": "x", "graph": graph}), 422, "invalid_graph"
        )
        [problem] = error["details"]["problems"]
        assert problem["node_id"] == "llm" and problem["field"] == "nodes[1].config.base_url"
        wf = workflow(other_user, direct_llm_graph(model="gpt-4o-mini"))
        assert_error(other_user.put(f"/workflows/{wf}/graph", json=graph), 422, "invalid_graph")
        reply = other_user.put(
            f"/workflows/{wf}/components/llm", json={"config": graph["nodes"][1]["config"]}
        )
        assert_error(reply, 422, "invalid_graph")
        reply = other_user.post(
            f"/workflows/{wf}/components",
            json={"type": "knowledge_base", "config": {"collection": "kb-someone-elses"}},
        )
        assert "knowledge_base_id" in assert_error(reply, 422, "invalid_graph")["message"]
        assert other_user.get(f"/workflows/{wf}/graph").json()["nodes"][1]["config"] == {
            "model": "gpt-4o-mini"
        }
        assert attacker.received == []


def test_a_run_sends_the_connections_own_key_to_the_connections_own_url(
    admin: httpx.Client, fakes: Fakes, team_server: FakeOpenAI, team_connection: str
) -> None:
    wf = workflow(admin, direct_llm_graph(connection=team_connection, model="llama3.1"))
    reply = admin.post(f"/workflows/{wf}/execute", json={"query": "hello team"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["response"] == "from the team server"
    [request] = [r for r in team_server.requests if "hello team" in str(r.body)]
    assert request.headers["authorization"] == f"Bearer {TEAM_KEY}"
    assert all(OPENAI_KEY not in str(r.headers) for r in team_server.requests)


def test_models_outside_the_connections_list_and_missing_connections_are_reported(
    admin: httpx.Client, team_connection: str
) -> None:
    wf = workflow(admin, direct_llm_graph(connection=team_connection, model="gpt-4o"))
    error = assert_error(admin.get(f"/workflows/{wf}/validate"), 422, "graph_invalid")
    assert ("model_not_allowed", "llm", "config.model") in {
        (p["code"], p["node_id"], p["field"]) for p in error["details"]["problems"]
    }
    wf = workflow(admin, direct_llm_graph(connection="no-such-connection", model="m"))
    reply = admin.post(f"/workflows/{wf}/execute", json={"query": "hi"})
    error = assert_error(reply, 422, "graph_invalid")
    assert ("unknown_connection", "llm", "config.connection") in {
        (p["code"], p["node_id"], p["field"]) for p in error["details"]["problems"]
    }


def test_a_deleted_connection_is_named_in_the_graphs_that_use_it(
    admin: httpx.Client, team_server: FakeOpenAI
) -> None:
    name = f"short-lived-{uuid.uuid4().hex[:6]}"
    body = {
        "name": name,
        "provider": "openai-compatible",
        "base_url": f"{team_server.url}/v1",
        "allow_private_network": True,
    }
    assert admin.post("/connections", json=body).status_code == 201
    assert_error(admin.post("/connections", json=body), 409, "conflict")
    wf = workflow(admin, direct_llm_graph(connection=name, model="llama3.1"))
    assert admin.get(f"/workflows/{wf}/validate").status_code == 200
    assert admin.delete(f"/connections/{name}").status_code == 204
    error = assert_error(admin.get(f"/workflows/{wf}/validate"), 422, "graph_invalid")
    assert f"provider connection '{name}' does not exist" in error["message"]


def test_environment_connections_cannot_be_changed_through_the_api(admin: httpx.Client) -> None:
    assert_error(admin.patch("/connections/openai", json={"models": ["x"]}), 409, "conflict")
    body = {"name": "openai", "provider": "openai", "base_url": "https://8.8.8.8/v1"}
    assert_error(admin.post("/connections", json=body), 409, "conflict")


def test_key_rotation_keeps_connections_working(
    admin: httpx.Client, team_server: FakeOpenAI, team_connection: str
) -> None:
    rotated = admin.post("/connections/rotate-keys")
    assert rotated.status_code == 200 and rotated.json()["rotated"] >= 1
    wf = workflow(admin, direct_llm_graph(connection=team_connection, model="qwen2.5"))
    reply = admin.post(f"/workflows/{wf}/execute", json={"query": "after rotation"})
    assert reply.status_code == 200, reply.text


def test_no_configured_key_appears_in_responses_payloads_audit_records_or_logs(
    admin: httpx.Client, running_stack: RunningStack, fakes: Fakes, team_connection: str
) -> None:
    """Runs with every provider — OpenAI (LLM and embeddings), Gemini, SerpAPI and an
    administrator's connection — then scans everything a user or operator can read."""
    kb = seeded_knowledge_base(admin, running_stack.env, [("Refunds: 30 days.", "p.pdf", 1)])
    graphs = [
        rag_graph(kb, use_web_search=True),
        direct_llm_graph(provider="gemini", model="gemini-2.0-flash"),
        direct_llm_graph(connection=team_connection, model="llama3.1"),
    ]
    texts: list[str] = []
    run_ids = []
    for graph in graphs:
        wf = workflow(admin, graph)
        reply = admin.post(f"/workflows/{wf}/execute", json={"query": "refunds?"})
        assert reply.status_code == 200, reply.text
        run_id = reply.json()["run_id"]
        run_ids.append(run_id)
        texts.append(reply.text)
        for path in ("", "/timeline", "/audit"):
            read = admin.get(f"/runs/{run_id}{path}")
            assert read.status_code == 200, read.text
            texts.append(read.text)
        texts.append(admin.get(f"/workflows/{wf}/graph").text)
    texts.append(admin.get("/runs").text)
    texts.append(admin.get("/connections").text)

    async def histories() -> list[str]:
        client = await running_stack.temporal()
        return [
            (await client.get_workflow_handle(run_id).fetch_history()).to_json()
            for run_id in run_ids
        ]

    texts += asyncio.run(histories())
    texts += [p.read_text(errors="replace") for p in Path(running_stack.log_dir).glob("*.log")]
    assert len(texts) > 15
    for secret in (OPENAI_KEY, GEMINI_KEY, SERPAPI_KEY, TEAM_KEY):
        hits = [i for i, text in enumerate(texts) if secret in text]
        assert hits == [], f"{secret[:6]}… appears in {len(hits)} of {len(texts)} texts"
